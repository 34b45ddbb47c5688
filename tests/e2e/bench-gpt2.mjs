// GPT-2 small in the benchmark (issue 13): the native forward with its trace
// beside PyTorch eager on one thread and the one-core matrix-multiply peak
// (where a Python with torch and transformers is found), the page's forward
// beside the native one, the page's whole retrace as the user waits for it,
// and one more word typed at the end (the KV cache of the unchanged prefix
// reused). Every figure is a ratio measured in this run; nothing is asserted.

import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, openFiles, openPage } from './helpers.mjs';
import { CLI, makeGpt2Small, textOf } from './gpt2small.mjs';

const RUNS = 5;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ms = (x) => `${x.toFixed(0)} ms`;

/** `glasswing bench --model DIR --len T --json`: {median_us, gflops}. */
function native(dir, len) {
  return JSON.parse(execFileSync(CLI, ['bench', '--model', dir, '--len', String(len), '--runs', String(RUNS), '--json'], { encoding: 'utf8' }));
}

/** A Python with torch and transformers: $GLASSWING_PYTHON, ./.venv, or /tmp/venv. */
function python() {
  const found = [process.env.GLASSWING_PYTHON, join(ROOT, '.venv', 'bin', 'python'), '/tmp/venv/bin/python'].find((p) => p && existsSync(p));
  if (!found) return null;
  try {
    execFileSync(found, ['-c', 'import torch, transformers'], { stdio: 'ignore' });
    return found;
  } catch {
    return null;
  }
}

/** tools/bench_torch.py: PyTorch eager on one thread, {median_us, matmul_peak_gflops}, or null. */
function torch(dir, len) {
  const py = python();
  if (!py) return null;
  const out = execFileSync(py, [join(ROOT, 'tools', 'bench_torch.py'), join(dir, 'model.safetensors'), join(dir, 'config.json'), String(len), String(RUNS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').pop());
}

/** The page: GPT-2 small opened through the file input; forward by ids, whole retrace, one more word. */
async function page(browser, origin, dir) {
  const { page: p, context } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors&lang=en`);
  try {
    const r = await openFiles(p, ['model.safetensors', 'config.json', 'vocab.json', 'merges.txt'].map((f) => join(dir, f)), { timeout: 600000 });
    if (!r.ok) throw new Error(r.error);
    const out = { forward: {} };
    // The worker's forward with its trace by ids (kept in the worker, as the page keeps a
    // trace this big), a different first id each run so that nothing is reused.
    for (const T of [128, 512]) {
      out.forward[T] = await p.evaluate(async ([T, runs]) => {
        const g = window.glasswing;
        const times = [];
        for (let k = 0; k < runs + 1; k++) {
          const ids = Array.from({ length: T }, (_, i) => (i === 0 ? 1000 + k : (i * 7919 + 13) % 50257));
          const t0 = performance.now();
          const trace = await g.engine.traceIds(g.modelId, ids, { keepAbove: 0 });
          if (k > 0) times.push(performance.now() - t0);
          if (trace.reused !== 0) throw new Error(`a forward reused ${trace.reused} positions`);
          trace.free();
        }
        return times.sort((a, b) => a - b)[times.length >> 1];
      }, [T, RUNS]);
    }
    // Typed text of 128 tokens: the whole retrace (forward, transfer, drawing every view), its
    // first word changed each run; then one more word at the end, which reuses the rest.
    const text = await textOf(p, 128);
    const full = [];
    const word = [];
    let reused = null;
    for (let k = 0; k < RUNS + 1; k++) {
      const first = `${'ABCDEFGHIJ'[k]}${text.slice(1)}`;
      const t0 = performance.now();
      await p.evaluate((s) => window.glasswing.retrace(s), first);
      if (k > 0) full.push(performance.now() - t0);
      const t1 = performance.now();
      await p.evaluate((s) => window.glasswing.retrace(s), `${first} word`);
      if (k > 0) word.push(performance.now() - t1);
      reused = await p.evaluate(() => [window.glasswing.lastTrace.reused, window.glasswing.lastTrace.ids.length]);
    }
    return { ...out, full: median(full), word: median(word), reused };
  } finally {
    await context.close();
  }
}

/** Prints the GPT-2 small figures (a section of bench.mjs). */
export async function benchGpt2(browser, origin) {
  const dir = makeGpt2Small();
  try {
    const nat = { 128: native(dir, 128), 512: native(dir, 512) };
    const pt = torch(dir, 128);
    const pg = await page(browser, origin, dir);
    const flops = (T) => (nat[T].gflops * nat[T].median_us) * 1e3; // FLOPs of one forward
    console.log('\nGPT-2 small (124M, random weights, real config and vocabulary), forward with its whole trace, median of', RUNS);
    for (const T of [128, 512]) {
      console.log(`  native T=${T}: ${ms(nat[T].median_us / 1e3)}, ${nat[T].gflops.toFixed(1)} GFLOP/s (${(flops(T) / 1e9).toFixed(1)} GFLOP)`);
    }
    if (pt) {
      const ideal = flops(128) / (pt.matmul_peak_gflops * 1e9) * 1e3;
      console.log(`  PyTorch eager, one thread, T=128: ${ms(pt.median_us / 1e3)} -> ours takes ${(nat[128].median_us / pt.median_us).toFixed(2)} x PyTorch's time (goal <= 1)`);
      console.log(`  one-core matrix-multiply peak (PyTorch's sgemm): ${pt.matmul_peak_gflops.toFixed(1)} GFLOP/s -> the forward's FLOPs at that peak take ${ms(ideal)}; ours takes ${(nat[128].median_us / 1e3 / ideal).toFixed(2)} x that (goal <= 2)`);
    } else {
      console.log('  PyTorch: no Python with torch and transformers ($GLASSWING_PYTHON, ./.venv or /tmp/venv): skipped');
    }
    for (const T of [128, 512]) {
      const speed = nat[T].median_us / 1e3 / pg.forward[T];
      console.log(`  page (wasm in the worker, by ids) T=${T}: ${ms(pg.forward[T])} -> ${speed.toFixed(2)} x native speed (goal >= 0.7)`);
    }
    console.log(`  page, whole retrace of ~128 typed tokens (forward, transfer, every view drawn): ${ms(pg.full)} -> ${(pg.full / (nat[128].median_us / 1e3)).toFixed(2)} x the native forward (goal <= 1.43)`);
    console.log(`  page, one more word typed at the end (${pg.reused[0]} of ${pg.reused[1]} positions reused): ${ms(pg.word)} -> ${(pg.word / pg.full).toFixed(2)} x the whole retrace (goal <= 0.15)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

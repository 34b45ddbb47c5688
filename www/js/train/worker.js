// The training worker: its own wasm instance and one WasmTrainer, so
// training never blocks the explorer's worker (tracing) nor the page.
// Steps run in chunks of about CHUNK_MS, and between chunks the worker yields
// to its message queue, so Pause, Reset and "give me the bytes" get through.
//
// Requests (page -> worker): {id, op, ...args}; reply {id, ok, result} or
// {id, ok: false, error, code?, fields?} (the core's error code: js/errors.js).
//   ping                       -> true once the wasm is ready
//   budget                     -> {bytes: set by budget.js | null, core: the wasm's own reading}
//   preview {options, seed}    -> {examples: [the held-out example of that seed], info}  (checks the options)
//   start {options, exampleSeed, run} -> true; training runs until paused, reset or done;
//                                 `run` (the page's id for it) tags every event of this run
//   pause / resume / reset     -> true
//   example {seed}             -> the held-out example now traced (a trace event follows)
//   bytes {n}                  -> {bytes: ArrayBuffer, step, metrics}  (safetensors; metadata holds metrics on n examples)
//   bench {rateSteps, evalEvery, evalN, target} -> timings of benchTrainingOptions(), as `glasswing bench` does
// Events (worker -> page, no id): {event: 'status' | 'progress' | 'eval' | 'trace' | 'error', ...};
// an 'error' event is {run, message, code?, fields?}.

import init, * as glasswing from '../../pkg/glasswing.js';
import { applyMemoryBudget } from '../budget.js';
import { own, packTrace } from '../transfer.js';
import { errorReply } from '../errors.js';

const CHUNK_MS = 60; // one chunk of steps; the page hears from us ~16 times a second
const TRACE_MS = 300; // redraw the live example at most this often
const EVAL_N = 200; // held-out examples per evaluation
const EVAL_MIN_MS = 1000; // evaluate at most once a second...
const EVAL_SHARE = 0.1; // ...and spend at most ~10% of the time evaluating

const { WasmTrainer, benchTrainingOptions } = glasswing;
// This instance's memory budget, from what the browser can give it (budget.js).
let budget = null; // bytes, once set (null: this wasm has no budget to set)
const ready = init().then(() => { budget = applyMemoryBudget(glasswing); });
ready.catch(() => {}); // reported through every request instead

let run = null; // the current training run, or null

function emit(event, data = {}, transfer = []) { self.postMessage({ event, ...data }, transfer); }

function elapsedMs(r) { return r.elapsedBefore + (r.status === 'running' ? performance.now() - r.runningSince : 0); }

function emitStatus(r) {
  emit('status', { run: r?.id, status: r ? r.status : 'idle', step: r ? r.trainer.stepsDone() : 0, total: r?.total ?? 0, elapsedMs: r ? elapsedMs(r) : 0 });
}

function evaluate(r) {
  const t0 = performance.now();
  const metrics = r.trainer.evaluate(EVAL_N);
  r.evalCostMs = performance.now() - t0;
  r.lastEvalAt = performance.now();
  r.lastEvalStep = r.trainer.stepsDone();
  emit('eval', { run: r.id, step: r.lastEvalStep, metrics, n: EVAL_N, elapsedMs: elapsedMs(r) });
}

/** Traces the held-out example with a snapshot of the current weights. */
function traceExample(r) {
  r.lastTraceAt = performance.now();
  const snapshot = r.trainer.snapshot();
  try {
    const [trace, transfer] = packTrace(snapshot.traceText(r.exampleText));
    emit('trace', { run: r.id, step: r.trainer.stepsDone(), text: r.exampleText, seed: r.exampleSeed, vocab: r.vocab, trace }, transfer);
  } finally {
    snapshot.free();
  }
}

/** One chunk of steps, then whatever evaluation or tracing is due. */
function chunk(r) {
  const t0 = performance.now();
  const losses = [];
  let tokens = 0;
  let stats;
  do {
    stats = r.trainer.step(1);
    losses.push(stats.loss);
    tokens += stats.tokens;
  } while (performance.now() - t0 < CHUNK_MS && stats.step < r.total);
  const ms = performance.now() - t0;
  const l = Float32Array.from(losses);
  emit('progress', { run: r.id, step: stats.step, total: r.total, losses: l, tokens, ms, lr: stats.lr, elapsedMs: elapsedMs(r) }, [l.buffer]);
  const now = performance.now();
  if (now - r.lastEvalAt >= Math.max(EVAL_MIN_MS, r.evalCostMs / EVAL_SHARE)) evaluate(r);
  if (now - r.lastTraceAt >= TRACE_MS) traceExample(r);
}

/** Lets queued messages (pause, reset, bytes) run; faster than setTimeout's clamped 4 ms. */
function yieldToMessages() {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
    ch.port2.postMessage(0);
  });
}

async function loop(r) {
  try {
    while (run === r && r.status === 'running') {
      chunk(r);
      if (r.trainer.stepsDone() >= r.total) {
        r.elapsedBefore = elapsedMs(r);
        r.status = 'done';
        if (r.lastEvalStep !== r.total) evaluate(r);
        traceExample(r);
        emitStatus(r);
        return;
      }
      await yieldToMessages();
    }
  } catch (e) {
    // A panic or a thrown error stops this run; the page says so and can Reset.
    if (run === r) {
      r.elapsedBefore = elapsedMs(r);
      r.status = 'error';
      const { error, ...coded } = errorReply(e);
      emit('error', { run: r.id, message: error, ...coded });
      emitStatus(r);
    }
  }
}

function current() {
  if (!run) throw new Error('no training run: press Start first');
  return run;
}

function free(r) {
  try { r.trainer.free(); } catch { /* already freed */ }
}

const ops = {
  ping() { return [true]; },
  budget() { return [{ bytes: budget, core: glasswing.memoryBudget?.() ?? null }]; },

  preview({ options, seed = 0 }) {
    const trainer = new WasmTrainer(options);
    try {
      const examples = [trainer.sampleText(seed)];
      const snapshot = trainer.snapshot();
      const info = snapshot.info();
      snapshot.free();
      return [{ examples, info: { num_params: info.num_params, config: info.config, max_len: info.max_len } }];
    } finally {
      trainer.free();
    }
  },

  start({ options, exampleSeed = 0, run: id = 0 }) {
    const trainer = new WasmTrainer(options); // throws a readable error on bad options
    const snapshot = trainer.snapshot();
    const { vocab } = snapshot.info(); // to name the guessed tokens
    snapshot.free();
    if (run) free(run);
    run = {
      id,
      trainer,
      vocab,
      total: options.steps,
      status: 'running',
      elapsedBefore: 0,
      runningSince: performance.now(),
      lastEvalAt: performance.now(),
      lastEvalStep: -1,
      evalCostMs: 0,
      lastTraceAt: 0,
      exampleSeed,
      exampleText: trainer.sampleText(exampleSeed),
    };
    evaluate(run); // the untrained baseline, at step 0
    traceExample(run);
    emitStatus(run);
    loop(run);
    return [true];
  },

  pause() {
    const r = current();
    if (r.status === 'running') {
      r.elapsedBefore = elapsedMs(r);
      r.status = 'paused';
      if (r.lastEvalStep !== r.trainer.stepsDone()) evaluate(r);
      traceExample(r);
      emitStatus(r);
    }
    return [true];
  },

  resume() {
    const r = current();
    if (r.status === 'paused') {
      r.status = 'running';
      r.runningSince = performance.now();
      emitStatus(r);
      loop(r);
    }
    return [true];
  },

  reset() {
    if (run) free(run);
    run = null;
    emitStatus(null);
    return [true];
  },

  example({ seed }) {
    const r = current();
    r.exampleSeed = seed;
    r.exampleText = r.trainer.sampleText(seed);
    traceExample(r);
    return [r.exampleText];
  },

  bytes({ n = EVAL_N }) {
    const r = current();
    const metrics = r.trainer.evaluate(n);
    const bytes = own(r.trainer.toBytes(n));
    return [{ bytes: bytes.buffer, step: r.trainer.stepsDone(), metrics }, [bytes.buffer]];
  },

  // The browser half of `glasswing bench`'s training figures, with the same
  // loop: steps/s over the first rateSteps steps, then evaluate(evalN) every
  // evalEvery steps until exact match reaches target. Blocks this worker only.
  bench({ rateSteps = 200, evalEvery = 100, evalN = 200, target = 0.99 }) {
    const options = benchTrainingOptions();
    const trainer = new WasmTrainer(options);
    try {
      const t0 = performance.now();
      let stepsPerSec = null;
      let reached = null;
      while (trainer.stepsDone() < options.steps) {
        trainer.step(1);
        const s = trainer.stepsDone();
        if (s === rateSteps) stepsPerSec = rateSteps / ((performance.now() - t0) / 1000);
        if (s % evalEvery === 0 && trainer.evaluate(evalN).exact_match >= target) {
          reached = { steps: s, seconds: (performance.now() - t0) / 1000 };
          break;
        }
      }
      return [{ options, stepsPerSec, reached }];
    } finally {
      trainer.free();
    }
  },
};

self.onmessage = async (event) => {
  const { id, op, ...args } = event.data;
  try {
    await ready;
    if (!(op in ops)) throw new Error(`unknown operation ${op}`);
    const [result, transfer = []] = ops[op](args);
    self.postMessage({ id, ok: true, result }, transfer);
  } catch (e) {
    self.postMessage({ id, ok: false, ...errorReply(e) });
  }
};

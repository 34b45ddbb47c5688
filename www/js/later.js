// Drawing left for after the frame. A retrace redraws what is on screen in
// the frame it lands in; what is off screen (a panel below the fold, the
// rows of a tall head view outside its box) is drawn here, in idle time, a
// piece at a time, so a keystroke's frame stays short and the page is still
// whole a moment later (exports, screen readers, a scroll). A newer draw
// replaces an owner's pending work: typing fast never draws stale pictures.
//
//   later(owner, step)  step() draws one piece and returns true when done
//   cancel(owner)       drops the owner's pending work
//   settled()           resolves once nothing is pending (tests, exports)
//   pending(owner)      whether the owner has work left

const SLICE_MS = 8; // at most this long in one go, so input and frames get through

const jobs = new Map(); // owner -> step
let waiters = [];
let handle = 0;

const idle = typeof requestIdleCallback === 'function'
  ? (fn) => requestIdleCallback(fn, { timeout: 100 })
  : (fn) => setTimeout(fn, 0);

function kick() { if (!handle) handle = idle(run); }

function run() {
  handle = 0;
  const t0 = performance.now();
  const more = () => jobs.size && performance.now() - t0 < SLICE_MS;
  while (more()) {
    for (const [owner, step] of [...jobs]) {
      if (jobs.get(owner) !== step) continue; // cancelled or replaced meanwhile
      let done = true;
      try { done = step(); } catch (e) { console.error('drawing later:', e); }
      // The step may have replaced itself (later() again) or been cancelled.
      if (done && jobs.get(owner) === step) jobs.delete(owner);
      if (!more()) break;
    }
  }
  if (jobs.size) kick();
  else release();
}

function release() {
  const w = waiters;
  waiters = [];
  for (const resolve of w) resolve();
}

export function later(owner, step) {
  jobs.set(owner, step);
  kick();
}

export function cancel(owner) {
  // Released after the task: a frame that cancels one job often queues the next.
  if (jobs.delete(owner) && !jobs.size) queueMicrotask(() => { if (!jobs.size) release(); });
}

export function pending(owner) { return jobs.has(owner); }

export function settled() {
  return jobs.size ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve();
}

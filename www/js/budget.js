// The memory budget of one wasm instance: the most bytes a single trace,
// generation step, evaluation or training step may ask for (the core checks
// its sizes against it before allocating and answers `over_budget` with the
// largest count that fits). Each worker (the explorer's, the training one)
// sets it once after its wasm starts.
//
// How much a browser gives a wasm instance:
// - wasm32 linear memory is at most 4 GiB, and never shrinks. Besides the
//   request itself it holds the model's weights, the input and allocator
//   slack, and a trace is then copied out to JavaScript (about as many bytes
//   again, outside the wasm memory). Half of the address space, 2 GiB, is the
//   most one request may take.
// - navigator.deviceMemory (Chromium; GB of RAM rounded down to a power of
//   two, 0.25 to 8) tells how much the device has. Two wasm instances, the
//   page and everything else on the device share it: a quarter each (a 4 GB
//   phone gets 1 GiB, an 8 GB laptop the 2 GiB cap).
// - Without it (Firefox, Safari) the core's own default, 1.5 GiB, stands.
// - Never less than 256 MiB: below that even the shipped models' long
//   inputs would be refused, and the tab would die of other causes first.

const MiB = 2 ** 20;
const GiB = 2 ** 30;
export const MAX_BUDGET = 2 * GiB;
export const DEFAULT_BUDGET = 1.5 * GiB;
export const MIN_BUDGET = 256 * MiB;

/** Bytes for one request, given navigator.deviceMemory (GB, or undefined). */
export function memoryBudget(deviceMemoryGB) {
  if (!(typeof deviceMemoryGB === 'number' && Number.isFinite(deviceMemoryGB) && deviceMemoryGB > 0)) return DEFAULT_BUDGET;
  const quarter = Math.floor((deviceMemoryGB * GiB) / 4);
  return Math.max(MIN_BUDGET, Math.min(MAX_BUDGET, quarter));
}

/**
 * Sets the wasm module's budget (its `setMemoryBudget` export, when this
 * build has one) from the worker's navigator. -> the bytes set, or null.
 */
export function applyMemoryBudget(wasm, nav = globalThis.navigator) {
  if (typeof wasm?.setMemoryBudget !== 'function') return null;
  const bytes = memoryBudget(nav?.deviceMemory);
  wasm.setMemoryBudget(bytes);
  return bytes;
}

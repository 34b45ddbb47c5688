// Handing wasm results from a worker to the page without copying twice.
// Used by the model worker and the training worker.

/** An array that owns its whole buffer can be transferred; a view into wasm memory must be copied first. */
export function own(arr) {
  return arr.byteOffset === 0 && arr.buffer.byteLength === arr.byteLength ? arr : arr.slice();
}

/** A trace from the wasm as a plain object and the list of buffers to transfer with it. */
export function packTrace(trace) {
  const tensor = (t) => t && { data: own(t.data), shape: Array.from(t.shape) };
  const out = {
    arch: trace.arch,
    ids: own(trace.ids),
    tokens: trace.tokens,
    token_bytes: trace.token_bytes ?? null, // one small Uint8Array per token (cloned, not transferred)
    probs: tensor(trace.probs),
    attention: tensor(trace.attention),
    hidden: tensor(trace.hidden),
  };
  const transfer = [out.ids.buffer, out.probs.data.buffer];
  if (out.attention) transfer.push(out.attention.data.buffer);
  if (out.hidden) transfer.push(out.hidden.data.buffer);
  return [out, transfer];
}

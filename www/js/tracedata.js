// A trace on the page. Views read attention and probabilities only through
// these accessors, so they draw the same whether the whole trace came over
// from the worker (small traces) or the worker kept it and sends the slices
// a view asks for (big ones: GPT-2 small at 1024 tokens has 604 MB of
// attention and 206 MB of probabilities, and a view draws one layer and one
// distribution at a time).
//
//   trace.attention.shape           [L, H, T, T]
//   trace.attention.head(l, h)      [T, T] Float32Array, or null while it is on its way
//   trace.attention.peek(l, h)      the same, but never asks the worker (null when not on the page)
//   trace.attention.thumbs          {b, n, data: [L, H, n, n]} pooled for the model view (attention.js)
//   trace.probs.shape               [T, V]
//   trace.probs.row(t)              [V], or null while it is on its way
//   trace.onSlice(fn)               fn() once a slice asked for has arrived (-> unsubscribe)
//   trace.need({layer, pos})        -> promise, once that layer and distribution are on the page
//   trace.whole()                   -> promise of the trace with every array (exports)
//   trace.free(told?)               the worker may forget a kept trace
// A whole trace also keeps `attention.data` and `probs.data` (flat, row-major).

import { attentionThumbs } from './attention.js';

// A kept trace holds on the page at most this many layers and distributions.
const KEEP_LAYERS = 4;
const KEEP_ROWS = 64;

/** The accessors over a whole trace ({data, shape} arrays); returns the same object. */
export function wholeTrace(trace) {
  const att = trace.attention;
  if (att) {
    const [L, H, T] = att.shape;
    const layer = (l) => att.data.subarray(l * H * T * T, (l + 1) * H * T * T); // [H, T, T]
    att.head = (l, h) => att.data.subarray((l * H + h) * T * T, (l * H + h + 1) * T * T);
    att.peek = att.head;
    let thumbs = null;
    Object.defineProperty(att, 'thumbs', { get: () => (thumbs ??= attentionThumbs(layer, L, H, T)), enumerable: false });
  }
  const [, V] = trace.probs.shape;
  trace.probs.row = (t) => trace.probs.data.subarray(t * V, (t + 1) * V);
  trace.onSlice = () => () => {};
  trace.need = async () => {};
  trace.whole = async () => trace;
  trace.free = () => {};
  return trace;
}

/** A Map that forgets its least recently used entry past `max`. */
function recent(max, entries) {
  const map = new Map(entries);
  return {
    get(key) {
      const v = map.get(key);
      if (v !== undefined) { map.delete(key); map.set(key, v); }
      return v;
    },
    peek: (key) => map.get(key),
    set(key, v) {
      map.delete(key);
      map.set(key, v);
      while (map.size > max) map.delete(map.keys().next().value);
    },
  };
}

/**
 * The accessors over a trace the worker kept (worker.js `trace` with
 * `keepAbove`): `reply` carries the small parts, the pooled thumbnails and
 * the slices asked for with it; `call(op, args)` asks the worker for more.
 */
export function keptTrace(reply, call) {
  const { traceId, layers, rows, thumbs, attention_shape: attShape, probs_shape: probsShape, ...rest } = reply;
  const layerCache = recent(KEEP_LAYERS, layers); // l -> [H, T, T]
  const rowCache = recent(KEEP_ROWS, rows); // t -> [V]
  const pending = new Set();
  const listeners = new Set();
  let freed = false;
  const ask = (key, args, store) => {
    if (pending.has(key) || freed) return;
    pending.add(key);
    call('traceSlice', { traceId, ...args })
      .then((data) => { store(data); for (const fn of [...listeners]) fn(); })
      .catch((e) => { if (!freed) console.error('trace slice:', e); })
      .finally(() => pending.delete(key));
  };
  const trace = {
    ...rest,
    kept: traceId,
    attention: attShape && {
      shape: attShape,
      thumbs,
      head(l, h) {
        const T = attShape[2];
        const layer = layerCache.get(l);
        if (!layer) { ask(`l${l}`, { layer: l }, (d) => layerCache.set(l, d)); return null; }
        return layer.subarray(h * T * T, (h + 1) * T * T);
      },
      peek(l, h) {
        const T = attShape[2];
        return layerCache.peek(l)?.subarray(h * T * T, (h + 1) * T * T) ?? null;
      },
    },
    probs: {
      shape: probsShape,
      row(t) {
        const row = rowCache.get(t);
        if (!row) ask(`p${t}`, { pos: t }, (d) => rowCache.set(t, d));
        return row ?? null;
      },
    },
    onSlice(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    need({ layer = null, pos = null }) {
      const here = () => (layer === null || !trace.attention || trace.attention.head(layer, 0))
        && (pos === null || trace.probs.row(pos));
      return new Promise((resolve, reject) => {
        if (here()) { resolve(); return; }
        if (freed) { reject(new Error('the trace was replaced')); return; }
        const off = trace.onSlice(() => { if (here()) { off(); resolve(); } });
      });
    },
    whole: () => call('traceWhole', { traceId }).then(wholeTrace),
    /** The worker may forget it (`told`: it was asked to already, by a trace that `replaces` it). */
    free(told = false) {
      if (freed) return;
      freed = true;
      listeners.clear();
      if (!told) call('freeTrace', { traceId }).catch(() => {});
    },
  };
  return trace;
}

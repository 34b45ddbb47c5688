// The model worker: owns the wasm module and every loaded model, so a slow
// load or trace never freezes the page. One request at a time, in order.
//
// Protocol (page -> worker): {id, op, ...args}; reply {id, ok: true, result}
// or {id, ok: false, error: message, code?, fields?} (js/errors.js: the
// core's error code and fields, for a message in the reader's language). Ops:
//   loadUrl   {url}                      -> {modelId, info}
//   loadFolder {files: {weights: File, config?, tokenizer?, vocab?, merges?: File}, loadId}
//             -> {modelId, info}: a model folder read slice by slice (the
//             weights never whole in memory), posting {event: 'loadProgress',
//             loadId, loaded, total} as the bytes come in; a Hub tokenizer's
//             info carries `tokenTable` (every id's bytes: tokentext.js)
//   loadBytes {bytes: ArrayBuffer, config?: string, name} -> {modelId, info}
//             (whole files: kept for callers that already hold the bytes)
//   encode    {modelId, text}             -> Uint32Array of ids
//   trace     {modelId, text | ids: Uint32Array, keepAbove?, want?: {layer, pos}} -> trace
//             (`reused`: its first positions copied from the model's last trace,
//             whose KV cache the core keeps, so typing at the end costs the new tokens):
//             the whole trace when its attention and probabilities take at
//             most keepAbove bytes (default: always); else the worker keeps
//             it and replies {traceId, arch, ids, tokens, token_bytes, hidden,
//             attention_shape, probs_shape, thumbs: {b, n, data}, layers:
//             [[l, Float32Array [H,T,T]]], rows: [[t, Float32Array [V]]]}
//             with the slices `want` names (tracedata.js keptTrace)
//   traceSlice {traceId, layer} -> [H,T,T] | {traceId, pos} -> [V]
//   traceWhole {traceId}             -> the whole kept trace (exports), up to WHOLE_LIMIT bytes
//   freeTrace {traceId}              -> true
//   info      {modelId}                  -> info
//   free      {modelId}                  -> true
//   ping      {}                         -> true once the wasm is ready
//   budget    {}                         -> {bytes: set by budget.js | null, core: the wasm's own reading}
//   memory    {}                         -> {wasm: bytes of the wasm instance's memory (it only grows)}
//   trace {…, ablate: {heads: [[l, h]], mode}} traces the model with those heads
//             ablated; lens, ablate, headScores: interp/ops.js
// Trace typed arrays are transferred, never copied or turned into JS arrays.

import init, * as glasswing from '../pkg/glasswing.js';
import { applyMemoryBudget } from './budget.js';
import { generationOps } from './generate/ops.js';
import { attentionThumbs } from './attention.js';
import { own, packTrace } from './transfer.js';
import { codedError, errorReply } from './errors.js';
import { buildTokenTable } from './tokentext.js';
import { interpOps, keptAblated } from './interp/ops.js';

const { WasmModel } = glasswing;
// The memory budget follows what this browser can give the instance (budget.js).
let budget = null; // bytes, once set (null: this wasm has no budget to set)
let wasm = null; // the instance's exports (its memory, for `memory`)
const ready = init().then((exports) => { wasm = exports; budget = applyMemoryBudget(glasswing); });
ready.catch(() => {}); // reported to the page through every request instead
const models = new Map(); // modelId -> WasmModel
const byUrl = new Map(); // url -> modelId, so switching back does not refetch
let nextId = 1;
const READ_CHUNK = 8 << 20; // bytes per FileReaderSync read: progress within a large tensor
const PROGRESS_MS = 80; // at most one progress event per this many milliseconds
const MAX_TEXT_FILE_BYTES = 100_000_000; // config and tokenizer files, as the CLI reads them
const traces = new Map(); // traceId -> WasmTrace kept for the page (oldest first)
const MAX_KEPT = 4; // a page that forgets to free its traces still holds at most this many
const WHOLE_LIMIT = 64e6; // bytes of attention and probabilities: larger kept traces are not exported whole (as JSON text, ten times that)
let nextTraceId = 1;

function model(modelId) {
  const m = models.get(modelId);
  if (!m) throw new Error(`no model with id ${modelId}`);
  return m;
}

function keptTrace(traceId) {
  const t = traces.get(traceId);
  if (!t) throw new Error(`no kept trace with id ${traceId} (freed)`);
  return t;
}

function register(wasmModel) {
  const modelId = nextId++;
  models.set(modelId, wasmModel);
  return { modelId, info: wasmModel.info() };
}

const ops = {
  ping() { return [true]; },
  budget() { return [{ bytes: budget, core: glasswing.memoryBudget?.() ?? null }]; },
  memory() { return [{ wasm: wasm?.memory?.buffer.byteLength ?? null }]; },
  async loadUrl({ url }) {
    if (byUrl.has(url)) {
      const modelId = byUrl.get(url);
      return [{ modelId, info: model(modelId).info() }];
    }
    const res = await fetch(url);
    if (!res.ok) throw codedError('fetch', { status: res.status, url }, `${res.status} ${res.statusText || 'error'} fetching ${url}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const loaded = register(WasmModel.load(bytes, undefined));
    byUrl.set(url, loaded.modelId);
    return [loaded];
  },
  loadBytes({ bytes, config }) {
    return [register(WasmModel.load(new Uint8Array(bytes), config ?? undefined))];
  },
  loadFolder({ files, loadId }) {
    const { weights } = files;
    const total = weights.size;
    // A model needs at least its file's bytes. A file larger than the budget is
    // refused here, before anything is read: past 2 GiB the safetensors parser
    // of a 32-bit wasm cannot even size it, and would call it malformed.
    const limit = budget ?? glasswing.memoryBudget?.() ?? null;
    if (limit !== null && total > limit) {
      throw codedError('over_budget', { what: 'model', need_bytes: total, limit_bytes: limit, max: 0, unit: null },
        `the model would need about ${(total / 1e9).toFixed(1)} GB of memory, more than the budget of ${(limit / 1e9).toFixed(1)} GB: the model itself is too large for this budget`);
    }
    const reader = new FileReaderSync();
    // Text files are bounded as the CLI bounds them (src/checkpoint.rs MAX_TEXT_FILE_BYTES).
    const text = (file) => {
      if (!file) return undefined;
      if (file.size > MAX_TEXT_FILE_BYTES) throw codedError('io', { detail: `cannot read ${file.name}: it is larger than 100.0 MB` }, `cannot read ${file.name}: it is larger than 100.0 MB`);
      return reader.readAsText(file);
    };
    const texts = {
      config_json: text(files.config), tokenizer_json: text(files.tokenizer), vocab_json: text(files.vocab), merges_txt: text(files.merges),
    };
    let loaded = 0;
    let posted = -Infinity;
    const progress = (force = false) => {
      const now = performance.now();
      if (!force && now - posted < PROGRESS_MS) return;
      posted = now;
      self.postMessage({ event: 'loadProgress', loadId, loaded, total });
    };
    progress(true);
    // The core asks for the header, then each tensor once, straight into its place.
    // The bytes pass through one scratch buffer (as large as the largest tensor),
    // not a new one per tensor: the garbage of a 500 MB model would pile up
    // faster than the collector frees it.
    let scratch = new ArrayBuffer(0);
    const read = (offset, length) => {
      if (scratch.byteLength < length) scratch = new ArrayBuffer(length);
      const out = new Uint8Array(scratch, 0, length);
      for (let at = 0; at < length; at += READ_CHUNK) {
        const n = Math.min(READ_CHUNK, length - at);
        out.set(new Uint8Array(reader.readAsArrayBuffer(weights.slice(offset + at, offset + at + n))), at);
        loaded += n;
        progress();
      }
      return out;
    };
    const model = WasmModel.loadFolder(read, total, texts);
    scratch = null;
    progress(true);
    const entry = register(model);
    const { info } = entry;
    // The architecture as the config names it (LlamaForCausalLM and Qwen2ForCausalLM are one family in the core).
    try { info.architecture = JSON.parse(texts.config_json ?? 'null')?.architectures?.[0] ?? null; } catch { info.architecture = null; }
    if (info.tokenizer === 'bpe') {
      const table = buildTokenTable(texts);
      if (table) {
        info.tokenTable = table;
        return [entry, [table.data.buffer, table.offsets.buffer]];
      }
    }
    return [entry];
  },
  encode({ modelId, text }) {
    const ids = model(modelId).encode(text);
    return [ids, [ids.buffer]];
  },
  trace({ modelId, text, ids, keepAbove = Infinity, want = {}, replaces = null, ablate = null }) {
    const m = model(modelId);
    // The trace being replaced goes first: two big traces never share the memory.
    if (replaces !== null) ops.freeTrace({ traceId: replaces });
    const ablated = ablate?.heads?.length > 0;
    const kept = ablated ? keptAblated(m, { text, ids }, ablate) // interp/ops.js
      : ids ? m.keepTraceIds(ids) : m.keepTraceText(text);
    const reused = ablated ? 0 : m.lastReused(); // positions copied from the model's last trace (typing at the end)
    if (kept.bigBytes() <= keepAbove) {
      try {
        const [whole, transfer] = packTrace(kept.full());
        return [{ ...whole, reused }, transfer];
      } finally { kept.free(); }
    }
    const traceId = nextTraceId++;
    traces.set(traceId, kept);
    for (const [id, old] of traces) {
      if (traces.size <= MAX_KEPT) break;
      old.free();
      traces.delete(id);
    }
    const meta = kept.meta();
    const out = { ...meta, reused, traceId, ids: own(meta.ids), hidden: meta.hidden && { data: own(meta.hidden.data), shape: Array.from(meta.hidden.shape) }, thumbs: null, layers: [], rows: [] };
    const transfer = [out.ids.buffer];
    if (out.hidden) transfer.push(out.hidden.data.buffer);
    const [T] = meta.probs_shape;
    if (meta.attention_shape) {
      const [L, H] = meta.attention_shape;
      const layer = Math.min(want.layer ?? 0, L - 1);
      // Pooled straight from the wasm's memory (a view, read at once): no copy of each layer.
      out.thumbs = attentionThumbs((l) => {
        const w = kept.attentionLayerView(l); // [H, T, T]
        if (l === layer) out.layers.push([l, w.slice()]);
        return w;
      }, L, H, T);
      transfer.push(out.thumbs.data.buffer, ...out.layers.map(([, w]) => w.buffer));
    }
    const pos = Math.min(want.pos ?? T - 1, T - 1);
    out.rows.push([pos, kept.probsRow(pos)]);
    transfer.push(out.rows[0][1].buffer);
    return [out, transfer];
  },
  traceSlice({ traceId, layer, pos }) {
    const kept = keptTrace(traceId);
    const data = layer !== undefined ? kept.attentionLayer(layer) : kept.probsRow(pos);
    return [data, [data.buffer]];
  },
  traceWhole({ traceId }) {
    const kept = keptTrace(traceId);
    const bytes = kept.bigBytes();
    if (bytes > WHOLE_LIMIT) {
      throw codedError('too_big_whole', { mb: Math.round(bytes / 1e6), max_mb: WHOLE_LIMIT / 1e6 },
        `this trace holds ${Math.round(bytes / 1e6)} MB of attention and probabilities, more than the ${WHOLE_LIMIT / 1e6} MB a file export takes: export a view as SVG or PNG, trace a shorter text, or use \`glasswing trace --json\``);
    }
    return packTrace(kept.full());
  },
  freeTrace({ traceId }) {
    traces.get(traceId)?.free();
    traces.delete(traceId);
    return [true];
  },
  info({ modelId }) { return [model(modelId).info()]; },
  free({ modelId }) {
    const m = models.get(modelId);
    if (m) { m.free(); models.delete(modelId); }
    for (const [url, id] of byUrl) if (id === modelId) byUrl.delete(url);
    return [true];
  },
};

// Step-by-step generation (genOpen, genGo, genSampler, genClose): generate/ops.js.
Object.assign(ops, generationOps(model));
// Logit lens, head ablation, head scores (lens, ablate, headScores): interp/ops.js.
Object.assign(ops, interpOps(model));

// Requests run strictly one after another: each waits for the previous.
let queue = Promise.resolve();

self.onmessage = (event) => {
  const { id, op, ...args } = event.data;
  queue = queue.then(async () => {
    try {
      await ready;
      if (!(op in ops)) throw new Error(`unknown operation ${op}`);
      const [result, transfer = []] = await ops[op](args);
      self.postMessage({ id, ok: true, result }, transfer);
    } catch (e) {
      self.postMessage({ id, ok: false, ...errorReply(e) });
    }
  });
};

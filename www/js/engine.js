// A promise API over the model worker. Every method returns a promise that
// rejects with an Error carrying the core's readable message.

import { WorkerRpc } from './rpc.js';
import { keptTrace, wholeTrace } from './tracedata.js';

export class Engine extends WorkerRpc {
  constructor(workerUrl = new URL('./worker.js', import.meta.url)) {
    super(workerUrl, 'model worker');
  }

  /** Loads a shipped model by URL (fetched by the worker). -> {modelId, info} */
  loadUrl(url) { return this.call('loadUrl', { url: new URL(url, location.href).href }); }

  /**
   * Loads user bytes (ArrayBuffer or Uint8Array, handed over without a copy)
   * with an optional Hugging Face config.json text. -> {modelId, info}
   */
  loadBytes(bytes, configText) {
    const buffer = bytes instanceof ArrayBuffer ? bytes
      : bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer
        : bytes.slice().buffer;
    return this.call('loadBytes', { bytes: buffer, config: configText ?? null }, [buffer]);
  }

  /**
   * Opens a model folder ({weights: File, config?, tokenizer?, vocab?,
   * merges?: File}; files.js pickModelFiles): the worker reads the weights
   * slice by slice and calls onProgress({loaded, total}) as they come in.
   * -> {modelId, info}
   */
  loadFolder(files, onProgress) {
    const loadId = (this.loads = (this.loads ?? 0) + 1);
    const off = this.on((ev) => {
      if (ev.event === 'loadProgress' && ev.loadId === loadId) onProgress?.({ loaded: ev.loaded, total: ev.total });
    });
    return this.call('loadFolder', { files, loadId }).finally(off);
  }

  /** Text -> the model's token ids (Uint32Array). */
  encode(modelId, text) { return this.call('encode', { modelId, text }); }

  /**
   * Runs the model on text. -> a trace with accessors (tracedata.js). `opts`:
   * {keepAbove: bytes, want: {layer, pos}, replaces: traceId}: a trace whose
   * attention and probabilities take more than keepAbove bytes stays in the
   * worker, which sends the slices the views ask for (`want` comes along);
   * `replaces` is a kept trace the worker may free first.
   */
  traceText(modelId, text, opts = {}) { return this.trace({ modelId, text, ...opts }); }

  /** Runs the model on token ids (Uint32Array or number[]). -> trace, as traceText. */
  traceIds(modelId, ids, opts = {}) { return this.trace({ modelId, ids: Uint32Array.from(ids), ...opts }); }

  /**
   * `args.ablate: {heads: [[l, h]], mode: 'zero' | 'mean'}` (heads from 0):
   * the trace of the model with those heads ablated, with the plain trace of
   * the same input as its `baseline` (for the difference). The baseline is
   * kept here while the input stays the same, so ablating another head
   * traces once, not twice, and the plain trace after a reset is the kept
   * baseline itself; it is freed when the input or model changes.
   */
  async trace(args) {
    const one = async (a) => {
      const reply = await this.call('trace', a);
      return reply.traceId ? keptTrace(reply, (op, x) => this.call(op, x)) : wholeTrace(reply);
    };
    const key = `${args.modelId}|${args.keepAbove ?? ''}|${args.ids ? `ids:${Array.from(args.ids).join(',')}` : `text:${args.text}`}`;
    let cache = this.baselineCache;
    if (cache && cache.key !== key) cache = null; // freed below
    if (!args.ablate?.heads?.length) {
      if (cache) { // the plain trace is the baseline kept for this input: the caller takes it over
        this.baselineCache = null;
        if (args.replaces !== null && args.replaces !== undefined) this.call('freeTrace', { traceId: args.replaces }).catch(() => {});
        return cache.trace;
      }
      this.dropBaseline();
      return one({ ...args, ablate: null });
    }
    this.dropBaseline(key);
    const trace = await one(args);
    let baseline = this.baselineCache?.trace;
    if (!baseline) {
      try {
        baseline = await one({ ...args, ablate: null, replaces: null });
      } catch (e) { trace.free(); throw e; }
      this.baselineCache = { key, trace: baseline };
    }
    trace.ablated = { heads: args.ablate.heads.map(([l, h]) => [l, h]), mode: args.ablate.mode ?? 'zero' };
    trace.baseline = baseline;
    return trace;
  }

  /** Frees the kept baseline, unless it belongs to `key`. */
  dropBaseline(key = null) {
    const cache = this.baselineCache;
    if (!cache || cache.key === key) return;
    this.baselineCache = null;
    cache.trace.free();
  }

  // ---- interpretability (interp/ops.js; layers and heads from 0). `input`: {text} or {ids} ----

  /**
   * The logit lens, top `k` per layer and position, of the model with
   * `ablate`'s heads ({heads, mode}) ablated when given. -> {ids, layers, t, k, top_ids, top_probs}
   */
  lens(modelId, input, k = 10, ablate = null) { return this.call('lens', { modelId, ...input, k, ablate }); }

  /** Next-token probabilities {data, shape: [T, V]} with `heads` ([[l, h]]) ablated. */
  ablate(modelId, input, heads, mode = 'zero') { return this.call('ablate', { modelId, ...input, heads, mode }); }

  /** Head scores on n random ids (seeded; n 0: the CLI's default) repeated twice, or on `ids`. */
  headScores(modelId, { n = 0, seed = 0, ids = null } = {}) { return this.call('headScores', { modelId, n, seed, ids }); }

  info(modelId) { return this.call('info', { modelId }); }

  free(modelId) { return this.call('free', { modelId }); }
}

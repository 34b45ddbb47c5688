// A promise API over the model worker. Every method returns a promise that
// rejects with an Error carrying the core's readable message.

export class Engine {
  constructor(workerUrl = new URL('./worker.js', import.meta.url)) {
    this.worker = new Worker(workerUrl, { type: 'module' });
    this.pending = new Map();
    this.nextId = 1;
    this.worker.onmessage = (event) => {
      const { id, ok, result, error } = event.data;
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (ok) p.resolve(result); else p.reject(new Error(error));
    };
    // A worker that fails to start (e.g. a script error) fails every request.
    this.worker.onerror = (event) => {
      event.preventDefault();
      const err = new Error(event.message || 'the model worker failed to start');
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.broken = err;
    };
    /** Resolves once the wasm is compiled and ready. */
    this.ready = this.call('ping');
  }

  call(op, args = {}, transfer = []) {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...args }, transfer);
    });
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

  /** Runs the model on text. -> trace (flat typed arrays with shapes) */
  traceText(modelId, text) { return this.call('trace', { modelId, text }); }

  /** Runs the model on token ids (Uint32Array or number[]). -> trace */
  traceIds(modelId, ids) { return this.call('trace', { modelId, ids: Uint32Array.from(ids) }); }

  info(modelId) { return this.call('info', { modelId }); }

  free(modelId) { return this.call('free', { modelId }); }
}

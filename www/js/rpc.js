// Promise calls to a module worker: {id, op, ...args} out, {id, ok, result |
// error, code?, fields?} back. Messages without an id are events for `on()` listeners. Shared
// by the model engine (engine.js) and the training client (train/client.js).
// A failed call rejects with an Error carrying the core's `code` and `fields`
// when it has them (errors.js).

import { replyError } from './errors.js';

export class WorkerRpc {
  /** `what` names the worker in the error when it cannot start. */
  constructor(workerUrl, what) {
    this.worker = new Worker(workerUrl, { type: 'module' });
    this.pending = new Map();
    this.listeners = new Set();
    this.nextId = 1;
    this.worker.onmessage = (e) => {
      const data = e.data;
      if (data.id === undefined) {
        for (const fn of this.listeners) fn(data);
        return;
      }
      const p = this.pending.get(data.id);
      if (!p) return;
      this.pending.delete(data.id);
      if (data.ok) p.resolve(data.result); else p.reject(replyError(data));
    };
    // A worker that fails to start fails every request, and says so once.
    this.worker.onerror = (e) => {
      e.preventDefault();
      const err = new Error(e.message || `the ${what} failed to start`);
      this.broken = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      for (const fn of this.listeners) fn({ event: 'error', message: err.message });
    };
    /** Resolves once the worker's wasm is ready. */
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

  /** Calls fn(event) for every event; returns an unsubscribe function. */
  on(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
}

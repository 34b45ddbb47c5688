// Errors as values across the worker boundary. The core (src/error.rs, through
// the wasm facade) throws an Error whose `message` is its English one-line
// text, with a stable `code` ("unknown_char", "over_budget", ...) and `fields`
// (a plain object, snake_case keys). Workers post {error, code, fields};
// the page rejects with an Error carrying the same three, and i18n.js
// translateError() words it by code in the reader's language. An error
// without a code (a failed fetch, an older wasm) is shown as its message.

/** An Error with a code and fields, like the core's (for errors the page's own code raises). */
export function codedError(code, fields, message) {
  const e = new Error(message);
  e.code = code;
  e.fields = fields ?? {};
  return e;
}

/** A value that survives postMessage: Maps become objects, BigInts numbers. */
function plain(v) {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
}

/** What a worker posts for a failed request or a failed run: {error, code?, fields?}. */
export function errorReply(e) {
  const error = e instanceof Error ? e.message : typeof e === 'string' ? e : e?.message ?? String(e);
  const out = { error };
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    out.code = e.code;
    out.fields = plain(e.fields ?? {}) ?? {};
  }
  return out;
}

/** The Error a page-side call rejects with, from a worker's {error, code?, fields?}. */
export function replyError(data) {
  const e = new Error(data.error ?? data.message ?? 'unknown error');
  if (typeof data.code === 'string') {
    e.code = data.code;
    e.fields = data.fields && typeof data.fields === 'object' ? data.fields : {};
  }
  return e;
}

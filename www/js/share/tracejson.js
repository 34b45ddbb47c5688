// A trace as JSON text in the CLI's shape (`glasswing trace --json`:
// {arch, ids, tokens, token_bytes: T lists of bytes, probs: T×V,
// attention: L×H×T×T | null, hidden: L×T×Hd | null},
// nested arrays), optionally preceded by extra fields (the standalone page's
// title, text and vocab). Floats are written as the shortest decimal that
// reads back to the same f32, as Rust's serde_json does, so files stay small
// and equal the CLI's numbers. No DOM: runs in the export worker and in Node.

/** The shortest decimal that rounds to the same f32 as x (x already an f32 value). */
export function f32(x) {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return 'null'; // JSON has no NaN or infinity (serde_json writes null)
  for (let p = 1; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(Number(x.toPrecision(9)));
}

/** A row-major flat array with `shape` as nested JSON arrays. */
export function nested(data, shape) {
  if (shape.length === 0) return f32(data[0]);
  const out = [];
  const walk = (dim, offset) => {
    const n = shape[dim];
    if (dim === shape.length - 1) {
      const row = new Array(n);
      for (let k = 0; k < n; k++) row[k] = f32(data[offset + k]);
      out.push('[', row.join(','), ']');
      return;
    }
    let stride = 1;
    for (let d = dim + 1; d < shape.length; d++) stride *= shape[d];
    out.push('[');
    for (let k = 0; k < n; k++) {
      if (k) out.push(',');
      walk(dim + 1, offset + k * stride);
    }
    out.push(']');
  };
  walk(0, 0);
  return out.join('');
}

const tensor = (t) => (t ? nested(t.data, t.shape) : 'null');

/**
 * `trace`: {arch, ids, tokens, token_bytes?, probs: {data, shape}, attention, hidden} (flat
 * typed arrays, as the engine returns them). `extra`: fields written first.
 */
export function traceJson(trace, extra = null) {
  const head = extra ? Object.entries(extra).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v ?? null)},`).join('') : '';
  return `{${head}"arch":${JSON.stringify(trace.arch)},"ids":[${Array.from(trace.ids).join(',')}],`
    + `"tokens":${JSON.stringify(Array.from(trace.tokens))},`
    + (trace.token_bytes ? `"token_bytes":[${Array.from(trace.token_bytes, (b) => `[${Array.from(b).join(',')}]`).join(',')}],` : '')
    + `"probs":${tensor(trace.probs)},`
    + `"attention":${tensor(trace.attention)},"hidden":${tensor(trace.hidden)}}`;
}

/**
 * The self-contained page: the template's two placeholders filled once each,
 * by position in the template, so text that happens to contain a placeholder
 * is never touched. Every "<" in the JSON becomes \u003c, so no token (say
 * "</script>") can end the script element early.
 */
export function fillTemplate(template, renderer, json) {
  const a = template.indexOf('/*TRACE_JSON*/');
  const b = template.indexOf('/*RENDERER*/');
  if (a < 0 || b < 0 || b < a) throw new Error('the standalone template has lost its placeholders');
  return template.slice(0, a) + json.replaceAll('<', '\\u003c')
    + template.slice(a + '/*TRACE_JSON*/'.length, b) + renderer + template.slice(b + '/*RENDERER*/'.length);
}

// The files the Export menu writes: the trace as JSON (the CLI's
// `trace --json` shape), the self-contained interactive HTML page (the CLI's
// `trace --html`: www/standalone/ filled with the trace), the current view as
// SVG (svg.js) and as PNG (that SVG drawn at twice the size). JSON and HTML
// are formatted in a small worker so a long trace never freezes the page.

import { LineRaster, hexRgb } from '../lines.js';
import { buildSvg } from './svg.js';
import { topK } from '../views/bars.js';

const TEMPLATE_URL = new URL('../../standalone/template.html', import.meta.url);
const RENDERER_URL = new URL('../../standalone/renderer.js', import.meta.url);

let worker = null;
let nextId = 1;
const pending = new Map();

function format(message) {
  if (!worker) {
    worker = new Worker(new URL('./format-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      const p = pending.get(data.id);
      if (!p) return;
      pending.delete(data.id);
      if (data.ok) p.resolve(data.text); else p.reject(new Error(data.error));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      for (const p of pending.values()) p.reject(new Error(e.message || 'the export worker failed'));
      pending.clear();
      worker = null;
    };
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, ...message });
  });
}

/** Only the fields a trace file holds (the engine's trace may carry more). */
function plain(trace) {
  const { arch, ids, tokens, probs, attention, hidden } = trace;
  const tensor = (x) => x && { data: x.data, shape: x.shape }; // without the accessors (tracedata.js), which do not cross to a worker
  return { arch, ids, tokens, token_bytes: trace.token_bytes ?? null, probs: tensor(probs), attention: tensor(attention) ?? null, hidden: tensor(hidden) ?? null };
}

let sources = null;
async function standaloneSources() {
  sources ??= Promise.all([TEMPLATE_URL, RENDERER_URL].map(async (url) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${res.status} ${url.pathname}`);
    return res.text();
  })).catch((e) => { sources = null; throw e; });
  return sources;
}

/** The trace as JSON text, the shape of `glasswing trace --json`; `extra`: fields written first (`ablated`). */
export function traceJsonText(trace, extra = null) {
  return format({ op: 'json', trace: plain(trace), extra });
}

/**
 * A complete HTML page that draws the trace with no network and no wasm.
 * `view`: where it opens ({layer, heads: [on…], pos}: 0-based, pos null for
 * none), the explorer's view at the time of export.
 */
export async function standaloneHtml(trace, { title, text, vocab, tokenTable = null, view = null }) {
  const [template, renderer] = await standaloneSources();
  const extra = { title: title || 'Glasswing trace', text: text ?? '', vocab: vocab ?? null, view };
  // A Hub tokenizer has no vocabulary list: the bytes of every id the bars can show go along instead.
  if (!vocab && tokenTable) extra.token_table = barTable(trace, tokenTable);
  return format({ op: 'html', trace: plain(trace), extra, template, renderer });
}

/** {id: [bytes]} for the ids among the likeliest next tokens at any position (the standalone page's bars show ten). */
function barTable(trace, table) {
  const [T, V] = trace.probs.shape;
  const out = {};
  for (let pos = 0; pos < T; pos++) {
    // A few more than ten, so ties at the tenth place are named too.
    for (const id of topK(trace.probs.row(pos), 16)) {
      if (!(id in out) && id + 1 < table.offsets.length) out[id] = Array.from(table.data.subarray(table.offsets[id], table.offsets[id + 1]));
    }
  }
  return out;
}

/** {svg, width, height} of one view. */
export function viewSvg(view, trace, state, info, meta) {
  return buildSvg(view, trace, state, info, meta);
}

/**
 * An SVG drawn onto a canvas at `scale` device pixels per unit, as a PNG
 * blob; `lines` (the head view's, see buildSvg) drawn on top by LineRaster.
 */
export async function svgToPng({ svg, width, height, lines = null }, scale = 2) {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  if (lines?.length) {
    const r = new LineRaster(canvas.width, canvas.height);
    for (const layer of lines) {
      r.begin(hexRgb(layer.color));
      const l = layer.lines;
      for (let k = 0; k < l.length; k += 5) r.line(l[k] * scale, l[k + 1] * scale, l[k + 2] * scale, l[k + 3] * scale, l[k + 4], layer.width * scale);
    }
    const layerCanvas = document.createElement('canvas');
    layerCanvas.width = r.w;
    layerCanvas.height = r.h;
    layerCanvas.getContext('2d').putImageData(r.toImageData(), 0, 0);
    ctx.drawImage(layerCanvas, 0, 0);
  }
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the PNG'))), 'image/png');
  });
}

/** Saves a blob under `name` through a temporary link (no server involved). */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/**
 * "induction-gpt.safetensors" + "heads" + layer/head/focus -> "induction-gpt-heads-L2-P9.svg" etc.
 * (numbers from 1, as on the page; P: the focused position, when there is one).
 */
export function fileName(model, view, state, ext) {
  const stem = String(model || 'glasswing').replace(/\.safetensors$/i, '').replace(/[^\w.-]+/g, '_').slice(0, 60) || 'glasswing';
  const focus = state.hover ?? state.pos;
  const at = Number.isInteger(focus) && ['heads', 'matrix', 'model'].includes(view) ? `-P${focus + 1}` : '';
  const where = view === 'heads' ? `-L${state.layer + 1}` : view === 'matrix' ? `-L${state.layer + 1}H${state.head + 1}` : '';
  // A model with heads ablated says so (interp/state.js): "-ablated-L1H2-L1H3".
  const abl = state.ablate?.length ? `-ablated-${state.ablate.slice(0, 4).map(([l, h]) => `L${l + 1}H${h + 1}`).join('-')}${state.ablate.length > 4 ? `-and${state.ablate.length - 4}` : ''}` : '';
  return view ? `${stem}-${view}${where}${at}${abl}.${ext}` : `${stem}-trace${abl}.${ext}`;
}

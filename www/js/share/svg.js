// One view of a trace as a standalone SVG document, for papers and slides:
// the head view as lines, the attention matrix, the all-heads grid and the
// hidden state as rects, the next-token bars as rects, every token as a real
// <text> element (escaped). Colours, grouping of long inputs and the numbers
// are the live views' own (colors.js, heads.js, bars.js), so the picture
// matches the page; very large heatmaps fall back to an embedded bitmap.
// The focused position (hovered, else chosen: state.js focusPos) is kept,
// as on the page: the head view draws its lines at full strength over the
// others (one token's attention across heads), the matrix its row and
// column, the all-heads grid its row in every thumbnail. Lines are drawn
// weakest first across heads, so no head is painted over the others by its
// number.

import { DIVERGING, MASKED_RGB, SEQUENTIAL, headColor } from '../colors.js';
import { FONT_FAMILY, heatmapBitmap } from '../canvas.js';
import { percent, short } from '../format.js';
import { nextLabel, tokenLabel, tokenLabels } from '../tokentext.js';
import { t } from '../i18n.js';
import { activePos, focusPos } from '../state.js';
import { entropy, topK } from '../views/bars.js';
import { groupAttention } from '../attention.js';
import { groupSize, headOffsets } from '../views/heads.js';
import { kvGroupSize, kvHead } from '../gqa.js';

const INK = '#1b2433';
const MUTED = '#566174';
const MAX_VECTOR_CELLS = 40000; // beyond this a heatmap is embedded as a bitmap
const MIN_LINE = 0.01; // head-view lines fainter than this are left out
const FOCUS = '#d55e00'; // the focused position's outline, as on the page
const DIM = 0.12; // the other lines' strength while a position is in focus (heads.js)

/** Escapes text for XML and drops the characters XML 1.0 cannot hold. */
export function esc(s) {
  return String(s)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const n = (x) => String(Math.round(x * 100) / 100);
const rgb = (lut, x) => {
  const i = (x <= 0 ? 0 : x >= 1 ? 255 : Math.round(x * 255)) * 3;
  return `#${[lut[i], lut[i + 1], lut[i + 2]].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
};

let measureCtx = null;
/** Width of `s` at `px` in the page's font (canvas measureText), or an estimate without a DOM. */
function measure(s, px, weight = 400) {
  if (typeof document !== 'undefined') {
    measureCtx ??= document.createElement('canvas').getContext('2d');
    measureCtx.font = `${weight} ${px}px ${FONT_FAMILY}`;
    return measureCtx.measureText(s).width;
  }
  return [...s].reduce((w, c) => w + (c.codePointAt(0) > 0x2e80 ? 1 : 0.6) * px, 0);
}

/** Collects SVG elements; every attribute value and text goes through esc(). */
class Doc {
  constructor() { this.parts = []; this.defs = []; }

  attrs(a) {
    return Object.entries(a).filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => ` ${k}="${esc(typeof v === 'number' ? n(v) : v)}"`).join('');
  }

  el(tag, a = {}) { this.parts.push(`<${tag}${this.attrs(a)}/>`); }
  open(tag, a = {}) { this.parts.push(`<${tag}${this.attrs(a)}>`); }
  close(tag) { this.parts.push(`</${tag}>`); }

  text(x, y, s, { size = 13, anchor, weight, fill = INK, rotate, cls } = {}) {
    const a = { x, y, 'font-size': size, 'text-anchor': anchor, 'font-weight': weight, fill, class: cls };
    if (rotate) a.transform = `rotate(${rotate} ${n(x)} ${n(y)})`;
    this.parts.push(`<text${this.attrs(a)}>${esc(s)}</text>`);
  }

  rect(x, y, w, h, fill, extra = {}) { this.el('rect', { x, y, width: w, height: h, fill, ...extra }); }

  /**
   * A rows×cols heatmap at (x, y), cells cw×ch: one rect per cell (masked
   * cells left out, drawn by the caller), or one embedded bitmap when huge.
   */
  heatmap(x, y, cw, ch, rows, cols, valueAt, lut, mask = null) {
    if (rows * cols > MAX_VECTOR_CELLS && typeof document !== 'undefined') {
      const data = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = valueAt(r, c);
      const bitmap = heatmapBitmap(data, 0, rows, cols, lut, (v) => v, mask, MASKED_RGB);
      this.el('image', {
        x, y, width: cw * cols, height: ch * rows, preserveAspectRatio: 'none',
        style: 'image-rendering:pixelated', href: bitmap.toDataURL('image/png'),
      });
      return;
    }
    this.open('g', { 'shape-rendering': 'crispEdges' });
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if (mask && mask(r, c)) continue;
        // Slightly oversized cells hide hairline seams between neighbours.
        this.rect(x + c * cw, y + r * ch, cw + 0.3, ch + 0.3, rgb(lut, valueAt(r, c)));
      }
    }
    this.close('g');
  }

  gradient(id, lut, stops = 9) {
    const s = Array.from({ length: stops }, (_, k) => `<stop offset="${n(k / (stops - 1))}" stop-color="${rgb(lut, k / (stops - 1))}"/>`).join('');
    this.defs.push(`<linearGradient id="${esc(id)}" x1="0" x2="1" y1="0" y2="0">${s}</linearGradient>`);
  }

  toString(width, height, title) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}"`
      + ` font-family="${esc(FONT_FAMILY)}" role="img" aria-label="${esc(title)}">`
      + `<title>${esc(title)}</title>${this.defs.length ? `<defs>${this.defs.join('')}</defs>` : ''}`
      + `<rect width="100%" height="100%" fill="#fff"/>${this.parts.join('')}</svg>`;
  }
}

const PAD = 20;

/** Title and subtitle; returns the y where the picture starts. */
function header(doc, title, subtitle) {
  doc.minWidth = 2 * PAD + Math.max(measure(title, 17, 700), subtitle ? measure(subtitle, 12.5) : 0);
  doc.text(PAD, PAD + 14, title, { size: 17, weight: 700 });
  if (subtitle) doc.text(PAD, PAD + 34, subtitle, { size: 12.5, fill: MUTED });
  return PAD + (subtitle ? 50 : 28);
}

function headLegend(doc, x, y, H, on) {
  for (let h = 0; h < H; h++) {
    if (!on[h]) continue;
    doc.rect(x, y - 9, 14, 10, headColor(h), { rx: 2 });
    doc.text(x + 18, y, t('headN', { n: h + 1 }), { size: 12, fill: headColor(h), weight: 600 });
    x += 30 + measure(t('headN', { n: h + 1 }), 12, 600);
  }
}

function headsSvg(doc, trace, state, sub) {
  const [, H, T] = trace.attention.shape;
  const on = Array.from({ length: H }, (_, h) => state.headsOn?.[h] ?? true);
  const head = (h) => trace.attention.head(state.layer, h); // [T, T] (menu.js waits for the layer)
  const labels = tokenLabels(trace);
  const rowH = Math.max(4, Math.min(24, 720 / T));
  const fontPx = Math.max(8, Math.min(15, rowH * 0.68));
  const labelW = Math.min(160, Math.ceil(Math.max(...labels.map((s) => measure(s, fontPx, 700)))) + 12);
  const span = 280;
  const width = PAD * 2 + labelW * 2 + span;
  const focus = focusPos(state, T);
  const title = `${t('headView')} · ${t('layerN', { n: state.layer + 1 })}`;
  let top = header(doc, focus === null ? title : `${title} · ${t('exportFocus', { tok: labels[focus], n: focus + 1 })}`, sub);
  headLegend(doc, PAD, top + 4, H, on);
  top += 20;
  const x0 = PAD + labelW;
  const x1 = x0 + span;
  const b = groupSize(T, Math.max(1, on.filter(Boolean).length));
  const g = Math.ceil(T / b);
  const yc = (I) => top + (I * b + Math.min(b, T - I * b) / 2) * rowH;
  const yRow = (i) => top + (i + 0.5) * rowH;
  if (focus !== null) { // the focused row's band on both sides, as on the page
    const hh = Math.max(rowH, fontPx + 4);
    doc.rect(PAD, yRow(focus) - hh / 2, labelW, hh, FOCUS, { 'fill-opacity': 0.14, class: 'focus-band' });
    doc.rect(x1, yRow(focus) - hh / 2, labelW, hh, FOCUS, { 'fill-opacity': 0.14, class: 'focus-band' });
  }
  const lineW = rowH >= 16 ? 2 : 1.2;
  const thick = Math.max(1.5, Math.min(3, rowH / 7));
  // The lines of every enabled head: `fn(h, line)` calls line(x0, y0, x1, y1, opacity) for head h.
  // In the SVG one group holds every head's lines, weakest first, so the strongest
  // attention lies on top whichever head it belongs to (no head always painted over
  // the others). For a PNG the lines are kept as numbers per head and drawn by
  // LineRaster (exports.js), which blends heads without an order: thousands of
  // translucent SVG strokes take the browser seconds to rasterise.
  const group = (w, cls, fn) => {
    if (doc.rasterLines) {
      for (let h = 0; h < H; h++) {
        if (!on[h]) continue;
        const raster = { color: headColor(h), width: w, lines: [] };
        fn(h, (ax, ay, bx, by, a) => raster.lines.push(ax, ay, bx, by, a));
        doc.rasterLines.push(raster);
      }
      return;
    }
    const all = [];
    for (let h = 0; h < H; h++) if (on[h]) fn(h, (ax, ay, bx, by, a) => all.push([a, h, ax, ay, bx, by]));
    all.sort((p, q) => p[0] - q[0]);
    doc.open('g', { 'stroke-width': w, 'stroke-linecap': 'round', class: cls });
    for (const [a, h, ax, ay, bx, by] of all) {
      doc.el('line', { x1: ax, y1: ay, x2: bx, y2: by, stroke: headColor(h), 'stroke-opacity': a.toFixed(3), 'data-head': String(h) });
    }
    doc.close('g');
  };
  const dim = focus === null ? 1 : DIM;
  group(lineW, 'lines', (h, line) => {
    const w = b === 1 ? head(h) : groupAttention(head(h), T, b);
    for (let I = 0; I < g; I++) {
      for (let J = 0; J <= I; J++) {
        const wt = Math.min(1, w[I * g + J]);
        if (wt >= MIN_LINE) line(x0, yc(I), x1, yc(J), wt * dim);
      }
    }
  });
  if (focus !== null) { // lines out of the focused position (left) and into it (right), at full strength
    const dy = headOffsets(on, thick, rowH); // heads side by side, so lines that coincide stay apart
    group(thick, 'focus-lines', (h, line) => {
      const w = head(h);
      for (let j = 0; j <= focus; j++) {
        const wt = w[focus * T + j];
        if (wt >= MIN_LINE) line(x0, yRow(focus) + dy[h], x1, yRow(j) + dy[h], Math.min(1, wt));
      }
      for (let i = focus + 1; i < T; i++) {
        const wt = w[i * T + focus];
        if (wt >= MIN_LINE) line(x0, yRow(i) + dy[h], x1, yRow(focus) + dy[h], Math.min(1, wt));
      }
    });
  }
  const selected = activePos({ ...state, hover: null }, T);
  const stride = Math.max(1, Math.ceil((fontPx + 1) / rowH));
  for (let i = 0; i < T; i++) {
    if (i % stride !== 0 && i !== selected && i !== focus) continue;
    const y = yRow(i) + fontPx * 0.35;
    const weight = i === selected || i === focus ? 700 : 400;
    doc.text(x0 - 6, y, labels[i], { size: fontPx, anchor: 'end', weight, cls: 'tok' });
    doc.text(x1 + 6, y, labels[i], { size: fontPx, weight, cls: 'tok' });
  }
  return { width, height: top + T * rowH + PAD };
}

function matrixSvg(doc, trace, state, sub) {
  const T = trace.attention.shape[2];
  const w = trace.attention.head(state.layer, state.head); // [T, T]
  const labels = tokenLabels(trace);
  const cell = Math.max(2, Math.min(32, 560 / T));
  const fontPx = Math.max(7, Math.min(15, cell * 0.62));
  const widest = Math.min(90, Math.max(...labels.map((s) => measure(s, fontPx, 700))));
  const upright = widest <= cell * 1.1;
  const axisPx = 12.5;
  const left = PAD + axisPx + 8 + Math.ceil(widest) + 10; // room for the rows' axis title, then the labels
  const focus = focusPos(state, T);
  const base0 = `${t('matrix')} · ${t('layerHead', { l: state.layer + 1, h: state.head + 1 })}`;
  const title = focus === null ? base0 : `${base0} · ${t('exportFocus', { tok: labels[focus], n: focus + 1 })}`;
  const size = cell * T;
  const keyTitle = `${t('matrixAxisKey')} →`;
  const queryTitle = `${t('matrixAxisQuery')} →`;
  const width = Math.max(left + size + PAD, PAD * 2 + measure(title, 17, 700), left + measure(keyTitle, axisPx, 600) + PAD);
  let top = header(doc, title, sub);
  // Axis titles: the columns' along the top, the rows' up the left side (reading downwards).
  doc.text(left, top + axisPx, keyTitle, { size: axisPx, weight: 600, fill: MUTED, cls: 'axis-title axis-key' });
  top += axisPx + 8;
  top += upright ? fontPx + 8 : Math.ceil(widest) + 8;
  doc.text(PAD + axisPx, top, queryTitle, { size: axisPx, weight: 600, fill: MUTED, rotate: 90, cls: 'axis-title axis-query' });
  doc.heatmap(left, top, cell, cell, T, T, (i, j) => w[i * T + j], SEQUENTIAL, (i, j) => j > i);
  // The future (j > i) as one grey staircase.
  if (T > 1) {
    const pts = [[left + cell, top], [left + size, top], [left + size, top + (T - 1) * cell]];
    for (let k = T - 1; k >= 1; k--) pts.push([left + k * cell, top + k * cell], [left + k * cell, top + (k - 1) * cell]);
    doc.el('polygon', { points: pts.map(([x, y]) => `${n(x)},${n(y)}`).join(' '), fill: `rgb(${MASKED_RGB.join(',')})`, class: 'masked' });
  }
  doc.rect(left - 0.5, top - 0.5, size + 1, size + 1, 'none', { stroke: 'rgba(0,0,0,0.25)' });
  if (focus !== null) { // what the focused position attends to (row), and what attends to it (column, dashed)
    doc.rect(left, top + focus * cell, size, cell, 'none', { stroke: FOCUS, 'stroke-width': 2, class: 'focus-row' });
    doc.rect(left + focus * cell, top, cell, size, 'none', { stroke: FOCUS, 'stroke-width': 2, 'stroke-dasharray': '4 3', class: 'focus-col' });
  }
  const stride = Math.max(1, Math.ceil((fontPx + 2) / cell));
  const selected = activePos({ ...state, hover: null }, T);
  for (let i = 0; i < T; i++) {
    if (i % stride !== 0 && i !== selected && i !== focus) continue;
    const strong = i === selected || i === focus;
    const weight = strong ? 700 : 400;
    const fill = strong ? headColor(state.head) : INK;
    const c = top + (i + 0.5) * cell;
    doc.text(left - 6, c + fontPx * 0.35, labels[i], { size: fontPx, anchor: 'end', weight, fill, cls: 'tok' });
    const x = left + (i + 0.5) * cell;
    if (upright) doc.text(x, top - 6, labels[i], { size: fontPx, anchor: 'middle', weight, fill, cls: 'tok' });
    else doc.text(x + fontPx * 0.35, top - 6, labels[i], { size: fontPx, weight, fill, rotate: -90, cls: 'tok' });
  }
  const ly = top + size + 22;
  doc.gradient('gw-seq', SEQUENTIAL);
  doc.text(left, ly + 10, '0', { size: 12, fill: MUTED, anchor: 'end' });
  doc.rect(left + 6, ly, 140, 12, 'url(#gw-seq)', { stroke: '#dfe4eb' });
  doc.text(left + 152, ly + 10, `1  ${t('weight')}`, { size: 12, fill: MUTED });
  return { width, height: ly + 12 + PAD };
}

/** A title, with the focused position named when there is one. */
function focus0(state, trace, title) {
  const f = focusPos(state, trace.ids.length);
  return f === null ? title : `${title} · ${t('exportFocus', { tok: tokenLabel(trace, f), n: f + 1 })}`;
}

function modelSvg(doc, trace, state, info, sub) {
  const [L, H, T] = trace.attention.shape;
  const { b, n: cells, data } = trace.attention.thumbs; // [L, H, cells, cells], b tokens a cell (attention.js)
  const size = Math.max(60, Math.min(130, 560 / H));
  const gap = 14;
  // Grouped-query attention: the query heads of one key/value head under a bracket, groups set apart (as the page's grid).
  const g = kvGroupSize(info, H);
  const kvGap = g ? 18 : 0;
  const rowLabel = Math.ceil(Math.max(...Array.from({ length: L }, (_, l) => measure(t('layerN', { n: l + 1 }), 13, 600)))) + 12;
  const left = PAD + rowLabel;
  const xOf = (h) => left + h * (size + gap) + (g ? kvHead(h, g) * kvGap : 0);
  const caption = g ? t('kvCaption', { q: H, kv: H / g }) : '';
  const width = Math.max(xOf(H - 1) + size + gap + PAD, PAD * 2 + 300, g ? PAD * 2 + measure(caption, 12.5) : 0);
  let top = header(doc, focus0(state, trace, t('modelView')), sub) + 6;
  if (g) {
    for (let k = 0; k < H / g; k++) {
      const x0 = xOf(k * g) + 2;
      const x1 = xOf((k + 1) * g - 1) + size - 2;
      doc.open('g', { class: 'kv-group', 'data-kv': k + 1 });
      doc.text((x0 + x1) / 2, top, t('kvN', { n: k + 1 }), { size: 12, anchor: 'middle', weight: 600, fill: MUTED });
      doc.el('path', { d: `M${n(x0)} ${n(top + 12)}V${n(top + 6)}H${n(x1)}V${n(top + 12)}`, fill: 'none', stroke: '#9aa5b5', 'stroke-width': 2 });
      doc.close('g');
    }
    top += 27;
  }
  for (let h = 0; h < H; h++) doc.text(xOf(h) + size / 2, top, t('headN', { n: h + 1 }), { size: 13, anchor: 'middle', weight: 600, fill: headColor(h) });
  top += 10;
  const cell = size / cells;
  const focus = focusPos(state, T);
  for (let l = 0; l < L; l++) {
    const y = top + l * (size + gap);
    doc.text(PAD, y + size / 2 + 4, t('layerN', { n: l + 1 }), { size: 13, weight: 600, fill: MUTED });
    for (let h = 0; h < H; h++) {
      const x = xOf(h);
      const base = (l * H + h) * cells * cells;
      doc.rect(x, y, size, size, `rgb(${MASKED_RGB.join(',')})`);
      doc.heatmap(x, y, cell, cell, cells, cells, (i, j) => data[base + i * cells + j], SEQUENTIAL, (i, j) => j > i);
      if (l === state.layer && h === state.head) doc.rect(x - 3, y - 3, size + 6, size + 6, 'none', { stroke: headColor(h), 'stroke-width': 2.5, rx: 4 });
      if (focus !== null) doc.rect(x + 0.75, y + Math.floor(focus / b) * cell, size - 1.5, Math.max(cell, 1.5), 'none', { stroke: FOCUS, 'stroke-width': 1.5, class: 'focus-row' });
    }
  }
  let height = top + L * (size + gap) + PAD;
  if (g) {
    doc.text(PAD, height - PAD + 4, caption, { size: 12.5, fill: MUTED, cls: 'kv-caption' });
    height += 14;
  }
  return { width, height };
}

function barsSvg(doc, trace, state, info, sub) {
  const [T, V] = trace.probs.shape;
  const pos = activePos(state, T); // as on the page: hovered, else chosen, else the last
  const p = trace.probs.row(pos); // [V]
  const label = (v) => nextLabel(info, trace, pos, v);
  const k = Math.min(state.topK ?? 10, V);
  const top = topK(p, k);
  const next = pos + 1 < T ? trace.ids[pos + 1] : -1;
  const rows = top.map((v) => ({ label: label(v), p: p[v], actual: v === next }));
  if (k < V) rows.push({ label: t('other', { n: V - k }), p: Math.max(0, 1 - top.reduce((s, v) => s + p[v], 0)), other: true });
  const labelW = Math.min(200, Math.ceil(Math.max(...rows.map((r) => measure(r.label, r.other ? 12 : 15)))) + 12);
  const track = 300;
  const rowH = 26;
  const after = t('barsAfter', { tok: tokenLabel(trace, pos), n: pos + 1 });
  const width = Math.max(PAD * 2 + labelW + track + 80, PAD * 2 + measure(after, 14, 600));
  let y = header(doc, t('bars'), sub);
  doc.text(PAD, y + 4, after, { size: 14, weight: 600 });
  y += 16;
  for (const r of rows) {
    const x = PAD + labelW;
    doc.text(x - 8, y + rowH / 2 + 5, r.label, { size: r.other ? 12 : 15, anchor: 'end', fill: r.other ? MUTED : INK, cls: r.other ? 'other' : 'tok' });
    doc.rect(x, y + 5, track, rowH - 10, '#eef1f5', { rx: 3 });
    const fill = r.actual ? '#d55e00' : r.other ? '#9aa5b5' : '#0072b2';
    doc.rect(x, y + 5, Math.max(1, track * Math.min(1, r.p)), rowH - 10, fill, { rx: 3, 'data-p': String(r.p) });
    doc.text(x + track + 8, y + rowH / 2 + 5, percent(r.p), { size: 13 });
    y += rowH;
  }
  const h = entropy(p);
  doc.text(PAD, y + 20, `${t('entropy')}: ${t('entropyValue', { nats: short(h), bits: short(h / Math.LN2) })}`, { size: 13, weight: 600 });
  return { width, height: y + 20 + PAD };
}

function hiddenSvg(doc, trace, state, info, sub) {
  const [L, T, D] = trace.hidden.shape;
  const data = trace.hidden.data;
  const labels = tokenLabels(trace);
  const tanh = (info?.config?.nonlinearity ?? 'tanh') === 'tanh';
  const rowH = Math.max(3, Math.min(22, 320 / T));
  const colW = Math.max(2, Math.min(14, 640 / D));
  const fontPx = Math.max(7, Math.min(14, rowH * 0.7));
  const left = PAD + Math.ceil(Math.min(80, Math.max(...labels.map((s) => measure(s, fontPx, 700))))) + 10;
  const width = Math.max(left + colW * D + PAD, PAD * 2 + 320);
  let y = header(doc, t('hidden'), sub);
  doc.gradient('gw-div', DIVERGING);
  const selected = activePos({ ...state, hover: null }, T);
  for (let l = 0; l < L; l++) {
    const offset = l * T * D;
    let max = 0;
    for (let q = offset; q < offset + T * D; q++) max = Math.max(max, Math.abs(data[q]));
    const range = tanh ? 1 : max || 1;
    doc.text(PAD, y + 6, t('hiddenLayer', { n: l + 1, t: T, d: D }), { size: 13, weight: 600 });
    y += 14;
    doc.heatmap(left, y, colW, rowH, T, D, (i, u) => (data[offset + i * D + u] / range + 1) / 2, DIVERGING);
    const stride = Math.max(1, Math.ceil((fontPx + 1) / rowH));
    for (let i = 0; i < T; i++) {
      if (i % stride !== 0 && i !== selected) continue;
      doc.text(left - 6, y + (i + 0.5) * rowH + fontPx * 0.35, labels[i], { size: fontPx, anchor: 'end', weight: i === selected ? 700 : 400, cls: 'tok' });
    }
    y += T * rowH + 8;
    doc.text(left, y + 10, `-${short(range, 2)}`, { size: 11, fill: MUTED, anchor: 'end' });
    doc.rect(left + 6, y, 140, 12, 'url(#gw-div)', { stroke: '#dfe4eb' });
    doc.text(left + 152, y + 10, `+${short(range, 2)}`, { size: 11, fill: MUTED });
    y += 34;
  }
  return { width, height: y + PAD - 14 };
}

/** The views that apply to a trace, in menu order. */
export function viewsFor(trace) {
  return trace?.attention ? ['heads', 'matrix', 'model', 'bars'] : ['hidden', 'bars'];
}

/**
 * -> {svg, width, height, lines}. `subtitle`: a line under the title (model
 * and text). `forRaster`: the head view's lines come back in `lines`
 * ([{color, width, lines: [x0, y0, x1, y1, opacity, …]}]) instead of the SVG.
 * Throws for a view the trace cannot show (e.g. heads of an RNN).
 */
export function buildSvg(view, trace, state, info, { subtitle = '', forRaster = false } = {}) {
  if (!viewsFor(trace).includes(view)) throw new Error(`no ${view} view for this model`);
  const doc = new Doc();
  if (forRaster) doc.rasterLines = [];
  const titles = { heads: 'headView', matrix: 'matrix', model: 'modelView', bars: 'bars', hidden: 'hidden' };
  const size = view === 'heads' ? headsSvg(doc, trace, state, subtitle)
    : view === 'matrix' ? matrixSvg(doc, trace, state, subtitle)
      : view === 'model' ? modelSvg(doc, trace, state, info, subtitle)
        : view === 'bars' ? barsSvg(doc, trace, state, info, subtitle)
          : hiddenSvg(doc, trace, state, info, subtitle);
  const width = Math.ceil(Math.max(size.width, doc.minWidth ?? 0));
  const height = Math.ceil(size.height);
  const svg = doc.toString(width, height, `${t(titles[view])}${subtitle ? ` · ${subtitle}` : ''}`);
  return { svg, width, height, lines: doc.rasterLines ?? null };
}

// Attention matrix: the T×T weights of the focused layer and head as a
// heatmap, rows = query positions, columns = key positions, token labels on
// both axes. The image is built once per (trace, layer, head) at one pixel per
// cell and scaled up, so pointer moves only redraw the outline on top.

import { MASKED_RGB, SEQUENTIAL, headColor } from '../colors.js';
import { CAUSAL, IDENTITY, bandIndex, blit, fitText, font, heatmapBitmap, labelStride, localPoint, setupCanvas, viewScale } from '../canvas.js';
import { fixed } from '../format.js';
import { tokenLabels } from '../tokentext.js';
import { t } from '../i18n.js';
import { kvGroupSize } from '../gqa.js';
import { activePos, focusPos } from '../state.js';
import { pointerMoved } from '../pointer.js';
import { headPicker, layerPicker } from './controls.js';

export class MatrixView {
  constructor(el, store, schedule) {
    this.el = el;
    this.store = store;
    this.layerEl = el.querySelector('.layer-picker');
    this.headEl = el.querySelector('.head-picker');
    this.canvas = el.querySelector('canvas');
    this.readout = el.querySelector('.readout');
    this.bitmap = document.createElement('canvas');
    this.bitmapKey = null;
    this.cell = null; // [i, j] under the pointer
    this.canvas.addEventListener('pointermove', (e) => {
      if (!pointerMoved(e)) return; // the page scrolled under a still pointer
      this.cell = this.cellAt(e);
      store.set({ hover: this.cell ? this.cell[0] : null });
      schedule();
    });
    this.canvas.addEventListener('pointerleave', () => {
      this.cell = null;
      store.set({ hover: null });
      schedule();
    });
    this.canvas.addEventListener('click', (e) => {
      const c = this.cellAt(e);
      if (c) store.set({ pos: store.state.pos === c[0] ? null : c[0] }); // a second click lets go
    });
  }

  cellAt(e) {
    const g = this.geom;
    if (!g) return null;
    const [x, y] = localPoint(e, this.canvas);
    const i = bandIndex(y, g.top, g.cell, g.T);
    const j = bandIndex(x, g.left, g.cell, g.T);
    return i >= 0 && j >= 0 ? [i, j] : null;
  }

  /** The matrix box's max-height in pixels (the page's scrollers: 70% of the window), or 0 for none. */
  maxHeight() {
    return parseFloat(getComputedStyle(this.el.querySelector('.matrix-box')).maxHeight) || 0;
  }

  layout(trace, maxHeight = this.maxHeight()) {
    const T = trace.tokens.length;
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(260, this.el.querySelector('.matrix-box').clientWidth);
    // Cell size from a first guess at the label margin, then whole device pixels.
    const k = viewScale(); // presenter mode: bigger cells and labels
    const guess = Math.min(width - 40, 680 * k) / T;
    // Labels at least 9 px, 14 in presenter mode (read from the back of a room): where cells are
    // smaller than that, every other label (or fewer) is drawn, and the ones in focus always.
    const fontPx = Math.max(Math.ceil(9 * k), Math.min(16 * k, Math.round(guess * 0.62)));
    const ctx = this.canvas.getContext('2d');
    ctx.font = font(fontPx, 700); // measured in bold: the focused label is drawn bold
    const labels = tokenLabels(trace);
    const widest = Math.min(90, Math.max(...labels.map((s) => ctx.measureText(s).width)));
    const left = Math.ceil(widest) + 12;
    // As wide as the box, and no taller than it may be (a box with a max-height, as the page's
    // scrollers have, would otherwise scroll the rows the lesson talks about out of sight).
    let avail = Math.min(width - left - 8, 680 * k);
    if (maxHeight > 0) avail = Math.max(T, Math.min(avail, maxHeight - Math.ceil(Math.max(widest, fontPx)) - 20));
    // Whole device pixels per cell, and no giant cells for a handful of tokens.
    const cell = Math.min(64 * k, Math.max(1, Math.floor((avail * dpr) / T)) / dpr);
    // Column labels stand upright when they fit their cell, or when cells are tiny and the labels
    // one character (drawn sparse); longer labels (subword tokens, `我 1/3`) turn on their side.
    const upright = widest <= cell * 1.1 || (cell < fontPx && widest <= fontPx * 1.3);
    const top = upright ? fontPx + 10 : Math.ceil(widest) + 10;
    const size = cell * T;
    return { T, labels, fontPx, left, top, cell, size, upright, width: left + size + 8, height: top + size + 8 };
  }

  render(trace, state, info) {
    const att = trace.attention;
    if (!att) return;
    const [L, H, T] = att.shape;
    layerPicker(this.layerEl, L, state, this.store);
    headPicker(this.headEl, H, state, this.store, kvGroupSize(info, H));

    const width = this.el.querySelector('.matrix-box').clientWidth;
    const maxHeight = this.maxHeight();
    if (!this.geom || this.geomTrace !== trace || this.geomWidth !== width || this.geomMaxHeight !== maxHeight) {
      this.geom = this.layout(trace, maxHeight);
      this.geomTrace = trace;
      this.geomWidth = width;
      this.geomMaxHeight = maxHeight;
    }
    const g = this.geom;
    const key = `${state.layer}|${state.head}`;
    const head = att.head(state.layer, state.head); // [T, T], null while on its way
    this.el.dataset.loading = String(!head);
    if (head && (this.bitmapTrace !== trace || this.bitmapKey !== key)) {
      heatmapBitmap(head, 0, T, T, SEQUENTIAL, IDENTITY, CAUSAL, MASKED_RGB, this.bitmap);
      this.bitmapTrace = trace;
      this.bitmapKey = key;
    }
    this.canvas.dataset.layer = String(state.layer);
    this.canvas.dataset.head = String(state.head);
    this.canvas.dataset.t = String(T);
    // Where cell (i, j) is drawn, in CSS pixels: x = left + j*cell, y = top + i*cell.
    Object.assign(this.canvas.dataset, { left: g.left, top: g.top, cell: g.cell });
    this.canvas.setAttribute('aria-label', `${t('matrix')}: ${t('layerHead', { l: state.layer + 1, h: state.head + 1 })}`);

    const ctx = setupCanvas(this.canvas, g.width, g.height);
    if (head) blit(ctx, this.bitmap, g.left, g.top, g.size, g.size);
    ctx.strokeStyle = 'rgba(0,0,0,0.18)';
    ctx.lineWidth = 1;
    ctx.strokeRect(g.left - 0.5, g.top - 0.5, g.size + 1, g.size + 1);

    const hover = focusPos(state, T); // hovered, else a chosen position keeps its crosshair
    const selected = activePos({ ...state, hover: null }, T);
    // The key the focused row looks at most: its column keeps its label when labels are sparse.
    let looked = null;
    if (hover !== null && head) {
      looked = 0;
      for (let j = 1; j <= hover; j++) if (head[hover * T + j] > head[hover * T + looked]) looked = j;
    }
    this.drawLabels(ctx, g, hover, selected, headColor(state.head), looked);
    if (hover !== null) this.drawCrosshair(ctx, g, hover);
    this.updateReadout(trace, state, g);
  }

  /**
   * Row and column labels: all of them where cells are as tall as the type, else every
   * `stride`-th, always the hovered / selected position and the column of `key`, and no
   * plain label close enough to overlap one of those.
   */
  drawLabels(ctx, g, hover, selected, accent, key = null) {
    const stride = labelStride(g.cell, g.fontPx + 2);
    const rowStrong = [hover, selected].filter((i) => i !== null);
    const colStrong = key === null ? rowStrong : [...rowStrong, key];
    const plain = (i, strong) => i % stride === 0 && !strong.some((s) => s !== i && Math.abs(s - i) < stride);
    ctx.textBaseline = 'middle';
    const cols = [];
    for (let i = 0; i < g.T; i++) {
      const strongRow = rowStrong.includes(i);
      const strongCol = colStrong.includes(i);
      const drawRow = strongRow || plain(i, rowStrong);
      const drawCol = strongCol || plain(i, colStrong);
      if (!drawRow && !drawCol) continue;
      ctx.font = font(g.fontPx, strongRow ? 700 : 400);
      ctx.fillStyle = strongRow ? accent : '#2d3748';
      const c = g.top + (i + 0.5) * g.cell;
      const s = fitText(ctx, g.labels[i], g.left - 8);
      ctx.textAlign = 'right';
      if (drawRow) ctx.fillText(s, g.left - 6, c); // row (query)
      if (!drawCol) continue;
      cols.push(i);
      ctx.font = font(g.fontPx, strongCol ? 700 : 400);
      ctx.fillStyle = strongCol ? accent : '#2d3748';
      const x = g.left + (i + 0.5) * g.cell;
      if (g.upright) {
        ctx.textAlign = 'center';
        ctx.fillText(s, x, g.top - g.fontPx / 2 - 4);
      } else {
        ctx.save();
        ctx.translate(x, g.top - 6);
        ctx.rotate(-Math.PI / 2);
        ctx.textAlign = 'left';
        ctx.fillText(s, 0, 0);
        ctx.restore();
      }
    }
    this.canvas.dataset.font = String(g.fontPx);
    this.canvas.dataset.colLabels = cols.join(','); // which columns are labelled (0-based)
  }

  drawCrosshair(ctx, g, i) {
    ctx.save();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#d55e00';
    ctx.strokeRect(g.left, g.top + i * g.cell, g.size, g.cell); // what i attends to
    ctx.setLineDash([4, 3]);
    ctx.strokeRect(g.left + i * g.cell, g.top, g.cell, g.size); // what attends to i
    ctx.restore();
    if (this.cell) {
      const [ci, cj] = this.cell;
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#111';
      ctx.strokeRect(g.left + cj * g.cell - 1, g.top + ci * g.cell - 1, g.cell + 2, g.cell + 2);
    }
  }

  updateReadout(trace, state, g) {
    if (!this.cell) { this.readout.textContent = '\u00a0'; return; }
    const [i, j] = this.cell;
    const T = trace.attention.shape[2];
    const head = trace.attention.head(state.layer, state.head); // [T, T]
    if (!head) { this.readout.textContent = '\u00a0'; return; }
    const w = j > i ? 0 : head[i * T + j];
    this.readout.textContent = t('cellReadout', { q: g.labels[i], i: i + 1, k: g.labels[j], j: j + 1, w: fixed(w, 3) });
  }
}

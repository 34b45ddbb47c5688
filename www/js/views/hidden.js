// Hidden state (RNN): one T×Hd heatmap per layer, rows = steps (labelled
// with their tokens), columns = hidden units, diverging colours around zero.
// tanh states are drawn on their fixed range [-1, 1]; relu states on
// [-max, max] of that layer, so colours compare across steps.

import { DIVERGING, lutGradient } from '../colors.js';
import { bandIndex, blit, fitText, font, heatmapBitmap, labelStride, localPoint, setupCanvas, viewScale } from '../canvas.js';
import { fixed } from '../format.js';
import { tokenLabels } from '../tokentext.js';
import { t } from '../i18n.js';
import { activePos, focusPos } from '../state.js';
import { pointerMoved } from '../pointer.js';

export class HiddenView {
  constructor(el, store, schedule) {
    this.el = el;
    this.store = store;
    this.schedule = schedule;
    this.list = el.querySelector('.hidden-layers');
    this.readout = el.querySelector('.readout');
    this.layers = []; // [{wrap, title, canvas, legend, bitmap, geom}]
    this.bitmapTrace = null;
    this.cell = null; // [layer, step, unit] under the pointer
  }

  build(L) {
    if (this.layers.length === L) return;
    this.list.replaceChildren();
    this.layers = Array.from({ length: L }, (_, l) => {
      const wrap = document.createElement('figure');
      wrap.className = 'hidden-layer';
      const title = document.createElement('figcaption');
      const scroller = document.createElement('div');
      scroller.className = 'scroller';
      const canvas = document.createElement('canvas');
      canvas.dataset.layer = String(l);
      scroller.append(canvas);
      const legend = document.createElement('div');
      legend.className = 'legend';
      const lo = document.createElement('span');
      const bar = document.createElement('span');
      bar.className = 'legend-bar';
      bar.style.background = lutGradient(DIVERGING);
      const hi = document.createElement('span');
      legend.append(lo, bar, hi);
      wrap.append(title, scroller, legend);
      this.list.append(wrap);
      const entry = { wrap, title, canvas, legend, lo, hi, bitmap: document.createElement('canvas'), geom: null };
      canvas.addEventListener('pointermove', (e) => {
        if (!pointerMoved(e)) return; // the page scrolled under a still pointer
        const c = this.cellAt(entry, e);
        this.cell = c && [l, ...c];
        this.store.set({ hover: c ? c[0] : null });
        this.schedule();
      });
      canvas.addEventListener('pointerleave', () => {
        this.cell = null;
        this.store.set({ hover: null });
        this.schedule();
      });
      canvas.addEventListener('click', (e) => {
        const c = this.cellAt(entry, e);
        if (c) this.store.set({ pos: this.store.state.pos === c[0] ? null : c[0] }); // a second click lets go
      });
      return entry;
    });
  }

  cellAt(entry, e) {
    const g = entry.geom;
    if (!g) return null;
    const [x, y] = localPoint(e, entry.canvas);
    const i = bandIndex(y, g.top, g.rowH, g.T);
    const u = bandIndex(x, g.left, g.colW, g.D);
    return i >= 0 && u >= 0 ? [i, u] : null;
  }

  render(trace, state, info) {
    const hid = trace.hidden;
    if (!hid) return;
    const [L, T, D] = hid.shape;
    this.build(L);
    const tanh = (info.config?.nonlinearity ?? 'tanh') === 'tanh';
    const labels = tokenLabels(trace);
    const hover = focusPos(state, T); // hovered, else chosen
    const selected = activePos({ ...state, hover: null }, T);
    const fresh = this.bitmapTrace !== trace;

    for (const [l, entry] of this.layers.entries()) {
      const offset = l * T * D;
      if (fresh) {
        let max = 0;
        for (let k = offset; k < offset + T * D; k++) max = Math.max(max, Math.abs(hid.data[k]));
        entry.range = tanh ? 1 : max || 1;
        const r = entry.range;
        heatmapBitmap(hid.data, offset, T, D, DIVERGING, (v) => (v / r + 1) / 2, null, null, entry.bitmap);
        entry.lo.textContent = fixed(-entry.range, 2);
        entry.hi.textContent = `+${fixed(entry.range, 2)}`;
      }
      entry.title.textContent = t('hiddenLayer', { n: l + 1, t: T, d: D });
      entry.geom = this.layout(entry, labels, T, D);
      this.draw(entry, labels, hover, selected, l);
    }
    this.bitmapTrace = trace;
    this.el.dataset.t = String(T);
    this.updateReadout(trace, labels);
  }

  layout(entry, labels, T, D) {
    const width = Math.max(260, entry.wrap.clientWidth);
    const k = viewScale(); // presenter mode: taller rows, bigger labels
    const rowH = Math.max(4, Math.min(28 * k, Math.floor((360 * k) / T)));
    const fontPx = Math.max(9, Math.min(16 * k, Math.round(rowH * 0.7)));
    const ctx = entry.canvas.getContext('2d');
    ctx.font = font(fontPx, 700); // bold: the focused label is drawn bold
    const widest = Math.min(80, Math.max(...labels.map((s) => ctx.measureText(s).width)));
    const left = Math.ceil(widest) + 12;
    const dpr = window.devicePixelRatio || 1;
    const colW = Math.max(1, Math.floor(((width - left - 8) * dpr) / D)) / dpr;
    const top = 20;
    return { T, D, rowH, fontPx, left, top, colW, width: left + colW * D + 8, height: top + rowH * T + 4 };
  }

  draw(entry, labels, hover, selected, l) {
    const g = entry.geom;
    const ctx = setupCanvas(entry.canvas, g.width, g.height);
    blit(ctx, entry.bitmap, g.left, g.top, g.colW * g.D, g.rowH * g.T);
    // Unit numbers along the top, counted from 1: unit 1, then every 8th or 16th.
    ctx.font = font(11 * viewScale());
    ctx.fillStyle = '#5a6475';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    const every = labelStride(g.colW, 26) <= 8 ? 8 : 16;
    for (let n = 1; n <= g.D; n = n === 1 ? every : n + every) ctx.fillText(String(n), g.left + (n - 0.5) * g.colW, g.top - 6);
    // Step labels (tokens) down the left.
    const stride = labelStride(g.rowH, g.fontPx + 1);
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (let i = 0; i < g.T; i++) {
      const strong = i === hover || i === selected;
      if (i % stride !== 0 && !strong) continue;
      ctx.font = font(g.fontPx, strong ? 700 : 400);
      ctx.fillStyle = strong ? '#b2182b' : '#2d3748';
      ctx.fillText(fitText(ctx, labels[i], g.left - 12), g.left - 6, g.top + (i + 0.5) * g.rowH);
    }
    if (hover !== null) {
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#111';
      ctx.strokeRect(g.left - 1, g.top + hover * g.rowH - 1, g.colW * g.D + 2, g.rowH + 2);
    }
    if (this.cell && this.cell[0] === l) {
      const [, i, u] = this.cell;
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#111';
      ctx.strokeRect(g.left + u * g.colW - 1, g.top + i * g.rowH - 1, g.colW + 2, g.rowH + 2);
    }
  }

  updateReadout(trace, labels) {
    if (!this.cell) { this.readout.textContent = '\u00a0'; return; }
    const [l, i, u] = this.cell;
    const [, T, D] = trace.hidden.shape;
    if (i >= T) { this.readout.textContent = '\u00a0'; return; }
    const v = trace.hidden.data[(l * T + i) * D + u];
    this.readout.textContent = t('hiddenReadout', { i: i + 1, tok: labels[i], u: u + 1, v: fixed(v, 3) });
  }
}

// Head view (after BertViz's, on canvas): for one layer, every token on the
// left is joined to the tokens it attends to on the right, one colour per
// head, line opacity = attention weight. Hovering a position shows only its
// lines: out of it on the left, into it on the right.
//
// Speed at T=256 (up to 4·33k lines): lines are grouped by head and by
// opacity rounded to 1/64, so each group is one Path2D and one stroke() call;
// the full picture is cached in an offscreen canvas and reused while the
// pointer moves.

import { headColor } from '../colors.js';
import { font, fitText, setupCanvas, bandIndex, localPoint } from '../canvas.js';
import { displayToken } from '../format.js';
import { activePos } from '../state.js';
import { headToggles, layerPicker } from './controls.js';

const BUCKETS = 64;
const MIN_WEIGHT = 0.5 / BUCKETS; // would round to opacity 0

export class HeadView {
  constructor(el, store) {
    this.el = el;
    this.store = store;
    this.layerEl = el.querySelector('.layer-picker');
    this.togglesEl = el.querySelector('.head-toggles');
    this.scroller = el.querySelector('.scroller');
    this.canvas = el.querySelector('canvas');
    this.cache = document.createElement('canvas');
    this.cacheKey = null;
    this.geom = null;
    this.canvas.addEventListener('pointermove', (e) => {
      const i = this.rowAt(e);
      store.set({ hover: i >= 0 ? i : null });
    });
    this.canvas.addEventListener('pointerleave', () => store.set({ hover: null }));
    this.canvas.addEventListener('click', (e) => {
      const i = this.rowAt(e);
      if (i >= 0) store.set({ pos: i });
    });
  }

  rowAt(e) {
    if (!this.geom) return -1;
    const [, y] = localPoint(e, this.canvas);
    return bandIndex(y, this.geom.top, this.geom.rowH, this.geom.T);
  }

  layout(trace) {
    const T = trace.tokens.length;
    const width = Math.max(240, this.scroller.clientWidth);
    const rowH = Math.max(10, Math.min(26, Math.floor(520 / T)));
    const fontPx = Math.max(8, Math.min(17, Math.round(rowH * 0.68)));
    const ctx = this.canvas.getContext('2d');
    ctx.font = font(fontPx);
    const widest = Math.max(...trace.tokens.map((s) => ctx.measureText(displayToken(s)).width));
    const labelW = Math.min(Math.ceil(widest) + 14, Math.floor(width * 0.28));
    const top = 6;
    return {
      T, width, rowH, fontPx, labelW, top,
      height: top * 2 + T * rowH,
      x0: labelW + 6, // line start (right edge of the left labels)
      x1: width - labelW - 6, // line end
      y: (i) => top + (i + 0.5) * rowH,
    };
  }

  render(trace, state, { hover } = {}) {
    const att = trace.attention;
    if (!att) return;
    const [L, H, T] = att.shape;
    layerPicker(this.layerEl, L, state, this.store);
    headToggles(this.togglesEl, H, state, this.store);

    // Text measuring is the slow part of layout: redo it only for a new trace or width.
    const width = this.scroller.clientWidth;
    if (!this.geom || this.geomTrace !== trace || this.geomWidth !== width) {
      this.geom = this.layout(trace);
      this.geomTrace = trace;
      this.geomWidth = width;
    }
    const g = this.geom;
    const ctx = setupCanvas(this.canvas, g.width, g.height);
    this.canvas.dataset.layer = String(state.layer);
    this.canvas.dataset.t = String(T);
    this.canvas.dataset.heads = state.headsOn.map((on, h) => (on ? h : -1)).filter((h) => h >= 0).join(',');

    const key = [state.layer, state.headsOn.join(), g.width, g.height, window.devicePixelRatio].join('|');
    if (this.cacheKey !== key || this.cacheTrace !== trace) {
      this.drawAll(this.cache, trace, state, g);
      this.cacheKey = key;
      this.cacheTrace = trace;
    }
    const focus = hover ?? (state.hover !== null && state.hover < T ? state.hover : null);
    ctx.save();
    if (focus !== null) ctx.globalAlpha = 0.12;
    ctx.drawImage(this.cache, 0, 0, g.width, g.height);
    ctx.restore();
    if (focus !== null) this.drawFocus(ctx, trace, state, g, focus);
    this.drawLabels(ctx, trace, state, g, focus);
  }

  /** All lines of the enabled heads into the offscreen cache. */
  drawAll(canvas, trace, state, g) {
    const ctx = setupCanvas(canvas, g.width, g.height);
    const [, H, T] = trace.attention.shape;
    const data = trace.attention.data;
    ctx.lineWidth = Math.max(1, Math.min(2.5, g.rowH / 9));
    ctx.lineCap = 'round';
    const ys = Float64Array.from({ length: T }, (_, i) => g.y(i));
    for (let h = 0; h < H; h++) {
      if (!state.headsOn[h]) continue;
      const paths = Array.from({ length: BUCKETS }, () => null);
      const base = (state.layer * H + h) * T * T;
      for (let i = 0; i < T; i++) {
        const row = base + i * T;
        for (let j = 0; j <= i; j++) {
          const w = data[row + j];
          if (w < MIN_WEIGHT) continue;
          const b = Math.min(BUCKETS - 1, Math.round(w * BUCKETS) - 1);
          const p = paths[b] ?? (paths[b] = new Path2D());
          p.moveTo(g.x0, ys[i]);
          p.lineTo(g.x1, ys[j]);
        }
      }
      ctx.strokeStyle = headColor(h);
      paths.forEach((p, b) => {
        if (!p) return;
        ctx.globalAlpha = (b + 1) / BUCKETS;
        ctx.stroke(p);
      });
    }
    ctx.globalAlpha = 1;
  }

  /** Lines out of position f (left) and into position f (right), at full strength. */
  drawFocus(ctx, trace, state, g, f) {
    const [, H, T] = trace.attention.shape;
    const data = trace.attention.data;
    ctx.lineWidth = Math.max(1.5, Math.min(3, g.rowH / 7));
    ctx.lineCap = 'round';
    for (let h = 0; h < H; h++) {
      if (!state.headsOn[h]) continue;
      ctx.strokeStyle = headColor(h);
      const base = (state.layer * H + h) * T * T;
      for (let j = 0; j <= f; j++) { // what f attends to
        const w = data[base + f * T + j];
        if (w < MIN_WEIGHT) continue;
        ctx.globalAlpha = Math.min(1, w);
        ctx.beginPath(); ctx.moveTo(g.x0, g.y(f)); ctx.lineTo(g.x1, g.y(j)); ctx.stroke();
      }
      for (let i = f + 1; i < T; i++) { // what attends to f
        const w = data[base + i * T + f];
        if (w < MIN_WEIGHT) continue;
        ctx.globalAlpha = Math.min(1, w);
        ctx.beginPath(); ctx.moveTo(g.x0, g.y(i)); ctx.lineTo(g.x1, g.y(f)); ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
  }

  drawLabels(ctx, trace, state, g, focus) {
    const T = trace.tokens.length;
    const selected = activePos({ ...state, hover: null }, T);
    ctx.font = font(g.fontPx);
    ctx.textBaseline = 'middle';
    for (let i = 0; i < T; i++) {
      const s = fitText(ctx, displayToken(trace.tokens[i]), g.labelW - 10);
      const y = g.y(i);
      const strong = i === focus || i === selected;
      if (i === focus) {
        ctx.fillStyle = 'rgba(20, 40, 80, 0.10)';
        ctx.fillRect(0, y - g.rowH / 2, g.labelW, g.rowH);
        ctx.fillRect(g.width - g.labelW, y - g.rowH / 2, g.labelW, g.rowH);
      }
      ctx.font = font(g.fontPx, strong ? 700 : 400);
      ctx.fillStyle = strong ? '#0b1f3a' : '#2d3748';
      ctx.textAlign = 'right';
      ctx.fillText(s, g.labelW - 4, y);
      ctx.textAlign = 'left';
      ctx.fillText(s, g.width - g.labelW + 4, y);
    }
  }
}

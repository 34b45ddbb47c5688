// Model view: every layer × head as a small attention heatmap, rows =
// layers, columns = heads. Each thumbnail is a button, so a click (or Enter)
// focuses that layer and head in the matrix and the head view.

import { MASKED_RGB, SEQUENTIAL, headColor } from '../colors.js';
import { blit, heatmapBitmap, setupCanvas, viewScale } from '../canvas.js';
import { t } from '../i18n.js';

export class ModelView {
  constructor(el, store) {
    this.el = el;
    this.store = store;
    this.grid = el.querySelector('.thumb-grid');
    this.thumbs = []; // [{button, canvas, l, h}]
    this.bitmaps = []; // one T×T canvas per (l, h), rebuilt per trace
    this.bitmapTrace = null;
    this.shapeKey = null;
    this.grid.addEventListener('click', (e) => {
      const b = e.target.closest('button.thumb');
      if (b) store.set({ layer: Number(b.dataset.layer), head: Number(b.dataset.head) });
    });
  }

  build(L, H) {
    const key = `${L}x${H}|${t('layer')}`;
    if (this.shapeKey === key) return;
    this.shapeKey = key;
    this.grid.replaceChildren();
    this.thumbs = [];
    this.grid.style.setProperty('--heads', String(H));
    this.grid.append(document.createElement('span'));
    for (let h = 0; h < H; h++) {
      const head = document.createElement('span');
      head.className = 'thumb-col';
      head.style.setProperty('--c', headColor(h));
      head.textContent = t('headN', { n: h + 1 });
      this.grid.append(head);
    }
    for (let l = 0; l < L; l++) {
      const row = document.createElement('span');
      row.className = 'thumb-row';
      row.textContent = t('layerN', { n: l + 1 });
      this.grid.append(row);
      for (let h = 0; h < H; h++) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'thumb';
        button.dataset.layer = String(l);
        button.dataset.head = String(h);
        button.style.setProperty('--c', headColor(h));
        button.setAttribute('aria-label', t('layerHead', { l: l + 1, h: h + 1 }));
        const canvas = document.createElement('canvas');
        button.append(canvas);
        this.grid.append(button);
        this.thumbs.push({ button, canvas, l, h });
      }
    }
  }

  render(trace, state) {
    const att = trace.attention;
    if (!att) return;
    const [L, H, T] = att.shape;
    this.build(L, H);
    if (this.bitmapTrace !== trace) {
      this.bitmaps = this.thumbs.map(({ l, h }, k) => heatmapBitmap(
        att.data, (l * H + h) * T * T, T, T, SEQUENTIAL, (w) => w, (i, j) => j > i, MASKED_RGB, this.bitmaps[k],
      ));
      this.bitmapTrace = trace;
    }
    // Thumbnails share the row width (less the row labels, and per thumbnail
    // the grid gap, padding and border), between 56 and 150 CSS pixels.
    const rowLabel = this.grid.querySelector('.thumb-row')?.offsetWidth ?? 70;
    const avail = this.grid.clientWidth - rowLabel - 12;
    const size = Math.max(56, Math.min(150 * viewScale(), Math.floor(avail / H) - 24));
    const hover = state.hover !== null && state.hover < T ? state.hover : null;
    this.grid.dataset.t = String(T);
    for (const [k, { button, canvas, l, h }] of this.thumbs.entries()) {
      const focused = l === state.layer && h === state.head;
      button.setAttribute('aria-pressed', String(focused));
      const ctx = setupCanvas(canvas, size, size);
      blit(ctx, this.bitmaps[k], 0, 0, size, size);
      if (hover !== null) { // the hovered query's row
        const cell = size / T;
        ctx.strokeStyle = '#d55e00';
        ctx.lineWidth = 1.5;
        ctx.strokeRect(0.75, hover * cell, size - 1.5, Math.max(cell, 1.5));
      }
    }
  }
}

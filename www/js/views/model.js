// Model view: every layer × head as a small attention heatmap, rows =
// layers, columns = heads. Each thumbnail is a button, so a click (or Enter)
// focuses that layer and head in the matrix and the head view. Thumbnails
// shrink (and the labels become "L1" / "H1") to fit the panel's width; a
// model with more heads than fit scrolls sideways, and says so (overflow.js).
// With grouped-query attention (gqa.js) the query heads that share a
// key/value head stand together under a bracket labelled "KV 1", "KV 2", …,
// with a wider gap between groups, and the note under the grid says so.

import { MASKED_RGB, SEQUENTIAL, headColor } from '../colors.js';
import { CAUSAL, IDENTITY, blit, heatmapBitmap, setupCanvas, viewScale } from '../canvas.js';
import { t } from '../i18n.js';
import { kvGroupSize, kvHead, startsGroup } from '../gqa.js';
import { focusPos } from '../state.js';

export class ModelView {
  constructor(el, store) {
    this.el = el;
    this.store = store;
    this.grid = el.querySelector('.thumb-grid');
    this.note = el.querySelector('.model-note');
    this.thumbs = []; // [{button, canvas, l, h}]
    this.bitmaps = []; // one n×n canvas per (l, h), rebuilt per trace (n: attention.js THUMB_CELLS)
    this.bitmapTrace = null;
    this.shapeKey = null;
    this.grid.addEventListener('click', (e) => {
      const b = e.target.closest('button.thumb');
      if (b) store.set({ layer: Number(b.dataset.layer), head: Number(b.dataset.head) });
    });
  }

  /** `g`: query heads a key/value head (kvGroupSize), or null. */
  build(L, H, g = null) {
    const key = `${L}x${H}/${g}|${t('layer')}`;
    if (this.shapeKey === key) return;
    this.shapeKey = key;
    this.grid.replaceChildren();
    this.thumbs = [];
    this.grid.style.setProperty('--heads', String(H));
    this.grid.dataset.kvGroup = g ? String(g) : '';
    const group = (el, h) => {
      if (!g) return;
      el.dataset.kv = String(kvHead(h, g));
      if (startsGroup(h, g)) el.classList.add('kv-start');
    };
    if (g) { // a row of brackets over the head labels: one per key/value head
      this.grid.append(document.createElement('span'));
      for (let k = 0; k < H / g; k++) {
        const bracket = document.createElement('span');
        bracket.className = 'kv-group';
        bracket.style.gridColumn = `span ${g}`;
        group(bracket, k * g);
        bracket.textContent = t('kvN', { n: k + 1 });
        bracket.title = t('kvGroupTitle', { a: k * g + 1, b: (k + 1) * g, n: k + 1 });
        this.grid.append(bracket);
      }
    }
    this.grid.append(document.createElement('span'));
    for (let h = 0; h < H; h++) {
      const head = document.createElement('span');
      head.className = 'thumb-col';
      group(head, h);
      head.style.setProperty('--c', headColor(h));
      head.dataset.long = t('headN', { n: h + 1 });
      head.dataset.short = t('headShort', { n: h + 1 });
      head.title = head.dataset.long;
      head.textContent = head.dataset.long;
      this.grid.append(head);
    }
    for (let l = 0; l < L; l++) {
      const row = document.createElement('span');
      row.className = 'thumb-row';
      row.dataset.long = t('layerN', { n: l + 1 });
      row.dataset.short = t('layerShort', { n: l + 1 });
      row.title = row.dataset.long;
      row.textContent = row.dataset.long;
      this.grid.append(row);
      for (let h = 0; h < H; h++) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'thumb';
        button.dataset.layer = String(l);
        button.dataset.head = String(h);
        button.style.setProperty('--c', headColor(h));
        group(button, h);
        button.setAttribute('aria-label', g
          ? t('layerHeadKv', { l: l + 1, h: h + 1, kv: kvHead(h, g) + 1 })
          : t('layerHead', { l: l + 1, h: h + 1 }));
        const canvas = document.createElement('canvas');
        button.append(canvas);
        this.grid.append(button);
        this.thumbs.push({ button, canvas, l, h });
      }
    }
  }

  /**
   * Thumbnail size in CSS pixels: the grid's width shared by H columns (less
   * the row labels, and per column the gap, padding and border), at most 150
   * (more in presenter mode), at least 32. Short labels when the long ones
   * would be wider than a thumbnail (or leave it under 48px). The gaps
   * between key/value groups come off the width first. Measured once per width and shape.
   */
  fit(H) {
    const key = `${this.grid.clientWidth}|${this.shapeKey}|${viewScale()}`;
    if (this.fitKey === key) return this.size;
    this.fitKey = key;
    const labels = this.grid.querySelectorAll('.thumb-row, .thumb-col');
    const gap = parseFloat(getComputedStyle(this.grid).columnGap) || 12;
    const chrome = 10; // a thumbnail's padding (3px) and border (2px), both sides
    const starts = this.grid.querySelectorAll('.thumb-col.kv-start');
    const groupGaps = starts.length ? starts.length * (parseFloat(getComputedStyle(starts[0]).marginLeft) || 0) : 0;
    const sizeWith = (short) => {
      for (const s of labels) s.textContent = short ? s.dataset.short : s.dataset.long;
      const rowLabel = this.grid.querySelector('.thumb-row')?.offsetWidth ?? 0;
      const colLabel = Math.max(0, ...[...this.grid.querySelectorAll('.thumb-col')].map((s) => s.offsetWidth));
      const size = Math.floor((this.grid.clientWidth - rowLabel - 2 - groupGaps - H * (gap + chrome)) / H);
      return { size, fits: colLabel <= size + chrome };
    };
    let { size, fits } = sizeWith(false);
    if (!fits || size < 48) ({ size } = sizeWith(true));
    this.size = Math.max(32, Math.min(150 * viewScale(), size));
    return this.size;
  }

  render(trace, state, info) {
    const att = trace.attention;
    if (!att) return;
    const [L, H, T] = att.shape;
    const g = kvGroupSize(info, H);
    this.build(L, H, g);
    if (this.bitmapTrace !== trace) {
      // Long inputs are pooled b tokens per cell (attention.js), a cell's rows still summing to 1.
      const { b, n, data } = att.thumbs; // [L, H, n, n]
      this.bitmaps = this.thumbs.map(({ l, h }, k) => heatmapBitmap(
        data, (l * H + h) * n * n, n, n, SEQUENTIAL, IDENTITY, CAUSAL, MASKED_RGB, this.bitmaps[k],
      ));
      this.bitmapTrace = trace;
      this.grid.dataset.pooled = String(b);
    }
    const b = att.thumbs.b;
    const note = [g ? t('kvNote', { q: H, kv: H / g }) : '', b > 1 ? t('thumbsPooled', { b }) : ''].filter(Boolean).join(' ');
    if (this.note.textContent !== note) this.note.textContent = note;
    const size = this.fit(H);
    const hover = focusPos(state, T); // the hovered or chosen query's row
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

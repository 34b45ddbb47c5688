// The live held-out example in the Train panel, redrawn from each trace the
// training worker sends (a few times a second): a two-row table (the
// example's characters, and under each the model's top guess for it, green
// when right and red when wrong on the scored answer), then every layer and
// head's attention map (GPT) or every layer's hidden state (RNN).

import { DIVERGING, HEAD_COLORS, MASKED_RGB, SEQUENTIAL, headColor } from '../colors.js';
import { blit, font, heatmapBitmap, setupCanvas } from '../canvas.js';
import { displayToken, percent } from '../format.js';
import { t } from '../i18n.js';
import { answerStart } from './options.js';

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Top guess for the token after each position: [{id, p}] of length T. */
function guesses(probs) {
  const [T, V] = probs.shape;
  const out = [];
  for (let i = 0; i < T; i++) {
    let best = 0;
    const row = i * V;
    for (let v = 1; v < V; v++) if (probs.data[row + v] > probs.data[row + best]) best = v;
    out.push({ id: best, p: probs.data[row + best] });
  }
  return out;
}

export class LiveExample {
  constructor(root) {
    this.root = root;
    this.table = root.querySelector('.live-guess');
    this.verdict = root.querySelector('.live-verdict');
    this.mapsHint = root.querySelector('.live-maps-hint');
    this.canvas = root.querySelector('.live-maps');
    this.bitmaps = [];
    this.data = null;
  }

  clear() {
    this.data = null;
    this.table.replaceChildren();
    this.verdict.textContent = '';
    this.mapsHint.textContent = '';
    this.canvas.hidden = true;
    delete this.root.dataset.step;
  }

  /** data: {trace, text, step}; task: the task's name (where the scored answer starts). */
  render(data, task) {
    if (!data) { this.clear(); return; }
    const fresh = this.data !== data;
    this.data = data;
    const { trace } = data;
    const T = trace.ids.length;
    const start = answerStart(task, data.text);
    const guess = guesses(trace.probs);
    const vocab = data.vocab ?? [];

    const lang = document.documentElement.lang;
    const relabel = this.lang !== lang;
    this.lang = lang;
    if (fresh || relabel) {
      let right = 0;
      const rowIn = el('tr');
      const rowGuess = el('tr');
      rowIn.append(el('th', null, t('liveInput')));
      rowGuess.append(el('th', null, t('liveGuess')));
      for (const th of [rowIn.firstChild, rowGuess.firstChild]) th.scope = 'row';
      for (let i = 0; i < T; i++) {
        const tok = el('td', 'tok', displayToken(trace.tokens[i]));
        if (i >= start) tok.classList.add('scored');
        rowIn.append(tok);
        const cell = el('td', 'guess');
        if (i > 0) {
          const g = guess[i - 1];
          const ok = g.id === trace.ids[i];
          cell.append(el('span', null, g.id < vocab.length ? displayToken(vocab[g.id]) : `#${g.id}`));
          if (i >= start) {
            cell.classList.add(ok ? 'ok' : 'bad');
            cell.append(el('span', 'sr-only', ` ${t(ok ? 'liveRight' : 'liveWrong')}`));
            if (ok) right++;
          }
          cell.title = `p = ${percent(g.p)}`;
        }
        rowGuess.append(cell);
      }
      this.table.replaceChildren(rowIn, rowGuess);
      const n = Math.max(0, T - start);
      this.verdict.textContent = right === n ? t('liveAllRight', { n }) : t('liveSomeRight', { k: right, n });
      this.verdict.classList.toggle('ok', right === n);
      this.root.dataset.right = String(right);
      this.root.dataset.scored = String(n);
      this.root.dataset.step = String(data.step);
    }
    this.mapsHint.textContent = t(trace.attention ? 'liveAttnHint' : 'liveHiddenHint');
    this.canvas.hidden = false;
    // The maps are redrawn only for a new trace, a new width or a new language.
    const width = this.canvas.parentElement.clientWidth;
    if (!fresh && !relabel && width === this.drawnWidth) return;
    this.drawnWidth = width;
    if (trace.attention) this.drawAttention(trace, fresh); else this.drawHidden(trace, fresh);
  }

  /** Every layer × head as a T×T map, rows = layers, columns = heads. */
  drawAttention(trace, fresh) {
    const [L, H, T] = trace.attention.shape;
    if (fresh) {
      this.bitmaps = Array.from({ length: L * H }, (_, k) => heatmapBitmap(
        trace.attention.data, k * T * T, T, T, SEQUENTIAL, (w) => w, (i, j) => j > i, MASKED_RGB, this.bitmaps[k],
      ));
    }
    const avail = Math.max(200, this.canvas.parentElement.clientWidth);
    const gap = 14;
    const titleH = 20;
    // Maps share the width: 90 to 320 px, at most 22 px a cell; token labels
    // sit in a margin of each map when its cells are large enough to read.
    const share = Math.floor((avail - 2 - (H - 1) * gap) / H); // 2 px for the last map's border
    let size = Math.max(90, Math.min(320, T * 22, share));
    const labels = size / T >= 10;
    const lab = labels ? 16 : 0;
    if (labels) size = Math.max(90, Math.min(size, share - lab));
    const cell = size / T;
    const w = H * (size + lab) + (H - 1) * gap;
    const h = L * (titleH + lab + size) + (L - 1) * gap;
    const ctx = setupCanvas(this.canvas, Math.min(avail, w), h);
    ctx.textBaseline = 'middle';
    for (let l = 0; l < L; l++) {
      for (let hd = 0; hd < H; hd++) {
        const x0 = hd * (size + lab + gap);
        const y0 = l * (titleH + lab + size + gap);
        ctx.fillStyle = headColor(hd);
        ctx.font = font(13, 600);
        ctx.textAlign = 'left';
        ctx.fillText(t('layerHead', { l: l + 1, h: hd + 1 }), x0 + lab, y0 + titleH / 2);
        blit(ctx, this.bitmaps[l * H + hd], x0 + lab, y0 + titleH + lab, size, size);
        ctx.strokeStyle = HEAD_COLORS[hd % HEAD_COLORS.length];
        ctx.lineWidth = 1;
        ctx.strokeRect(x0 + lab - 0.5, y0 + titleH + lab - 0.5, size + 1, size + 1);
        if (labels) {
          ctx.fillStyle = '#1b2433';
          ctx.font = font(Math.min(13, Math.floor(cell * 0.7)));
          ctx.textAlign = 'center';
          for (let i = 0; i < T; i++) {
            const s = displayToken(trace.tokens[i]);
            ctx.fillText(s, x0 + lab / 2, y0 + titleH + lab + (i + 0.5) * cell); // query rows
            ctx.fillText(s, x0 + lab + (i + 0.5) * cell, y0 + titleH + lab / 2); // key columns
          }
        }
      }
    }
    this.canvas.setAttribute('aria-label', t('liveAttnLabel', { l: L, h: H, text: this.data.text }));
  }

  /** Every layer's hidden state: rows = steps (with their tokens), columns = units. */
  drawHidden(trace, fresh) {
    const [L, T, D] = trace.hidden.shape;
    if (fresh) {
      this.bitmaps = Array.from({ length: L }, (_, l) => {
        let max = 1e-6;
        for (let k = l * T * D; k < (l + 1) * T * D; k++) max = Math.max(max, Math.abs(trace.hidden.data[k]));
        const range = max <= 1 ? 1 : max; // tanh (and small relu) states on [-1, 1]
        return heatmapBitmap(trace.hidden.data, l * T * D, T, D, DIVERGING, (v) => 0.5 + v / (2 * range), null, null, this.bitmaps[l]);
      });
    }
    const avail = Math.max(200, this.canvas.parentElement.clientWidth);
    const lab = 22;
    const titleH = 20;
    const gap = 12;
    const cellH = Math.max(6, Math.min(16, Math.floor(320 / T)));
    const cellW = Math.max(1, Math.min(cellH * 1.2, (avail - lab) / D)); // near-square cells when there is room
    const w = lab + D * cellW;
    const h = L * (titleH + T * cellH) + (L - 1) * gap;
    const ctx = setupCanvas(this.canvas, Math.ceil(w), h);
    ctx.textBaseline = 'middle';
    for (let l = 0; l < L; l++) {
      const y0 = l * (titleH + T * cellH + gap);
      ctx.fillStyle = '#1b2433';
      ctx.font = font(13, 600);
      ctx.textAlign = 'left';
      ctx.fillText(t('hiddenLayer', { n: l + 1, t: T, d: D }), lab, y0 + titleH / 2);
      blit(ctx, this.bitmaps[l], lab, y0 + titleH, D * cellW, T * cellH);
      if (cellH >= 9) {
        ctx.font = font(Math.min(13, cellH - 2));
        ctx.textAlign = 'center';
        for (let i = 0; i < T; i++) ctx.fillText(displayToken(trace.tokens[i]), lab / 2, y0 + titleH + (i + 0.5) * cellH);
      }
    }
    this.canvas.setAttribute('aria-label', t('liveHiddenLabel', { l: L, text: this.data.text }));
  }
}

// What the model computed for one generated token. GPT: the new token's
// attention row in every layer and head ([L,H,T]: one canvas row per head,
// one column per earlier token, darker = more attention), plus the most
// attended token of each head as text. RNN: the new hidden state of every
// layer ([L,Hd]: one diverging row per layer), plus its range as text.

import { DIVERGING, SEQUENTIAL, headColor } from '../colors.js';
import { fitText, font, heatmapBitmap, labelStride, setupCanvas } from '../canvas.js';
import { displayToken, fixed, percent } from '../format.js';
import { t } from '../i18n.js';

export class StepView {
  constructor(el) {
    this.el = el;
    this.title = el.querySelector('.gen-step-title');
    this.canvas = el.querySelector('canvas');
    this.summary = el.querySelector('.gen-step-summary');
    this.bitmap = document.createElement('canvas');
  }

  /** step: {attention, hidden} of the token at `pos`; tokens: the text up to and including it. */
  render({ step, tokens, pos, info }) {
    if (!step) {
      this.title.textContent = '';
      this.summary.replaceChildren();
      setupCanvas(this.canvas, 1, 1);
      this.el.dataset.kind = '';
      return;
    }
    const tok = displayToken(tokens[pos] ?? '');
    if (step.attention) this.attention(step.attention, tokens.slice(0, pos + 1).map(displayToken), tok, pos);
    else if (step.hidden) this.hidden(step.hidden, info, tok, pos);
  }

  attention(att, labels, tok, pos) {
    const [L, H, T] = att.shape;
    this.el.dataset.kind = 'attention';
    this.el.dataset.shape = att.shape.join(',');
    this.title.textContent = t('genAttention', { tok, n: pos + 1 });
    heatmapBitmap(att.data, 0, L * H, T, SEQUENTIAL, (v) => v, null, null, this.bitmap);
    const width = Math.max(240, this.el.clientWidth - 4);
    const left = 64;
    const top = 26;
    const cell = Math.max(3, Math.min(30, Math.floor((width - left - 6) / T)));
    const rowH = Math.max(12, Math.min(22, Math.round(cell * 0.8)));
    const gap = 6; // between layers
    const height = top + L * H * rowH + (L - 1) * gap + 4;
    const ctx = setupCanvas(this.canvas, left + cell * T + 6, height);
    for (let l = 0; l < L; l++) {
      const y = top + l * (H * rowH + gap);
      // One blit per layer: the bitmap's rows l*H .. l*H+H-1.
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.bitmap, 0, l * H, T, H, left, y, cell * T, H * rowH);
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'right';
      for (let h = 0; h < H; h++) {
        ctx.font = font(12, 700);
        ctx.fillStyle = headColor(h);
        ctx.fillText(`L${l + 1} H${h + 1}`, left - 6, y + (h + 0.5) * rowH);
      }
    }
    // Token labels along the top; the new token's column outlined.
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    const fontPx = Math.max(10, Math.min(16, cell - 2));
    const stride = labelStride(cell, fontPx + 2);
    for (let j = 0; j < T; j++) {
      const last = j === T - 1;
      if (j % stride !== 0 && !last) continue;
      ctx.font = font(fontPx, last ? 700 : 400);
      ctx.fillStyle = last ? '#d55e00' : '#2d3748';
      ctx.fillText(fitText(ctx, labels[j], Math.max(cell, 14)), left + (j + 0.5) * cell, top - 8);
    }
    ctx.strokeStyle = '#d55e00';
    ctx.lineWidth = 2;
    ctx.strokeRect(left + (T - 1) * cell + 1, top - 2, cell - 2, height - top);
    this.canvas.setAttribute('aria-label', t('genAttention', { tok, n: pos + 1 }));

    // The most attended earlier token of every head, as text.
    const items = [];
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        const row = att.data.subarray((l * H + h) * T, (l * H + h + 1) * T);
        let best = 0;
        for (let j = 1; j < T; j++) if (row[j] > row[best]) best = j;
        const li = document.createElement('li');
        const name = document.createElement('b');
        name.textContent = `L${l + 1} H${h + 1}`;
        name.style.color = headColor(h);
        li.append(name, ` → “${labels[best]}” @${best + 1} ${percent(row[best])}`); // positions from 1
        li.dataset.best = String(best);
        items.push(li);
      }
    }
    const caption = document.createElement('span');
    caption.className = 'gen-step-caption';
    caption.textContent = `${t('genMostAttended')}:`;
    const list = document.createElement('ul');
    list.append(...items);
    this.summary.replaceChildren(caption, list);
  }

  hidden(hid, info, tok, pos) {
    const [L, D] = hid.shape;
    this.el.dataset.kind = 'hidden';
    this.el.dataset.shape = hid.shape.join(',');
    this.title.textContent = t('genHidden', { tok, n: pos + 1 });
    const tanh = (info.config?.nonlinearity ?? 'tanh') === 'tanh';
    let max = 0;
    for (const v of hid.data) max = Math.max(max, Math.abs(v));
    const range = tanh ? 1 : max || 1;
    heatmapBitmap(hid.data, 0, L, D, DIVERGING, (v) => (v / range + 1) / 2, null, null, this.bitmap);
    const width = Math.max(240, this.el.clientWidth - 4);
    const left = 64;
    const col = Math.max(2, Math.min(16, Math.floor((width - left - 6) / D)));
    const rowH = 40;
    const ctx = setupCanvas(this.canvas, left + col * D + 6, 18 + L * (rowH + 4));
    for (let l = 0; l < L; l++) {
      const y = 18 + l * (rowH + 4);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.bitmap, 0, l, D, 1, left, y, col * D, rowH);
      ctx.font = font(12, 700);
      ctx.fillStyle = '#2d3748';
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      ctx.fillText(t('layerN', { n: l + 1 }), left - 6, y + rowH / 2);
    }
    ctx.font = font(11);
    ctx.fillStyle = '#5a6475';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    const every = labelStride(col, 26) <= 8 ? 8 : 16;
    for (let u = 0; u < D; u += every) ctx.fillText(String(u), left + (u + 0.5) * col, 12);
    this.canvas.setAttribute('aria-label', t('genHidden', { tok, n: pos + 1 }));

    const items = [];
    for (let l = 0; l < L; l++) {
      const row = hid.data.subarray(l * D, (l + 1) * D);
      let lo = Infinity;
      let hi = -Infinity;
      let sum = 0;
      for (const v of row) { lo = Math.min(lo, v); hi = Math.max(hi, v); sum += Math.abs(v); }
      const li = document.createElement('li');
      li.textContent = t('genHiddenStats', { n: l + 1, d: D, lo: fixed(lo, 2), hi: fixed(hi, 2), mean: fixed(sum / D, 3) });
      items.push(li);
    }
    const list = document.createElement('ul');
    list.append(...items);
    this.summary.replaceChildren(list);
  }
}

// Words for the canvases: the views draw pixels, which a screen reader
// cannot see, so after every draw each canvas gets role="img" and an
// aria-label saying what it shows for the chosen position (the strongest
// attention, the range of the hidden state), in the current language.

import { fixed, percent } from '../format.js';
import { tokenLabel } from '../tokentext.js';
import { t } from '../i18n.js';
import { activePos } from '../state.js';

function label(canvas, text) {
  if (!canvas) return;
  if (canvas.getAttribute('role') !== 'img') canvas.setAttribute('role', 'img');
  if (canvas.getAttribute('aria-label') !== text) canvas.setAttribute('aria-label', text);
}

/** The key position row i attends to most in (l, h), and its weight; null while the layer is on its way. */
function strongest(att, l, h, i) {
  const T = att.shape[2];
  const w = att.peek(l, h); // [T, T]: describing never fetches a layer
  if (!w) return null;
  let j = 0;
  for (let k = 1; k <= i; k++) if (w[i * T + k] > w[i * T + j]) j = k;
  return [j, w[i * T + j]];
}

export function describeCanvases(trace, state) {
  const T = trace.ids.length;
  const i = activePos({ ...state, hover: null }, T);
  const tok = (k) => tokenLabel(trace, k);
  const att = trace.attention;
  if (att) {
    const [L, H] = att.shape;
    const l = Math.min(state.layer, L - 1);
    const h = Math.min(state.head, H - 1);
    const [j, w] = strongest(att, l, h, i) ?? [i, 0];
    label(document.querySelector('#matrix-canvas'), t('a11yMatrix', { l: l + 1, h: h + 1, t: T, tok: tok(i), i: i + 1, to: tok(j), j: j + 1, w: percent(w) }));
    const on = [];
    for (let k = 0; k < H; k++) if (state.headsOn[k]) on.push(k);
    const detail = on.map((k) => {
      const [jj, ww] = strongest(att, l, k, i) ?? [i, 0];
      return t('a11yMost', { tok: tok(i), i: i + 1, to: tok(jj), j: jj + 1, w: percent(ww), h: k + 1 });
    }).join(' ');
    label(document.querySelector('#heads-canvas'), t('a11yHeads', { l: l + 1, t: T, n: on.length, h: H, detail }));
    for (const button of document.querySelectorAll('#model-panel button.thumb')) {
      const bl = Number(button.dataset.layer);
      const bh = Number(button.dataset.head);
      if (bl >= L || bh >= H) continue;
      // Only layers on the page are described (a kept trace sends the layers a view draws).
      const found = strongest(att, bl, bh, i);
      if (!found) continue;
      const [jj, ww] = found;
      label(button.querySelector('canvas'), t('a11yThumb', { l: bl + 1, h: bh + 1, tok: tok(i), to: tok(jj), w: percent(ww) }));
    }
  }
  const hid = trace.hidden;
  if (hid) {
    const [, , D] = hid.shape;
    for (const canvas of document.querySelectorAll('#hidden-panel canvas[data-layer]')) {
      const l = Number(canvas.dataset.layer);
      if (l >= hid.shape[0]) continue;
      let lo = Infinity; let hi = -Infinity;
      for (let k = l * T * D; k < (l + 1) * T * D; k++) { lo = Math.min(lo, hid.data[k]); hi = Math.max(hi, hid.data[k]); }
      let mean = 0;
      for (let u = 0; u < D; u++) mean += Math.abs(hid.data[(l * T + i) * D + u]);
      label(canvas, t('a11yHidden', { l: l + 1, t: T, d: D, lo: fixed(lo, 2), hi: fixed(hi, 2), tok: tok(i), i: i + 1, mean: fixed(mean / D, 3) }));
    }
  }
}

// The head-score grids: previous-token, duplicate-token and induction, each
// an L x H table of numbers shaded by score (0..1), the highest head of each
// outlined; and the repeated sequence they were measured on, as token chips
// (DOM text). A click on a cell focuses that layer and head in the other
// views (or, while the model view's clicks ablate, ablates it).

import { SEQUENTIAL, lutCss, lutGradient } from '../colors.js';
import { idLabel } from '../tokentext.js';
import { t } from '../i18n.js';

export const SCORE_KINDS = ['previous_token', 'duplicate_token', 'induction'];

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The highest head of one score: {l, h, v}. */
export function bestHead({ data, shape: [L, H] }) {
  let best = { l: 0, h: 0, v: -Infinity };
  for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) if (data[l * H + h] > best.v) best = { l, h, v: data[l * H + h] };
  return best;
}

/** Draws `scores` (worker.js `headScores` reply) into `box`; `ablated(l, h)` marks ablated heads. */
export function renderScores(box, seqBox, scores, info, state, ablated) {
  const grids = SCORE_KINDS.map((kind) => {
    const s = scores[kind];
    const [L, H] = s.shape;
    const best = bestHead(s);
    // Many heads (GPT-2's 12): small cells, shaded, the value in the tooltip and for screen readers.
    const fig = el('figure', `score-grid${H > 8 ? ' compact' : ''}`);
    fig.dataset.kind = kind;
    fig.append(el('figcaption', 'score-title', t(`score_${kind}`)));
    const table = el('table');
    const head = el('tr');
    head.append(el('th'));
    for (let h = 0; h < H; h++) head.append(el('th', 'score-h', H > 8 ? String(h + 1) : t('headShort', { n: h + 1 })));
    table.append(head);
    for (let l = 0; l < L; l++) {
      const tr = el('tr');
      tr.append(el('th', 'score-l', t('layerShort', { n: l + 1 })));
      for (let h = 0; h < H; h++) {
        const v = s.data[l * H + h];
        const td = el('td', 'score-cell');
        const b = el('button', 'score-btn');
        b.append(el('span', 'score-v', v.toFixed(2)));
        b.type = 'button';
        b.dataset.layer = String(l);
        b.dataset.head = String(h);
        b.dataset.v = String(v);
        b.style.background = lutCss(SEQUENTIAL, Math.max(0, Math.min(1, v)));
        if (v > 0.55) b.classList.add('dark');
        if (l === best.l && h === best.h) b.classList.add('best');
        if (l === state.layer && h === state.head) b.setAttribute('aria-current', 'true');
        if (ablated(l, h)) b.classList.add('ablated');
        b.setAttribute('aria-label', `${t(`score_${kind}`)}: ${t('layerHead', { l: l + 1, h: h + 1 })} ${v.toFixed(3)}`);
        b.title = `${t('layerHead', { l: l + 1, h: h + 1 })}: ${v.toFixed(4)}`;
        td.append(b);
        tr.append(td);
      }
      table.append(tr);
    }
    fig.append(table, el('p', 'score-best hint', t('scoreBest', { l: best.l + 1, h: best.h + 1, v: best.v.toFixed(2) })));
    fig.dataset.best = `${best.l}.${best.h}`;
    return fig;
  });
  const legend = el('p', 'legend score-legend');
  const bar = el('span', 'legend-bar');
  bar.style.background = lutGradient(SEQUENTIAL);
  legend.append(el('span', '', '0'), bar, el('span', '', '1'), el('span', 'hint', t('scoreLegend')));
  box.replaceChildren(...grids, legend);
  // The sequence: N tokens, then the same N again.
  const n = scores.n;
  const chips = Array.from(scores.ids, (id, i) => {
    const c = el('span', 'chip score-tok', idLabel(info, id));
    c.title = `${i + 1}: ${scores.tokens?.[i] ?? id} (id ${id})`;
    return c;
  });
  const sep = el('span', 'score-sep', '‖');
  sep.setAttribute('aria-label', t('scoresSecond'));
  seqBox.replaceChildren(...chips.slice(0, n), sep, ...chips.slice(n));
}

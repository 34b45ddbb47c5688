// The logit-lens table: rows = the residual stream entering layer 1
// ("embed") and after each layer (the last is the model's output), columns
// = positions; each cell the lens's most likely next token and its
// probability, shaded by that probability; the actual next token outlined.
// A click (or Enter) on a cell shows its top-k as bars under the table.
// DOM text throughout: tokens are textContent, never HTML.

import { SEQUENTIAL, lutCss } from '../colors.js';
import { percent } from '../format.js';
import { nextLabel, tokenLabel } from '../tokentext.js';
import { t } from '../i18n.js';

// Cells drawn at most: past this many positions the table shows the last ones.
export const LENS_MAX_COLS = 256;

/** A lens reply's top `k` ids and probabilities of layer l at position t. */
export function lensCell(lens, l, t) {
  const at = (l * lens.t + t) * lens.k;
  return { ids: lens.top_ids.subarray(at, at + lens.k), probs: lens.top_probs.subarray(at, at + lens.k) };
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class LensTable {
  /** `box`: the table's scroller; `detail`: where a chosen cell's bars go. */
  constructor(box, detail) {
    this.box = box;
    this.detail = detail;
    this.chosen = null; // {l, t}
    this.drawnKey = null;
    box.addEventListener('click', (e) => {
      const td = e.target.closest('td.lens-cell');
      if (!td) return;
      const l = Number(td.dataset.layer);
      const t = Number(td.dataset.pos);
      this.chosen = this.chosen?.l === l && this.chosen?.t === t ? null : { l, t };
      this.drawnKey = null;
      this.onChange?.();
    });
  }

  /** Draws `lens` (worker.js `lens` reply) for `trace`'s tokens; `topK`: bars shown for a chosen cell. */
  render(lens, trace, info, topK, palette = '') {
    const key = `${lens.key}|${t('layer')}|${topK}|${this.chosen?.l},${this.chosen?.t}|${palette}`;
    if (this.drawnKey === key) return;
    this.drawnKey = key;
    const L1 = lens.layers;
    const T = lens.t;
    const from = Math.max(0, T - LENS_MAX_COLS);
    const table = el('table', 'lens-table');
    table.setAttribute('aria-label', t('lensTitle'));
    const head = el('tr');
    head.append(el('th', 'lens-corner', t('lensCorner')));
    for (let p = from; p < T; p++) {
      const th = el('th', 'lens-tok');
      th.scope = 'col';
      th.append(el('span', 'lens-n', String(p + 1)), el('span', 'lens-t', tokenLabel(trace, p)));
      head.append(th);
    }
    const thead = el('thead');
    thead.append(head);
    const body = el('tbody');
    for (let l = 0; l < L1; l++) {
      const tr = el('tr');
      const th = el('th', 'lens-layer', l === 0 ? t('lensEmbed') : l === L1 - 1 ? t('lensOutput', { n: l }) : t('layerShort', { n: l }));
      th.scope = 'row';
      th.title = l === 0 ? t('lensEmbedTitle') : t('lensAfterTitle', { n: l });
      tr.append(th);
      for (let p = from; p < T; p++) {
        const { ids, probs } = lensCell(lens, l, p);
        const pr = probs[0];
        const td = el('td', 'lens-cell');
        td.dataset.layer = String(l);
        td.dataset.pos = String(p);
        td.dataset.id = String(ids[0]);
        td.dataset.p = String(pr);
        td.tabIndex = -1;
        td.style.background = lutCss(SEQUENTIAL, pr);
        if (pr > 0.55) td.classList.add('dark');
        if (p + 1 < T && ids[0] === trace.ids[p + 1]) td.classList.add('hit');
        if (this.chosen?.l === l && this.chosen?.t === p) td.classList.add('chosen');
        const tok = nextLabel(info, trace, p, ids[0]);
        td.append(el('span', 'lens-top', tok), el('span', 'lens-p', percent(pr)));
        td.title = `${th.textContent} · ${p + 1} ${tokenLabel(trace, p)} → ${tok} ${percent(pr)}`;
        tr.append(td);
      }
      body.append(tr);
    }
    table.append(thead, body);
    // One cell is the tab stop; arrows move between cells, Enter / Space choose.
    const first = table.querySelector('td.chosen') ?? table.querySelector('td.lens-cell');
    if (first) first.tabIndex = 0;
    table.addEventListener('keydown', (e) => this.key(e, table));
    this.box.replaceChildren(table);
    this.box.title = from ? t('lensCut', { n: T - from, from: from + 1 }) : '';
    this.cut?.remove();
    this.cut = from ? el('p', 'hint lens-cut', t('lensCut', { n: T - from, from: from + 1 })) : null;
    if (this.cut) this.box.before(this.cut);
    this.box.dataset.cols = String(T - from);
    this.box.dataset.cut = String(from);
    this.renderDetail(lens, trace, info, topK);
  }

  key(e, table) {
    const td = e.target.closest('td.lens-cell');
    if (!td) return;
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); td.click(); return; }
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    const next = table.querySelector(`td.lens-cell[data-layer="${Number(td.dataset.layer) + m[0]}"][data-pos="${Number(td.dataset.pos) + m[1]}"]`);
    if (next) { td.tabIndex = -1; next.tabIndex = 0; next.focus(); }
  }

  renderDetail(lens, trace, info, topK) {
    const c = this.chosen;
    if (!c || c.l >= lens.layers || c.t >= lens.t) { this.detail.replaceChildren(); this.detail.hidden = true; return; }
    this.detail.hidden = false;
    const { ids, probs } = lensCell(lens, c.l, c.t);
    const where = c.l === 0 ? t('lensEmbedTitle') : t('lensAfterTitle', { n: c.l });
    const title = el('p', 'lens-detail-title', t('lensDetail', { where, n: c.t + 1, tok: tokenLabel(trace, c.t) }));
    const list = el('ol', 'bars lens-bars');
    const next = c.t + 1 < lens.t ? trace.ids[c.t + 1] : -1;
    const k = Math.min(topK, lens.k);
    let sum = 0;
    for (let i = 0; i < k; i++) {
      sum += probs[i];
      list.append(barRow(nextLabel(info, trace, c.t, ids[i]), probs[i], ids[i] === next ? 'actual' : '', ids[i]));
    }
    if (k < info.config.vocab_size) list.append(barRow(t('other', { n: info.config.vocab_size - k }), Math.max(0, 1 - sum), 'other'));
    this.detail.replaceChildren(title, list);
  }
}

/** One bar as the next-token bars draw it (views/bars.js's classes, so it looks the same). */
export function barRow(label, p, cls = '', id = null) {
  const li = el('li', `bar ${cls}`);
  const track = el('span', 'bar-track');
  const fill = el('span', 'bar-fill');
  fill.style.width = `${Math.max(0, Math.min(100, p * 100))}%`;
  track.append(fill);
  li.append(el('span', 'bar-tok', label), track, el('span', 'bar-p', percent(p)));
  li.dataset.p = String(p);
  if (id !== null) li.dataset.id = String(id);
  li.title = p.toPrecision(4);
  return li;
}

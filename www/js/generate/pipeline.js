// The sampler's pipeline for one choice: the most likely tokens as rows and
// the distribution after each stage as columns (model -> temperature ->
// top-k -> top-p -> min-p, the last being what the token was drawn from).
// A bar's length is the probability itself, so temperature visibly sharpens
// or flattens and the filters visibly cut. The chosen token is marked; each
// row is a button: choosing it forces that token and starts a branch.
// DOM, not canvas: every number here is text to read.

import { displayToken, percent } from '../format.js';
import { t } from '../i18n.js';
import { topK } from '../views/bars.js';

export const STAGES = [
  { key: 'raw', setting: null },
  { key: 'after_temperature', setting: 'temperature' },
  { key: 'after_top_k', setting: 'top_k' },
  { key: 'after_top_p', setting: 'top_p' },
  { key: 'probs', setting: 'min_p' },
];
const ROWS = 10;

function stageTitle(stage, settings) {
  const v = stage.setting && settings[stage.setting];
  switch (stage.setting) {
    case null: return t('genStageRaw');
    case 'temperature': return t('genStageTemp', { v: Number(v.toPrecision(3)) });
    case 'top_k': return t('genStageTopK', { v: v ?? t('genOff') });
    case 'top_p': return t('genStageTopP', { v: v ?? t('genOff') });
    default: return t('genStageMinP', { v: v ?? t('genOff') }) + (settings.greedy ? ` · ${t('genGreedyShort')}` : '');
  }
}

function span(cls, text) {
  const s = document.createElement('span');
  s.className = cls;
  if (text !== undefined) s.textContent = text;
  return s;
}

export class PipelineView {
  /** `onPick(id)` is called when a row is chosen. */
  constructor(el, onPick) {
    this.el = el;
    el.addEventListener('click', (e) => {
      const row = e.target.closest('button.gen-row');
      if (row && !row.disabled) onPick(Number(row.dataset.id));
    });
  }

  /**
   * choice: {id, raw, after_temperature, after_top_k, after_top_p, probs};
   * taken: the token actually fed (differs from choice.id when forced);
   * settings: the sampler settings to name the columns; label(id) -> string.
   */
  render({ choice, taken, settings, label, disabled }) {
    // Rebuilt only when something shown changed, so a focused row or a hovered bar survives redraws.
    const sig = [choice, taken, settings, Boolean(disabled), t('genToken')];
    if (this.sig && sig.every((x, i) => x === this.sig[i])) return;
    this.sig = sig;
    if (!choice) { this.el.replaceChildren(); delete this.el.dataset.chosen; return; }
    const V = choice.raw.length;
    const rows = topK(choice.raw, Math.min(ROWS, V));
    for (const id of [choice.id, taken]) if (id !== null && !rows.includes(id)) rows.push(id); // always show the pick

    const head = document.createElement('div');
    head.className = 'gen-row gen-head';
    head.setAttribute('aria-hidden', 'true'); // each row button reads out its own numbers
    head.append(span('gen-tok-head', t('genToken')));
    for (const s of STAGES) {
      const off = s.setting && s.setting !== 'temperature' && settings[s.setting] === null;
      head.append(span(`gen-stage-title${off ? ' off' : ''}${s.key === 'probs' ? ' final' : ''}`, stageTitle(s, settings)));
    }

    const items = rows.map((id) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'gen-row';
      b.dataset.id = String(id);
      b.disabled = Boolean(disabled);
      const tok = span('gen-tok', displayToken(label(id)));
      if (id === taken) tok.append(span('tag', t(choice.id === taken ? 'genDrawn' : 'genYourPick')));
      else if (id === choice.id) tok.append(span('tag tag-muted', t('genDrawn'))); // what the sampler drew instead
      b.append(tok);
      for (const s of STAGES) b.append(this.cell(s.key, choice[s.key][id]));
      if (id === taken) b.classList.add('taken');
      if (id === choice.id) b.classList.add('drawn');
      b.setAttribute('aria-label', t('genRowLabel', { tok: displayToken(label(id)), raw: percent(choice.raw[id]), p: percent(choice.probs[id]) })
        + (id === taken ? ` (${t(choice.id === taken ? 'genDrawn' : 'genYourPick')})` : ''));
      return b;
    });

    // Everything else, summed per column.
    const other = document.createElement('div');
    other.className = 'gen-row other';
    other.append(span('gen-tok', t('other', { n: V - rows.length })));
    const shown = new Set(rows);
    for (const s of STAGES) {
      const p = choice[s.key];
      let rest = 0; // summed, not 1 - shown, so a column the filters emptied reads exactly 0
      for (let v = 0; v < V; v++) if (!shown.has(v)) rest += p[v];
      other.append(this.cell(s.key, rest));
    }
    const focused = this.el.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    this.el.replaceChildren(head, ...items, ...(V > rows.length ? [other] : []));
    if (focused) (items.find((b) => b.dataset.id === focused) ?? items[0])?.focus({ preventScroll: true });
    this.el.dataset.chosen = String(taken);
    this.el.dataset.drawn = String(choice.id);
  }

  cell(stage, p) {
    const c = span(`gen-cell${p === 0 ? ' cut' : ''}${stage === 'probs' ? ' final' : ''}`);
    c.dataset.stage = stage;
    c.dataset.p = String(p);
    const track = span('bar-track');
    const fill = span('bar-fill');
    fill.style.width = `${Math.max(0, Math.min(100, p * 100))}%`;
    track.append(fill);
    c.append(track, span('gen-p', p === 0 ? '—' : percent(p)));
    c.title = p === 0 ? t('genCut') : p.toPrecision(4);
    return c;
  }
}

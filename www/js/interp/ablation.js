// Click-to-ablate. While any head is ablated (state.ablate) the page traces
// the model with those heads' z set to 0 or their mean (engine.js `trace`
// with `ablate`), so every view draws the changed model, and keeps the plain
// trace beside it (`trace.baseline`) for the difference. This module adds,
// without touching the views' own code:
//   - in the all-heads panel: "Click a head to: focus / ablate" and "Ablate
//     by: zero / mean"; ablated thumbnails struck through (data-ablated);
//   - in the head view: one ablate switch per head of the shown layer;
//   - over the views: which heads are ablated, each removable, and Reset;
//   - in the next-token bars: each bar's unablated probability (a dashed
//     outline in the track, and "before: 35.2% (−20.1 pts)" under it), and the
//     unablated top token when the ablation changed it.
// Every label is DOM text.

import { headColor } from '../colors.js';
import { percent } from '../format.js';
import { nextLabel } from '../tokentext.js';
import { getLang, t } from '../i18n.js';
import { activePos } from '../state.js';
import { ABLATE_MODES, headNames, isAblated, layersHeads, toggleAblated } from './state.js';
import { topK } from '../views/bars.js';

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A segmented choice: buttons with aria-pressed, `onPick(value)`. */
function choice(values, onPick) {
  const box = el('span', 'seg-row');
  box.setAttribute('role', 'group');
  const cap = el('span', 'picker-caption');
  box.append(cap);
  for (const v of values) {
    const b = el('button', 'seg');
    b.type = 'button';
    b.dataset.value = v;
    b.addEventListener('click', () => onPick(v));
    box.append(b);
  }
  return box;
}

export class AblationUI {
  constructor(store, schedule) {
    this.store = store;
    this.schedule = schedule;
    const $ = (s) => document.querySelector(s);
    // Over the views: what is ablated, and Reset.
    this.bar = el('div', 'ablate-bar');
    this.bar.id = 'ablate-bar';
    this.bar.setAttribute('role', 'status');
    this.bar.hidden = true;
    this.barText = el('span', 'ablate-text');
    this.barHeads = el('span', 'ablate-heads');
    this.reset = el('button', 'ablate-reset');
    this.reset.type = 'button';
    this.reset.addEventListener('click', () => store.set({ ablate: [] }));
    this.bar.append(this.barText, this.barHeads, this.reset);
    $('.views')?.before(this.bar);

    // In the all-heads panel.
    this.modelPanel = $('#model-panel');
    this.tools = el('div', 'ablate-tools');
    this.clickRow = choice(['focus', 'ablate'], (v) => store.set({ headClick: v }));
    this.modeRow = choice(ABLATE_MODES, (v) => store.set({ ablateMode: v }));
    this.toolsReset = el('button', 'ablate-reset link-button');
    this.toolsReset.type = 'button';
    this.toolsReset.addEventListener('click', () => store.set({ ablate: [] }));
    this.tools.append(this.clickRow, this.modeRow, this.toolsReset);
    this.modelPanel?.querySelector('.thumb-grid')?.before(this.tools);
    // Clicks on thumbnails ablate instead of focusing while "ablate" is chosen
    // (caught before views/model.js's own handler).
    this.modelPanel?.querySelector('.thumb-grid')?.addEventListener('click', (e) => {
      const b = e.target.closest('button.thumb');
      if (!b || store.state.headClick !== 'ablate') return;
      e.stopPropagation();
      store.set(toggleAblated(store.state, Number(b.dataset.layer), Number(b.dataset.head)));
    }, true);

    // In the head view: one switch per head of the shown layer.
    this.toggles = el('div', 'ablate-toggles');
    this.toggles.setAttribute('role', 'group');
    $('#heads-panel .pickers')?.append(this.toggles);
    this.togglesKey = null;
    this.baseline = null;
    this.offBaseline = null;
    // The bar follows the state at once: a model without heads (an RNN) never renders this, and
    // its switch clears the ablation.
    store.subscribe((state, changed) => {
      if (changed.includes('ablate') || changed.includes('lang')) this.renderBar(state, state.ablate, state.ablateMode);
      if (changed.includes('modelKey')) {
        const panel = document.querySelector('#bars-panel');
        panel?.removeAttribute('data-ablated');
        const note = panel?.querySelector('.ablate-note');
        if (note) note.hidden = true;
      }
    });
  }

  render(trace, state, info) {
    const lh = layersHeads(info);
    const ablated = trace.ablated?.heads ?? [];
    this.renderBar(state, ablated, trace.ablated?.mode ?? state.ablateMode);
    this.renderTools(state);
    if (!lh) return;
    for (const b of this.modelPanel?.querySelectorAll('button.thumb') ?? []) {
      const on = isAblated(state, Number(b.dataset.layer), Number(b.dataset.head));
      if (b.dataset.ablated !== String(on)) b.dataset.ablated = String(on);
      // The thumbnail's own label (views/model.js), with " (ablated)" while it is.
      const cur = b.getAttribute('aria-label') ?? '';
      const had = b.dataset.ablateSuffix;
      const label = had && cur.endsWith(had) ? cur.slice(0, -had.length) : cur;
      const suffix = on ? ` (${t('ablatedShort')})` : '';
      if (cur !== label + suffix) b.setAttribute('aria-label', label + suffix);
      b.dataset.ablateSuffix = suffix;
    }
    this.renderToggles(state, lh[1]);
    this.renderBars(trace, state, info);
  }

  renderBar(state, ablated, mode) {
    const heads = state.ablate;
    this.bar.hidden = heads.length === 0;
    document.body.dataset.ablated = heads.length ? headNames(heads) : '';
    if (!heads.length) return;
    // Rebuilt only when it changes: a redraw must not replace chips under a pointer (or a click).
    const key = `${headNames(heads)}|${headNames(ablated)}|${mode}|${t('ablateReset')}`;
    if (key === this.barKey) return;
    this.barKey = key;
    // What the views show (the trace's ablation) may lag the state by one trace.
    this.barText.textContent = t('ablatedBar', { mode: t(`ablateMode_${mode}`) });
    this.barHeads.replaceChildren(...heads.map(([l, h]) => {
      const b = el('button', 'ablate-chip');
      b.append(el('s', '', `L${l + 1}H${h + 1}`), ' ×'); // the head struck through, the × to restore it
      b.type = 'button';
      b.style.setProperty('--c', headColor(h));
      b.dataset.layer = String(l);
      b.dataset.head = String(h);
      b.title = t('ablateRestore', { l: l + 1, h: h + 1 });
      b.setAttribute('aria-label', b.title);
      b.addEventListener('click', () => this.store.set(toggleAblated(this.store.state, l, h)));
      return b;
    }));
    this.reset.textContent = t('ablateReset');
    this.bar.dataset.shown = headNames(ablated);
  }

  renderTools(state) {
    const [clickCap, ...clicks] = this.clickRow.children;
    clickCap.textContent = t('headClick');
    for (const b of clicks) {
      b.textContent = t(`headClick_${b.dataset.value}`);
      b.setAttribute('aria-pressed', String(state.headClick === b.dataset.value));
    }
    const [modeCap, ...modes] = this.modeRow.children;
    modeCap.textContent = t('ablateBy');
    for (const b of modes) {
      b.textContent = t(`ablateMode_${b.dataset.value}`);
      b.title = t(`ablateModeTitle_${b.dataset.value}`);
      b.setAttribute('aria-pressed', String(state.ablateMode === b.dataset.value));
    }
    this.toolsReset.textContent = t('ablateReset');
    this.toolsReset.hidden = state.ablate.length === 0;
    this.modelPanel?.classList.toggle('ablating', state.headClick === 'ablate');
  }

  renderToggles(state, H) {
    const key = `${H}|${state.layer}|${t('ablateCaption')}`;
    if (this.togglesKey !== key) {
      this.togglesKey = key;
      const cap = el('span', 'picker-caption', t('ablateCaption'));
      cap.title = t('ablateCaptionTitle', { l: state.layer + 1 });
      const buttons = Array.from({ length: H }, (_, h) => {
        const b = el('button', 'seg ablate-seg', String(h + 1));
        b.type = 'button';
        b.dataset.head = String(h);
        b.style.setProperty('--c', headColor(h));
        b.addEventListener('click', () => this.store.set(toggleAblated(this.store.state, this.store.state.layer, h)));
        return b;
      });
      this.toggles.replaceChildren(cap, ...buttons);
      this.toggles.setAttribute('aria-label', cap.title);
    }
    for (const b of this.toggles.querySelectorAll('button.ablate-seg')) {
      const h = Number(b.dataset.head);
      const on = isAblated(state, state.layer, h);
      b.setAttribute('aria-pressed', String(on));
      b.title = t(on ? 'ablateRestore' : 'ablateHead', { l: state.layer + 1, h: h + 1 });
    }
  }

  /** The unablated probabilities beside the ablated bars. */
  renderBars(trace, state, info) {
    const panel = document.querySelector('#bars-panel');
    const note = panel?.querySelector('.ablate-note') ?? (() => {
      const p = el('p', 'ablate-note hint');
      panel?.querySelector('.bars')?.before(p);
      return p;
    })();
    const base = trace.baseline;
    if (base !== this.baseline) {
      this.offBaseline?.();
      this.baseline = base ?? null;
      this.offBaseline = base?.onSlice(this.schedule) ?? null;
    }
    panel?.toggleAttribute('data-ablated', Boolean(base));
    if (!base || !panel) { note.hidden = true; return; }
    const [T] = trace.probs.shape;
    const pos = activePos(state, T);
    const p0 = base.probs.row(pos); // [V], unablated
    const p1 = trace.probs.row(pos);
    if (!p0 || !p1) return; // on their way
    note.hidden = false;
    const top0 = topK(p0, 1)[0];
    const top1 = topK(p1, 1)[0];
    let moved = 0;
    for (let v = 0; v < p0.length; v++) moved += Math.abs(p1[v] - p0[v]);
    moved /= 2;
    const gap = getLang() === 'zh' ? '' : ' ';
    note.textContent = `${t('ablateBarsNote', { heads: headNames(trace.ablated.heads), moved: percent(moved) })}${top0 !== top1
      ? `${gap}${t('ablateTopChanged', { before: nextLabel(info, trace, pos, top0), p: percent(p0[top0]) })}` : ''}`;
    panel.dataset.moved = String(moved);
    panel.dataset.topBefore = String(top0);
    for (const li of panel.querySelectorAll('.bars > li.bar')) {
      if (li.querySelector('.bar-was')) continue;
      const id = li.dataset.id;
      let was;
      if (id !== undefined) was = p0[Number(id)];
      else if (li.classList.contains('other')) {
        const shown = [...panel.querySelectorAll('.bars > li.bar[data-id]')].map((x) => Number(x.dataset.id));
        was = Math.max(0, 1 - shown.reduce((s, v) => s + p0[v], 0));
      }
      if (was === undefined) continue;
      const ghost = el('span', 'bar-was');
      ghost.style.width = `${Math.max(0, Math.min(100, was * 100))}%`;
      li.querySelector('.bar-track')?.append(ghost);
      const now = Number(li.dataset.p);
      const d = (now - was) * 100;
      const line = el('span', 'bar-was-p', t('ablateBefore', { p: percent(was), d: `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(1)}` }));
      li.dataset.was = String(was);
      li.append(line);
    }
  }
}

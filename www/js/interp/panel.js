// The "Inside the model" panel, beside the other views, for Transformers:
// tabs for the logit lens (lens.js) and head scores (scores.js), and the
// click-to-ablate controls spread over the other panels (ablation.js).
// state.interp is the open tab; attribution and patching join as two more
// tabs, each a module drawing its own reply from the worker (interp/ops.js).
//
// The lens follows the trace: each new trace's ids go to the worker's `lens`
// (one request in flight, the newest waiting; a text too big to compute while
// typing waits for a button). Head scores run on a button (at once on a
// model with few parameters): N random tokens (seeded, as `glasswing heads`)
// or the text's own tokens, repeated twice.

import { count } from '../format.js';
import { getLang, t, translateError } from '../i18n.js';
import { download } from '../share/exports.js';
import { nested } from '../share/tracejson.js';
import './i18n.js'; // the panel's labels in both languages
import { AblationUI } from './ablation.js';
import { LensTable, lensCell } from './lens.js';
import { renderScores, SCORE_KINDS } from './scores.js';
import { INTERP_TABS, headNames, isAblated, layersHeads, toggleAblated } from './state.js';

// Multiply-adds of the lens ((L+1) x T x C x V) the page computes while typing; more waits for a click.
export const LENS_AUTO_WORK = 2e9;
// Parameters under which head scores run as soon as their tab opens.
const SCORES_AUTO_PARAMS = 5e6;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function width(info) {
  const c = info.config ?? {};
  return c.n_embd ?? c.hidden_size ?? 0;
}

/** Whole numbers [n * k] as nested JSON rows of k. */
function nestedInts(data, k) {
  const rows = [];
  for (let i = 0; i < data.length; i += k) rows.push(`[${Array.from(data.subarray(i, i + k)).join(',')}]`);
  return `[${rows.join(',')}]`;
}

/** Seconds as people read them: 0.12 s, 3.4 s. */
function secs(ms) { return `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s`; }

export class InterpView {
  /** page: {engine, current() -> the shown model entry {modelId, info}, schedule()} */
  constructor(el_, store, page) {
    this.el = el_;
    this.store = store;
    this.page = page;
    this.ablation = new AblationUI(store, page.schedule);
    this.build();
    this.lens = { job: null, waiting: null, result: null, error: null, ms: null, forKey: null };
    this.scores = { busy: false, result: null, error: null, ms: null, model: null };
    store.subscribe((state, changed) => {
      if (changed.includes('modelKey')) { this.scores.result = null; this.scores.error = null; this.scores.model = null; }
    });
    this.api = {
      lens: () => this.lens.result,
      scores: () => this.scores.result,
      lensIdle: () => this.lensIdle(),
      runScores: () => this.runScores(),
      lensJson: () => this.lensJsonText(),
      scoresJson: () => this.scoresJsonText(),
    };
  }

  build() {
    const h = el('h2');
    h.dataset.i18n = 'interpTitle';
    h.id = 'interp-title';
    this.el.setAttribute('aria-labelledby', 'interp-title');
    this.tablist = el('div', 'interp-tabs');
    this.tablist.setAttribute('role', 'tablist');
    this.tabs = {};
    this.panes = {};
    for (const name of INTERP_TABS) {
      const b = el('button', 'interp-tab');
      b.type = 'button';
      b.id = `interp-tab-${name}`;
      b.dataset.tab = name;
      b.setAttribute('role', 'tab');
      b.setAttribute('aria-controls', `interp-pane-${name}`);
      b.addEventListener('click', () => this.store.set({ interp: name }));
      b.addEventListener('keydown', (e) => {
        const i = INTERP_TABS.indexOf(name);
        const j = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
        if (j === null) return;
        const next = INTERP_TABS[(j + INTERP_TABS.length) % INTERP_TABS.length];
        this.store.set({ interp: next });
        this.tabs[next].focus();
      });
      this.tabs[name] = b;
      this.tablist.append(b);
      const pane = el('div', 'interp-pane');
      pane.id = `interp-pane-${name}`;
      pane.dataset.tab = name;
      pane.setAttribute('role', 'tabpanel');
      pane.setAttribute('aria-labelledby', b.id);
      this.panes[name] = pane;
    }
    // Logit lens.
    const lp = this.panes.lens;
    this.lensHint = el('p', 'hint');
    this.lensStatus = el('p', 'interp-status');
    this.lensStatus.setAttribute('role', 'status');
    this.lensRun = el('button', 'interp-run');
    this.lensRun.type = 'button';
    this.lensRun.hidden = true;
    this.lensRun.addEventListener('click', () => this.askLens(this.lastTrace, true));
    this.lensBox = el('div', 'lens-box scroller');
    this.lensDetail = el('div', 'lens-detail');
    this.lensDetail.hidden = true;
    this.lensJson = el('button', 'link-button interp-json');
    this.lensJson.type = 'button';
    this.lensJson.addEventListener('click', () => this.saveLens());
    this.lensTable = new LensTable(this.lensBox, this.lensDetail);
    this.lensTable.onChange = () => this.page.schedule();
    lp.append(this.lensHint, this.lensRun, this.lensStatus, this.lensBox, this.lensDetail, this.lensJson);
    // Head scores.
    const sp = this.panes.scores;
    this.scoresHint = el('p', 'hint');
    const form = el('div', 'score-form');
    this.source = el('select', 'score-source');
    for (const v of ['random', 'text']) {
      const o = el('option');
      o.value = v;
      this.source.append(o);
    }
    this.sourceLabel = el('label');
    this.sourceCap = el('span');
    this.sourceLabel.append(this.sourceCap, ' ', this.source);
    this.lenInput = el('input', 'score-len');
    Object.assign(this.lenInput, { type: 'number', min: '1', step: '1', placeholder: '' });
    this.lenLabel = el('label');
    this.lenCap = el('span');
    this.lenLabel.append(this.lenCap, ' ', this.lenInput);
    this.seedInput = el('input', 'score-seed');
    Object.assign(this.seedInput, { type: 'number', min: '0', step: '1', value: '0' });
    this.seedLabel = el('label');
    this.seedCap = el('span');
    this.seedLabel.append(this.seedCap, ' ', this.seedInput);
    this.source.addEventListener('change', () => { this.lenLabel.hidden = this.seedLabel.hidden = this.source.value === 'text'; });
    this.scoresRun = el('button', 'interp-run primary');
    this.scoresRun.type = 'button';
    this.scoresRun.addEventListener('click', () => this.runScores());
    form.append(this.sourceLabel, this.lenLabel, this.seedLabel, this.scoresRun);
    this.scoresStatus = el('p', 'interp-status');
    this.scoresStatus.setAttribute('role', 'status');
    this.seqCap = el('p', 'score-seq-cap hint');
    this.seqBox = el('div', 'score-seq');
    this.gridBox = el('div', 'score-grids');
    this.gridBox.addEventListener('click', (e) => {
      const b = e.target.closest('button.score-btn');
      if (!b) return;
      const [l, hh] = [Number(b.dataset.layer), Number(b.dataset.head)];
      if (this.store.state.headClick === 'ablate') this.store.set(toggleAblated(this.store.state, l, hh));
      else this.store.set({ layer: l, head: hh });
    });
    this.scoresJson = el('button', 'link-button interp-json');
    this.scoresJson.type = 'button';
    this.scoresJson.addEventListener('click', () => this.saveScores());
    sp.append(this.scoresHint, form, this.scoresStatus, this.seqCap, this.seqBox, this.gridBox, this.scoresJson);
    this.el.replaceChildren(h, this.tablist, ...Object.values(this.panes));
  }

  relabel() {
    for (const [name, b] of Object.entries(this.tabs)) b.textContent = t(`interpTab_${name}`);
    this.lensHint.textContent = t('lensHint');
    this.lensRun.textContent = t('lensRun');
    this.lensJson.textContent = t('interpJson');
    this.scoresHint.textContent = t('scoresHint');
    this.sourceCap.textContent = t('scoresOn');
    this.source.options[0].textContent = t('scoresRandom');
    this.source.options[1].textContent = t('scoresText');
    this.lenCap.textContent = t('scoresLen');
    this.seedCap.textContent = t('scoresSeed');
    this.scoresRun.textContent = t('scoresRun');
    this.scoresJson.textContent = t('interpJson');
  }

  render(trace, state, info) {
    const lang = `${getLang()}`;
    if (this.lang !== lang) { this.lang = lang; this.relabel(); this.lensTable.drawnKey = null; this.scoresDrawn = null; }
    this.lastTrace = trace;
    this.ablation.render(trace, state, info);
    if (!layersHeads(info)) return;
    for (const name of INTERP_TABS) {
      const on = state.interp === name;
      this.tabs[name].setAttribute('aria-selected', String(on));
      this.tabs[name].tabIndex = on ? 0 : -1;
      this.panes[name].hidden = !on;
    }
    this.el.dataset.tab = state.interp;
    if (state.interp === 'lens') this.renderLens(trace, state, info);
    else this.renderScores(state, info);
  }

  // ---- logit lens ----

  /** What a lens depends on: the model, the ids, k, and the trace's ablation. */
  lensKey(trace, state) {
    const abl = trace.ablated ? `${trace.ablated.mode}:${headNames(trace.ablated.heads)}` : '';
    return `${this.page.current()?.modelId}|${Array.from(trace.ids).join(',')}|${Math.max(state.topK, 10)}|${abl}`;
  }

  renderLens(trace, state, info) {
    const key = this.lensKey(trace, state);
    const L = layersHeads(info)[0];
    const work = (L + 1) * trace.ids.length * width(info) * (info.config.vocab_size ?? 0);
    const L1 = this.lens;
    if (L1.forKey !== key) {
      L1.forKey = key;
      if (work <= LENS_AUTO_WORK) this.askLens(trace);
    }
    const have = L1.result?.key === key;
    this.lensRun.hidden = have || L1.job?.key === key || L1.waiting?.key === key;
    const lang = getLang();
    let status;
    if (L1.error && L1.errorKey === key) status = t('interpFailed', { msg: translateError(L1.error) });
    else if (L1.job?.key === key || L1.waiting?.key === key) status = t('interpBusy');
    else if (!have) status = t('lensBig', { n: count(trace.ids.length, lang) });
    else status = t('lensDone', { s: secs(L1.ms), l: L, t: count(trace.ids.length, lang) }) + (trace.ablated ? `${lang === 'zh' ? '' : ' '}${t('lensAblated', { heads: headNames(trace.ablated.heads), mode: t(`ablateMode_${trace.ablated.mode}`) })}` : '');
    this.lensStatus.textContent = status;
    this.el.dataset.lensBusy = String(Boolean(L1.job));
    this.lensJson.hidden = !have;
    if (have) this.lensTable.render(L1.result, trace, info, state.topK, state.palette); // colours follow the palette
    else if (L1.result && L1.result.model !== this.page.current()?.modelId) { this.lensBox.replaceChildren(); this.lensDetail.hidden = true; }
    // A stale table (an older text) stays until the new one comes, marked by the status line.
    this.lensBox.dataset.stale = String(!have);
  }

  askLens(trace, force = false) {
    if (!trace) return;
    const m = this.page.current();
    const state = this.store.state;
    const job = { key: this.lensKey(trace, state), modelId: m.modelId, ids: Uint32Array.from(trace.ids), k: Math.max(state.topK, 10), ablate: trace.ablated ?? null };
    if (force) this.lens.forKey = job.key;
    this.lens.waiting = job; // the newest waits; any older waiting one is dropped
    this.pumpLens();
    this.page.schedule();
  }

  async pumpLens() {
    const L1 = this.lens;
    if (L1.job || !L1.waiting) return;
    const job = L1.waiting;
    L1.waiting = null;
    L1.job = job;
    const t0 = performance.now();
    try {
      const lens = await this.page.engine.lens(job.modelId, { ids: job.ids }, job.k, job.ablate);
      lens.key = job.key;
      lens.model = job.modelId;
      L1.result = lens;
      L1.ms = performance.now() - t0;
      L1.error = null;
    } catch (e) {
      L1.error = e;
      L1.errorKey = job.key;
    } finally {
      L1.job = null;
      this.page.schedule();
      this.pumpLens();
    }
  }

  lensIdle() {
    return new Promise((resolve) => {
      const check = () => (!this.lens.job && !this.lens.waiting ? resolve() : setTimeout(check, 20));
      check();
    });
  }

  /** The lens as `glasswing lens --json` writes it: {ids, layers: [{top_ids, top_probs}]}, T x K each. */
  lensJsonText() {
    const r = this.lens.result;
    if (!r) return null;
    const layers = Array.from({ length: r.layers }, (_, l) => {
      const at = l * r.t * r.k;
      const ids = nestedInts(r.top_ids.subarray(at, at + r.t * r.k), r.k);
      return `{"top_ids":${ids},"top_probs":${nested(r.top_probs.subarray(at, at + r.t * r.k), [r.t, r.k])}}`;
    });
    return `{"ids":[${Array.from(r.ids).join(',')}],"layers":[${layers.join(',')}]}`;
  }

  saveLens() {
    const json = this.lensJsonText();
    if (json) download(new Blob([json, '\n'], { type: 'application/json' }), `${this.fileBase()}-lens.json`);
  }

  fileBase() {
    const m = this.page.current();
    return String(m?.entry?.file ?? m?.name ?? 'model').replace(/\.safetensors$/, '').replace(/[^\w.-]+/g, '_');
  }

  // ---- head scores ----

  async runScores() {
    const m = this.page.current();
    if (!m || this.scores.busy) return;
    const S = this.scores;
    S.busy = true;
    S.error = null;
    this.page.schedule();
    const t0 = performance.now();
    try {
      let opts;
      if (this.source.value === 'text') {
        const ids = Array.from(this.lastTrace?.ids ?? []);
        const half = ids.slice(0, Math.max(1, Math.floor(m.info.max_len / 2)));
        opts = { ids: [...half, ...half] };
      } else {
        const n = Number(this.lenInput.value);
        const seed = Number(this.seedInput.value);
        opts = { n: Number.isInteger(n) && n >= 1 ? n : 0, seed: Number.isInteger(seed) && seed >= 0 ? seed : 0 };
      }
      const result = await this.page.engine.headScores(m.modelId, opts);
      if (m !== this.page.current()) return;
      result.source = this.source.value;
      S.result = result;
      S.model = m.modelId;
      S.ms = performance.now() - t0;
    } catch (e) {
      S.error = e;
    } finally {
      S.busy = false;
      this.scoresDrawn = null;
      this.page.schedule();
    }
  }

  renderScores(state, info) {
    const S = this.scores;
    const m = this.page.current();
    if (!S.result && !S.busy && !S.error && S.model !== m?.modelId && info.num_params < SCORES_AUTO_PARAMS) {
      S.model = m?.modelId; // once per model
      this.runScores();
    }
    if (this.lenInput.placeholder === '' || this.lenInput.dataset.model !== String(m?.modelId)) {
      this.lenInput.dataset.model = String(m?.modelId);
      this.lenInput.placeholder = String(Math.max(1, Math.min(50, Math.floor(info.max_len / 2))));
      this.lenInput.max = String(Math.max(1, Math.floor(info.max_len / 2)));
    }
    this.scoresRun.disabled = S.busy;
    this.el.dataset.scoresBusy = String(S.busy);
    const r = S.result;
    const lang = getLang();
    if (S.busy) this.scoresStatus.textContent = t('interpBusy');
    else if (S.error) this.scoresStatus.textContent = t('interpFailed', { msg: translateError(S.error) });
    else if (r) this.scoresStatus.textContent = t('scoresDone', { s: secs(S.ms) });
    else this.scoresStatus.textContent = t('scoresNone');
    this.scoresJson.hidden = !r;
    if (!r) { this.gridBox.replaceChildren(); this.seqBox.replaceChildren(); this.seqCap.textContent = ''; return; }
    const key = `${lang}|${state.layer}.${state.head}|${state.ablate.map((x) => x.join('.')).join(',')}|${state.palette}`;
    if (this.scoresDrawn === key && this.scoresResult === r) return;
    this.scoresDrawn = key;
    this.scoresResult = r;
    this.seqCap.textContent = r.source === 'text'
      ? t('scoresSeqText', { n: count(r.n, lang) })
      : t('scoresSeqRandom', { n: count(r.n, lang), seed: r.seed });
    renderScores(this.gridBox, this.seqBox, r, info, state, (l, h) => isAblated(state, l, h));
  }

  /** The scores as `glasswing heads --json` writes them: {ids, previous_token, duplicate_token, induction}, L x H each. */
  scoresJsonText() {
    const r = this.scores.result;
    if (!r) return null;
    return `{"ids":[${Array.from(r.ids).join(',')}],${SCORE_KINDS.map((k) => `"${k}":${nested(r[k].data, r[k].shape)}`).join(',')}}`;
  }

  saveScores() {
    const json = this.scoresJsonText();
    if (json) download(new Blob([json, '\n'], { type: 'application/json' }), `${this.fileBase()}-heads.json`);
  }
}

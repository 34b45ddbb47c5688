// The explorer page: wires the model picker, the text box, the worker and
// the views together. Data flows one way: input -> engine (worker) -> trace
// -> views; the views only read the shared state and ask for changes.

import { Engine } from './engine.js';
import { InputCheck } from './alphabet.js';
import { checkAllOverflow, watchOverflow } from './overflow.js';
import { culprit, enableDrop, pickModelFiles, workerFiles } from './files.js';
import { count, percent, sampleInput } from './format.js';
import { applyStatic, getLang, humanBytes, setLang, t, translateError, LANGS } from './i18n.js';
import { activePos, clampToTrace, createStore, followSolo, initialState } from './state.js';
import { lutGradient, SEQUENTIAL } from './colors.js';
import { BarsView } from './views/bars.js';
import { HeadView } from './views/heads.js';
import { HiddenView } from './views/hidden.js';
import { MatrixView } from './views/matrix.js';
import { ModelView } from './views/model.js';
import { TokensView } from './views/tokens.js';
import { GeneratePanel } from './generate/panel.js';
import { TrainPanel } from './train/panel.js';
import { pageLink, startLinks } from './share/explorer.js';
import { initClassroom } from './classroom/index.js';
// Interpretability (issue 14): logit lens, head scores, click-to-ablate (interp/).
import { InterpView } from './interp/panel.js';
import { ablationFor, interpState } from './interp/state.js';
import { cancel, later, settled } from './later.js';

const DEBOUNCE_MS = 150;
const $ = (sel) => document.querySelector(sel);

const els = {
  select: $('#model-select'),
  file: $('#file-input'),
  folder: $('#folder-input'),
  progress: $('#load-progress'),
  desc: $('#model-desc'),
  facts: $('#model-facts'),
  input: $('#text-input'),
  inputLabel: $('#text-label'),
  inputHint: $('#input-hint'),
  error: $('#error'),
  errorText: $('#error .error-text'),
};

// Unknown characters marked, the model's alphabet on request, and a note
// while the views still show an older text (alphabet.js).
const inputCheck = new InputCheck({
  input: els.input, check: $('#input-check'), toggle: $('#alphabet-toggle'), list: $('#alphabet'), stale: $('#stale-note'),
});

function initialLang() {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (LANGS.includes(fromUrl)) return fromUrl;
  try {
    const saved = localStorage.getItem('glasswing.lang');
    if (LANGS.includes(saved)) return saved;
  } catch { /* storage may be blocked */ }
  return navigator.language?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

const link = pageLink(); // the view a shared link asks for (#model=…&text=…&layer=…; share/link.js)
const store = createStore({ ...initialState, ...interpState, lang: link.patch.lang ?? initialLang() });
setLang(store.state.lang);
const engine = new Engine();

// The page's model of the world: which models the picker offers, which one
// is showing, and the last good trace (kept on screen when a retrace fails).
const app = {
  models: new Map(), // picker value -> {kind, file?, entry?, name?, modelId?, info?}
  current: null, // the entry in `models` being shown
  trace: null,
  // A trace whose attention and probabilities take more bytes than this stays
  // in the worker, and the views ask for the slices they draw (tracedata.js).
  keepAbove: 32e6,
  tracedText: null, // the text box's value that `trace` was traced from
  traceCount: 0, // traces drawn
  attempts: 0, // traces asked for, whether they succeeded or not
  userCount: 0,
  errors: new Map(), // source ("engine" | "load" | "trace") -> {key, vars, raw}
  // renderMs and views: the last frame's drawing (a view off screen: 0);
  // frameMs: all its script (views, classroom, overflow watch);
  // retraceFrame: {frameMs, renderMs, views} of the frame that drew the
  // newest trace; later: what was drawn after that frame, per view (later.js).
  timings: { traceMs: null, renderMs: null, frameMs: null, retraceFrame: null, firstDrawMs: null, views: {}, later: {} },
  drawWaiters: [],
  deferred: [], // the views the last frame left for later (off screen)
};

// ---- views and the render loop -------------------------------------------

let frame = 0;
function schedule() { if (!frame) frame = requestAnimationFrame(renderAll); }

const views = {
  tokens: new TokensView($('#tokens'), store),
  heads: new HeadView($('#heads-panel'), store, schedule, { defer: true }),
  matrix: new MatrixView($('#matrix-panel'), store, schedule),
  model: new ModelView($('#model-panel'), store),
  bars: new BarsView($('#bars-panel'), store),
  hidden: new HiddenView($('#hidden-panel'), store, schedule),
  // After the others: it marks ablated heads in them and adds the unablated bars.
  interp: new InterpView($('#interp-panel'), store, { engine, current: () => app.current, schedule }),
};
const GPT_VIEWS = ['tokens', 'heads', 'matrix', 'model', 'bars', 'interp'];
const RNN_VIEWS = ['tokens', 'hidden', 'bars'];

// Which views are on screen: a view scrolled away is drawn after the frame
// (later.js), and in the frame once it shows. The tokens are always drawn
// (the other views' hover comes from them), and so is the interpretability
// view, which marks ablated heads and adds the unablated bars in the other
// views (drawn after the frame, it would resize them after every frame's
// draw, and the ResizeObserver on <main> would redraw forever). Unknown until
// first observed: drawn.
const ALWAYS_DRAWN = new Set(['tokens', 'interp']);
const onScreen = new Map(); // view element -> boolean
const seen = new IntersectionObserver((entries) => {
  let shown = false;
  for (const e of entries) {
    onScreen.set(e.target, e.isIntersecting);
    shown ||= e.isIntersecting;
  }
  if (shown) schedule();
});
for (const [name, view] of Object.entries(views)) if (!ALWAYS_DRAWN.has(name)) seen.observe(view.el);

// Step-by-step generation keeps its own session and redraws itself (generate/panel.js).
const generatePanel = new GeneratePanel($('#generate-panel'), {
  store, engine, input: els.input, current: () => app.current, showText: (text) => window.glasswing.retrace(text),
});

// Live training runs in its own worker (train/panel.js); "Explore this model"
// opens a copy of the weights like a chosen file, on the example it trained on.
const trainPanel = new TrainPanel($('#train-panel'), store, {
  explore: async (file, text) => {
    await openFiles([file]);
    if (text) { els.input.value = text; await retraceNow(); }
    els.select.focus({ preventScroll: true }); // keyboard users land on the picker, which names the new model
    $('.controls').scrollIntoView({ block: 'start' });
  },
});

let classroom = null; // lessons, presenter mode, palettes, shortcuts (classroom/index.js), set up below

// Boxes that scroll when their content is larger, and say so (overflow.js).
const SCROLLERS = '.views .scroller, #model-panel .thumb-grid, #generate-panel .scroller, #train-panel .live-guess-scroller, #train-panel .live-maps-box, #lesson .ex-temps';

function renderAll() {
  frame = 0;
  const f0 = performance.now();
  const trace = app.trace;
  if (trace) drawTrace(trace);
  // New boxes join the watch; a pointer move (same trace) needs no re-check:
  // watched boxes re-check themselves when they or their children resize.
  for (const el of document.querySelectorAll(SCROLLERS)) watchOverflow(el);
  // After the frame, when the page is laid out anyway (read in the frame, it
  // would lay the page out once more).
  if (trace !== app.checkedTrace) {
    app.checkedTrace = trace;
    later('overflow', () => { checkAllOverflow(); return true; });
  }
  app.timings.frameMs = performance.now() - f0;
  if (trace && trace !== app.drawnTrace) { // the frame that drew a new trace, kept from the redraws after it
    app.drawnTrace = trace;
    const { frameMs, renderMs, views } = app.timings;
    app.timings.retraceFrame = { frameMs, renderMs, views: { ...views } };
  }
  // Whoever waits for this frame is released even when there was nothing to
  // draw (a model switch clears the trace): a waiter left behind would hold
  // the trace queue (pump) forever.
  const waiters = app.drawWaiters;
  app.drawWaiters = [];
  for (const resolve of waiters) resolve();
}

function drawTrace(trace) {
  const t0 = performance.now();
  app.deferred = [];
  for (const name of trace.attention ? GPT_VIEWS : RNN_VIEWS) {
    const view = views[name];
    const job = `view:${name}`; // (a view may leave work for later itself, as its own owner)
    if (onScreen.get(view.el) === false) {
      app.timings.views[name] = 0;
      app.deferred.push(name);
      later(job, () => {
        if (app.trace === trace) app.timings.later[name] = drawView(name, trace);
        return true;
      });
      continue;
    }
    cancel(job);
    app.timings.views[name] = drawView(name, trace);
    delete app.timings.later[name];
  }
  try { classroom?.render(trace, store.state, app.current.info); } catch (e) { console.error('classroom:', e); }
  app.timings.renderMs = performance.now() - t0;
  if (app.timings.firstDrawMs === null) app.timings.firstDrawMs = performance.now();
}

/** One view drawn. -> the milliseconds it took */
function drawView(name, trace) {
  const v0 = performance.now();
  // One view failing must not blank the others.
  try { views[name].render(trace, store.state, app.current.info); } catch (e) { console.error(`view ${name}:`, e); }
  return performance.now() - v0;
}

/** Resolves after the next frame (drawn, or empty when there is no trace). */
function nextFrame() {
  return new Promise((resolve) => { app.drawWaiters.push(resolve); schedule(); });
}

/** Resolves once the next frame is drawn and so is everything it left for later (off screen). */
async function nextDraw() {
  await nextFrame();
  await settled();
}

store.subscribe((state, changed) => {
  if (changed.includes('lang')) relabel();
  const solo = followSolo(state, changed); // a head shown alone follows the focused head
  if (solo) store.set(solo);
  // Ablated heads change the model: every view is retraced (interp/ablation.js).
  if (changed.includes('ablate') || changed.includes('ablateMode')) {
    const ablation = JSON.stringify(ablationFor(state, app.current?.info));
    if (app.trace && ablation !== app.ablation) retraceNow();
    app.ablation = ablation;
  }
  schedule();
});

new ResizeObserver(() => schedule()).observe($('main'));

// ---- errors ---------------------------------------------------------------

/** `raw`: the error (worded by translateError in the current language), or null. */
function showError(source, key, vars = {}, raw = null) {
  app.errors.set(source, { key, vars, raw });
  drawErrors();
}
function clearError(source) {
  if (app.errors.delete(source)) drawErrors();
}
function drawErrors() {
  const msgs = [...app.errors.values()].map(({ key, vars, raw }) => t(key, { ...vars, msg: raw === null ? '' : translateError(raw) }));
  els.errorText.textContent = msgs.join(' · ');
  els.error.hidden = msgs.length === 0;
}
$('#error .error-close').addEventListener('click', () => { app.errors.clear(); drawErrors(); });

// ---- language -------------------------------------------------------------

function relabel() {
  setLang(store.state.lang);
  try { localStorage.setItem('glasswing.lang', store.state.lang); } catch { /* ignore */ }
  applyStatic();
  document.body.dataset.lang = store.state.lang;
  for (const b of document.querySelectorAll('.lang-switch button')) {
    b.setAttribute('aria-pressed', String(b.dataset.lang === store.state.lang));
  }
  fillPicker();
  describeModel();
  drawErrors();
  progress.relabel();
  inputCheck.draw();
  checkAllOverflow();
}
for (const b of document.querySelectorAll('.lang-switch button')) {
  b.addEventListener('click', () => store.set({ lang: b.dataset.lang }));
}

// ---- the model picker -----------------------------------------------------

function modelLabel(m) {
  if (m.kind === 'user') return t('yourFile', { name: m.name });
  return (getLang() === 'zh' && m.entry.title_zh) || m.entry.title || m.entry.file;
}

function fillPicker() {
  const groups = [['shipped', t('shipped')], ['user', t('yours')]];
  const frag = document.createDocumentFragment();
  for (const [kind, label] of groups) {
    const entries = [...app.models].filter(([, m]) => m.kind === kind);
    if (!entries.length) continue;
    const group = document.createElement('optgroup');
    group.label = label;
    for (const [value, m] of entries) {
      const opt = document.createElement('option');
      opt.value = value;
      opt.textContent = modelLabel(m);
      group.append(opt);
    }
    frag.append(group);
  }
  els.select.replaceChildren(frag);
  if (store.state.modelKey) els.select.value = store.state.modelKey;
}

function describeModel() {
  const m = app.current;
  if (!m?.info) return;
  const { info } = m;
  const meta = info.metadata ?? {};
  const zh = getLang() === 'zh';
  els.desc.textContent = m.kind === 'shipped'
    ? (zh && m.entry.description_zh) || m.entry.description || ''
    : meta.description || meta.title || '';
  const c = info.config ?? {};
  let facts;
  if (info.arch === 'gpt2') facts = [['arch', 'GPT-2'], ['layers', c.n_layer], ['heads', c.n_head], ['embd', c.n_embd]];
  else if (info.arch === 'rnn') facts = [['arch', `RNN (${c.nonlinearity ?? 'tanh'})`], ['layers', c.num_layers], ['hiddenSize', c.hidden_size]];
  else {
    // Llama and Qwen2 are one family in the core; the config names which.
    facts = [['arch', info.architecture ?? 'Llama'], ['layers', c.num_hidden_layers], ['heads', c.num_attention_heads]];
    if (c.num_key_value_heads !== c.num_attention_heads) facts.push(['kvHeads', c.num_key_value_heads]);
    facts.push(['embd', c.hidden_size]);
  }
  // The longest input this browser's memory budget traces (the core's own
  // estimate, wasm maxTokens): always for RoPE models, whose only other limit
  // is the trained context, and for the others when it is below their maximum.
  const lang = getLang();
  const fits = info.max_tokens;
  const maxLen = typeof fits === 'number' && (info.arch === 'llama' || fits < info.max_len)
    ? t('maxLenBrowser', { max: count(info.max_len, lang), n: count(fits, lang) })
    : count(info.max_len, lang);
  facts.push(['vocab', c.vocab_size], ['maxLen', maxLen], ['params', count(info.num_params, lang)]);
  facts.push(['tokenizer', t({ bpe: 'tokenizerBpe', chars: 'tokenizerChars' }[info.tokenizer] ?? 'tokenizerNone')]);
  els.facts.replaceChildren(...facts.map(([key, value]) => {
    const div = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = t(key);
    const dd = document.createElement('dd');
    dd.textContent = String(value ?? '?');
    div.append(dt, dd);
    return div;
  }));
  const idsMode = !info.tokenizer;
  els.inputLabel.textContent = t(idsMode ? 'ids' : 'text');
  // A model of yours without a tokenizer: say which files would give it one.
  const idsHint = m.kind === 'user' ? 'idsHintNoTokenizer' : 'idsHint';
  els.inputHint.textContent = idsMode ? t(idsHint, { max: (c.vocab_size ?? 1) - 1 }) : t('textHint');
}

async function showModel(value, { keepText = false } = {}) {
  const m = app.models.get(value);
  if (!m) return;
  document.body.dataset.busy = 'true';
  try {
    if (!m.modelId) {
      els.desc.textContent = t('loading');
      const { modelId, info } = await engine.loadUrl(new URL(`models/${m.entry.file}`, location.href).href);
      Object.assign(m, { modelId, info });
    }
    clearError('load');
  } catch (e) {
    showError('load', 'loadFailed', { name: m.kind === 'user' ? m.name : m.entry.file }, e);
    els.select.value = store.state.modelKey ?? '';
    describeModel();
    return;
  } finally {
    document.body.dataset.busy = 'false';
  }
  app.current = m;
  store.set({ modelKey: value, layer: 0, head: 0, headsOn: [], pos: null, hover: null, ...(store.state.ablate.length ? { ablate: [] } : {}) });
  els.select.value = value;
  describeModel();
  if (!keepText) els.input.value = m.entry?.example ?? sampleInput(m.info);
  // A new model starts from a clean slate: the old trace belongs to the old model.
  setTrace(null);
  app.tracedText = null;
  inputCheck.setModel(m.info);
  inputCheck.setStale(null);
  clearError('trace');
  await retraceNow();
}

els.select.addEventListener('change', () => showModel(els.select.value));

// ---- opening your own model ----------------------------------------------

// The folder's files are read by the worker, slice by slice, with a progress
// bar here; the page stays responsive, and a model that fails to open leaves
// the last good one on screen.
const progress = {
  bar: els.progress.querySelector('progress'),
  text: els.progress.querySelector('.load-text'),
  show(name, loaded, total) {
    const p = total > 0 ? Math.min(1, loaded / total) : 0;
    this.bar.value = p;
    this.text.textContent = t('loadProgress', { name, loaded: humanBytes(loaded), total: humanBytes(total), pct: percent(p) });
    els.progress.dataset.loaded = String(loaded);
    els.progress.dataset.total = String(total);
    els.progress.hidden = false;
    this.last = [name, loaded, total];
  },
  hide() { els.progress.hidden = true; this.last = null; },
  relabel() { if (this.last) this.show(...this.last); },
};

/** `files`: a FileList, File[], [{file, path}] or a promise of one (a drop being walked). */
async function openFiles(files) {
  let picked;
  try {
    picked = pickModelFiles(await files);
  } catch (e) {
    if (['needSafetensors', 'severalModels', 'sharded'].includes(e.code)) showError('load', e.code, e.fields);
    else showError('load', 'loadFailed', { name: '' }, e);
    return;
  }
  const loadName = picked.names.weights;
  progress.show(loadName, 0, picked.weights.size);
  document.body.dataset.loading = 'true';
  try {
    const { modelId, info } = await engine.loadFolder(workerFiles(picked), ({ loaded, total }) => progress.show(loadName, loaded, total));
    const value = `user:${++app.userCount}`;
    // Two folders' weights are both model.safetensors: a second one is numbered.
    const same = [...app.models.values()].filter((m) => m.kind === 'user' && m.baseName === picked.name).length;
    app.models.set(value, { kind: 'user', name: same ? `${picked.name} (${same + 1})` : picked.name, baseName: picked.name, files: picked.names, modelId, info });
    fillPicker();
    clearError('load');
    // Keep the current text when the new model can read it (a Hub tokenizer reads any text).
    const m = app.models.get(value);
    let keep = false;
    if (info.tokenizer && els.input.value) {
      try { keep = (await engine.encode(modelId, els.input.value)).length <= info.max_len; } catch { keep = false; }
    }
    if (!keep) els.input.value = sampleInput(info);
    m.entry = null;
    await showModel(value, { keepText: true });
  } catch (e) {
    showError('load', 'loadFailed', { name: culprit(e, picked) }, withoutFileName(e, culprit(e, picked)));
  } finally {
    progress.hide();
    document.body.dataset.loading = 'false';
  }
}

/** A tokenizer error whose detail starts with the file the error line already names, without it. */
function withoutFileName(e, name) {
  const detail = e?.fields?.detail;
  if (e?.code !== 'tokenizer' || typeof detail !== 'string' || !detail.startsWith(`${name}: `)) return e;
  return Object.assign(new Error(e.message), { code: e.code, fields: { ...e.fields, detail: detail.slice(name.length + 2) } });
}

for (const input of [els.file, els.folder]) {
  input.addEventListener('change', async () => {
    const files = Array.from(input.files ?? []);
    input.value = ''; // choosing the same files again fires change again
    if (files.length) await openFiles(files);
  });
}
enableDrop(document, $('#drop-overlay'), (files) => openFiles(files));

// ---- tracing --------------------------------------------------------------

/** Parses "1, 2, 3" for models without a vocabulary. -> {ids} or {bad: the first non-number} */
function parseIds(text) {
  const parts = text.split(/[\s,，]+/).filter(Boolean);
  const bad = parts.find((s) => !/^\d+$/.test(s));
  return bad === undefined ? { ids: parts.map(Number) } : { bad };
}

// At most one trace in flight; while it runs, only the newest request waits
// (typing fast skips the stale texts in between).
let inflight = false;
let queued = null;

function retraceNow() {
  return new Promise((resolve) => {
    if (queued) queued.waiters.push(resolve);
    else queued = { waiters: [resolve] };
    pump();
  });
}

async function pump() {
  if (inflight || !queued || !app.current) return;
  const job = queued;
  queued = null;
  inflight = true;
  const m = app.current;
  const text = els.input.value;
  const t0 = performance.now();
  // Every character the model cannot read is marked at once, before the trace.
  const unknown = inputCheck.check(text);
  els.input.setAttribute('aria-invalid', String(unknown.length > 0 && !m.info.vocab?.includes('<unk>')));
  // The last good trace stays drawn when a text fails, marked as the older text's.
  const failed = () => inputCheck.setStale(app.trace && app.tracedText !== text ? app.tracedText : null);
  // What the views will draw first comes with a kept trace; the one it replaces is freed first.
  const opts = { keepAbove: app.keepAbove, want: { layer: store.state.layer, pos: store.state.pos }, replaces: app.trace?.kept ?? null, ablate: ablationFor(store.state, m.info) };
  if (opts.replaces !== null) app.trace.free(true);
  try {
    let trace;
    if (m.info.tokenizer) {
      trace = await engine.traceText(m.modelId, text, opts);
    } else {
      const parsed = parseIds(text);
      if (parsed.bad !== undefined) {
        showError('trace', 'badIds', { s: parsed.bad });
        failed();
        return;
      }
      trace = await engine.traceIds(m.modelId, parsed.ids, opts);
    }
    // A trace for a model no longer shown is dropped, and nothing waits for its draw.
    if (m !== app.current) trace.free();
    else {
      accept(trace, performance.now() - t0);
      app.tracedText = text;
      inputCheck.setStale(null);
      clearError('trace');
      // The next trace may start once this one is on screen; what is off screen follows.
      await nextFrame();
    }
  } catch (e) {
    // A failure for a model no longer shown is old news. Unknown characters
    // are already marked under the text box (all of them, not only the first).
    if (m === app.current) {
      if (e.code === 'unknown_char' && unknown.length) clearError('trace');
      else showError('trace', 'traceFailed', {}, e);
      failed();
    }
  } finally {
    inflight = false;
    app.attempts++;
    for (const resolve of job.waiters) resolve();
    pump();
  }
}

/** The trace the views draw: a kept one redraws them as its slices arrive, and is freed when replaced. */
function setTrace(trace) {
  if (app.trace && app.trace !== trace) { app.trace.free(); app.offSlice?.(); }
  app.trace = trace;
  app.offSlice = trace?.onSlice(schedule);
}

function accept(trace, ms) {
  setTrace(trace);
  app.traceCount++;
  app.timings.traceMs = ms;
  document.body.dataset.arch = trace.arch;
  document.body.dataset.t = String(trace.ids.length);
  store.set(clampToTrace(store.state, trace));
  schedule();
}

let debounce = 0;
els.input.addEventListener('input', () => {
  clearTimeout(debounce);
  debounce = setTimeout(retraceNow, DEBOUNCE_MS);
});

// ---- start ----------------------------------------------------------------

async function start() {
  relabel();
  $('.seq-legend .legend-bar').style.background = lutGradient(SEQUENTIAL);
  try {
    await engine.ready;
  } catch (e) {
    showError('engine', 'engineFailed', {}, e);
    return;
  }
  let index = [];
  try {
    const res = await fetch('models/index.json');
    if (!res.ok) throw new Error(`${res.status} models/index.json`);
    index = await res.json();
  } catch (e) {
    showError('load', 'loadFailed', { name: 'models/index.json' }, e);
  }
  for (const entry of index) app.models.set(`shipped:${entry.file}`, { kind: 'shipped', entry });
  fillPicker();
  const wanted = new URLSearchParams(location.search).get('model');
  const first = wanted && app.models.has(`shipped:${wanted}`) ? `shipped:${wanted}` : app.models.keys().next().value;
  // Opens the link's model, text and view (else `first`), then keeps the hash in step (share/explorer.js).
  app.share = await startLinks({ store, app, els, showModel, retraceNow }, link, first);
}

const ready = start().then(() => { document.body.dataset.ready = 'true'; });

// A small window for tests and the benchmark: read the state, wait for a draw.
window.glasswing = {
  state: store.state,
  store,
  ready,
  engine,
  timings: app.timings,
  get lastTrace() { return app.trace; },
  get traceCount() { return app.traceCount; },
  get attempts() { return app.attempts; },
  get info() { return app.current?.info ?? null; },
  get modelId() { return app.current?.modelId ?? null; },
  get activePos() { return app.trace ? activePos(store.state, app.trace.ids.length) : null; },
  /** Bytes above which the worker keeps a trace (tests set 0 to keep every one). */
  get keepAbove() { return app.keepAbove; },
  set keepAbove(bytes) { app.keepAbove = bytes; },
  /** Sets the text box and resolves once the new trace is drawn, off screen too (skips the debounce). */
  async retrace(text) {
    if (text !== undefined) els.input.value = text;
    await retraceNow();
    await settled();
  },
  nextDraw,
  /** Resolves right after the next frame's drawing, before what it left for later (tests). */
  nextFrame,
  /** The views the last frame left for later, being off screen. */
  get deferred() { return app.deferred ?? []; },
  generate: generatePanel.api, // {step, play, pause, back, restart, force, goTo, idle, ids, text}
  train: trainPanel, // {status, step, metrics, client, ensureWorker()}
  interp: views.interp.api, // {lens(), scores(), lensIdle(), runScores(), lensJson(), scoresJson()}
};

// Lessons, presenter mode, heatmap palettes, keyboard shortcuts and canvas
// descriptions (classroom/): they follow state.lesson / presenter / palette.
classroom = initClassroom({
  store, engine, ready, input: els.input, showModel, nextDraw,
  models: () => app.models,
  current: () => app.current,
  trace: () => app.trace,
  setText: (text) => { els.input.value = text; return retraceNow(); },
  // A new trace object makes every view drop its caches and lay out afresh.
  refresh: () => { if (app.trace) app.trace = { ...app.trace }; return nextDraw(); },
  errorText: () => els.errorText.textContent,
});
window.glasswing.classroom = classroom;

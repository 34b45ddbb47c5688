// <glasswing-view>: one live Glasswing view inside any page, with one tag:
//
//   <script type="module" src="glasswing-view.js"></script>
//   <glasswing-view model="induction-gpt.safetensors" text="qxmw|qxm"
//                   view="heads" layer="2" head="1"></glasswing-view>
//
// Attributes (all optional but model): model (a file in the models folder
// beside this module, or a path relative to `src`), text, view (heads |
// matrix | model | bars | hidden), layer, head, pos (counted from 1, as on the
// page and in links: layer="1" is the first layer), heads ("1011": head toggles), k (top k bars), lang (en | zh),
// src (another models folder, relative to the page), explorer (the full
// explorer's URL for the "Open in Glasswing" link), no-link, fit (fill the
// element's own height, as embed.html does). Changing an attribute updates
// the view; the reader's own clicks (layer, head, position) are kept until
// the author's attribute changes again.
//
// Every element on a page shares ONE model worker, and a model file is
// fetched once however many elements show it. Everything is resolved against
// this module's URL, so a page in any folder of the same site can use it;
// nothing comes from another origin: a model or src naming another origin is
// refused with a message in the element, before any request. The drawing is the explorer's own
// views (js/views/*.js) in a shadow root, styled by css/glasswing-view.css.
//
// Events: "glasswing-change" (detail: {state, trace}) after the reader
// changes the view, "glasswing-draw" after each draw. Properties: state,
// trace, info, error, drawCount, linkHash (the view as a link hash),
// ready (a promise that resolves at the first draw or error).

import { Engine } from './js/engine.js';
import { sampleInput } from './js/format.js';
import { getLang, setLang, t, translateError, LANGS } from './js/i18n.js';
import { clampToTrace, createStore, followSolo, initialState } from './js/state.js';
import { formatLink, parseLink, VIEWS } from './js/share/link.js';
import { BarsView } from './js/views/bars.js';
import { HeadView } from './js/views/heads.js';
import { HiddenView } from './js/views/hidden.js';
import { MatrixView } from './js/views/matrix.js';
import { ModelView } from './js/views/model.js';
import { TokensView } from './js/views/tokens.js';

const BASE = new URL('./', import.meta.url);
const OWN_ORIGIN = BASE.origin;
const STYLE_URL = new URL('css/glasswing-view.css', BASE).href;
const VIEW_LABELS = { heads: 'headView', matrix: 'matrix', model: 'modelView', bars: 'bars', hidden: 'hidden' };
const GPT_VIEWS = ['heads', 'matrix', 'model', 'bars'];
const RNN_VIEWS = ['hidden', 'bars'];
const PLAIN_FILE = /^[\w][\w.-]{0,127}$/;

// ---- shared by every element on the page ---------------------------------

let engine = null;
/** The page's one model worker, started by the first element that needs it. */
function sharedEngine() {
  engine ??= new Engine(new URL('js/worker.js', BASE));
  return engine;
}

const loads = new Map(); // absolute model URL -> Promise<{modelId, info}>
function loadModel(url) {
  if (!loads.has(url)) {
    const p = sharedEngine().loadUrl(url);
    p.catch(() => loads.delete(url)); // a failed load may be retried
    loads.set(url, p);
  }
  return loads.get(url);
}

const indexes = new Map(); // models folder URL -> Promise<index.json entries>
function modelIndex(folder) {
  if (!indexes.has(folder)) {
    indexes.set(folder, fetch(new URL('index.json', folder)).then((r) => (r.ok ? r.json() : [])).catch(() => []));
  }
  return indexes.get(folder);
}

// ---- the view skeletons the explorer's view classes expect ----------------

function div(cls, ...children) {
  const e = document.createElement('div');
  e.className = cls;
  e.append(...children);
  return e;
}
function p(cls) {
  const e = document.createElement('p');
  e.className = cls;
  return e;
}

/** The markup of one explorer panel (see index.html), without its headings and hints. */
function skeleton(view) {
  const box = div(`gv-view gv-${view}`);
  box.dataset.view = view;
  if (view === 'heads') {
    box.append(div('pickers', div('layer-picker'), div('head-toggles')),
      div('scroller', document.createElement('canvas')), p('head-note hint'));
  } else if (view === 'matrix') {
    const readout = p('readout');
    readout.setAttribute('aria-live', 'polite');
    box.append(div('pickers', div('layer-picker'), div('head-picker')),
      div('matrix-box scroller', document.createElement('canvas')), readout);
  } else if (view === 'model') {
    box.append(div('thumb-grid'), p('model-note hint'));
  } else if (view === 'bars') {
    const k = document.createElement('input');
    k.className = 'topk';
    k.type = 'number';
    k.min = '1';
    k.max = '50';
    const label = document.createElement('label');
    label.className = 'topk-label';
    const caption = document.createElement('span');
    label.append(caption, ' ', k);
    const list = document.createElement('ol');
    list.className = 'bars';
    box.append(div('bars-head', p('bars-after'), label), list, p('entropy'), p('uniform hint'), p('actual hint'));
  } else {
    const readout = p('readout');
    readout.setAttribute('aria-live', 'polite');
    box.append(div('hidden-layers'), readout);
  }
  return box;
}

/** "1, 2, 3" for a model without a vocabulary. -> ids, or throws with the first bad part. */
function parseIds(text) {
  const parts = text.split(/[\s,，]+/).filter(Boolean);
  const bad = parts.find((s) => !/^\d+$/.test(s));
  if (bad !== undefined) throw new Error(t('badIds', { s: bad }));
  return parts.map(Number);
}

/** Attribute text -> integer ≥ 0, or undefined. */
function intAttr(s) {
  return s !== null && /^\s*\d{1,6}\s*$/.test(s) ? Number(s) : undefined;
}

/** A number people write from 1 ("1" = the first layer) -> the 0-based index, or undefined. */
function ordinalAttr(s) {
  const n = intAttr(s);
  return n === undefined ? undefined : Math.max(0, n - 1);
}

export class GlasswingView extends HTMLElement {
  static observedAttributes = ['model', 'text', 'view', 'layer', 'head', 'pos', 'heads', 'k', 'lang', 'src', 'explorer', 'no-link'];

  constructor() {
    super();
    this.store = createStore({ ...initialState, lang: 'en' });
    this.trace = null;
    this.info = null;
    this.error = null;
    this.drawCount = 0;
    this.applied = {}; // attribute values already applied to the state
    this.queue = Promise.resolve();
    this.frame = 0;
    this.ready = new Promise((resolve) => { this.resolveReady = resolve; });

    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('link');
    style.rel = 'stylesheet';
    style.href = STYLE_URL;
    this.styled = new Promise((resolve) => { style.onload = resolve; style.onerror = resolve; });
    this.frameEl = div('gv');
    this.frameEl.setAttribute('role', 'group');
    this.tokensEl = div('gv-tokens tokens');
    this.viewSlot = div('gv-body');
    this.msgEl = p('gv-msg');
    this.msgEl.setAttribute('role', 'status');
    this.errorEl = p('gv-error');
    this.errorEl.setAttribute('role', 'alert');
    this.errorEl.hidden = true;
    this.titleEl = document.createElement('span');
    this.titleEl.className = 'gv-title';
    this.linkEl = document.createElement('a');
    this.linkEl.className = 'gv-open';
    this.linkEl.target = '_blank';
    this.linkEl.rel = 'noopener';
    this.footEl = div('gv-foot', this.titleEl, this.linkEl);
    this.frameEl.append(this.tokensEl, this.viewSlot, this.msgEl, this.errorEl, this.footEl);
    root.append(style, this.frameEl);

    this.tokensView = new TokensView(this.tokensEl, this.store);
    this.view = null; // {name, el, view}
    this.store.subscribe((state, changed) => {
      const solo = followSolo(state, changed); // a head shown alone follows the focused head
      if (solo) { this.store.set(solo); return; }
      this.schedule();
      if (changed.some((k) => k !== 'hover')) {
        this.dispatchEvent(new CustomEvent('glasswing-change', { detail: { state, trace: this.trace } }));
      }
    });
    this.resize = new ResizeObserver(() => this.schedule());
  }

  get state() { return this.store.state; }

  /**
   * A model name the embedding page refused (embed.html: a link naming
   * something that is not a model file), said instead of "No model chosen"
   * while the model attribute is absent.
   */
  get rejectedModel() { return this.rejected ?? null; }

  set rejectedModel(name) {
    this.rejected = name || null;
    if (this.isConnected) this.update();
  }

  connectedCallback() {
    this.resize.observe(this);
    this.update();
  }

  disconnectedCallback() { this.resize.disconnect(); }

  attributeChangedCallback() { if (this.isConnected) this.update(); }

  /** Attribute changes in one task are handled together, one sync at a time. */
  update() {
    if (this.updateQueued) return;
    this.updateQueued = true;
    queueMicrotask(() => {
      this.updateQueued = false;
      this.queue = this.queue.then(() => this.sync()).catch((e) => this.fail(e));
    });
  }

  /** The lang attribute, else the page's language around the element (zh or en). */
  lang() {
    const l = this.getAttribute('lang');
    if (LANGS.includes(l)) return l;
    return this.closest('[lang]')?.getAttribute('lang')?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  }

  /** Runs `fn` with this element's language (labels come from the page-wide i18n table). */
  inLang(fn) {
    const before = getLang();
    setLang(this.store.state.lang);
    try { return fn(); } finally { setLang(before); }
  }

  modelsFolder() {
    const src = this.getAttribute('src');
    if (!src) return new URL('models/', BASE).href;
    const url = new URL(src, document.baseURI);
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url.href;
  }

  /** Brings the trace and the state in line with the attributes. */
  async sync() {
    const lang = this.lang();
    if (lang !== this.store.state.lang) this.store.set({ lang });
    const model = (this.getAttribute('model') ?? '').trim();
    if (!model) {
      const rejected = this.rejectedModel;
      this.showError(this.inLang(() => (rejected ? t('embedBadModel', { name: rejected }) : t('embedNoModel'))));
      this.resolveReady();
      return;
    }
    const folder = this.modelsFolder();
    const resolved = new URL(model, folder);
    // Only this module's own site: neither a model elsewhere nor a models
    // folder elsewhere (its index.json) is ever requested.
    const foreign = [[resolved, model], [new URL(folder), this.getAttribute('src')]].find(([u]) => u.origin !== OWN_ORIGIN);
    if (foreign) {
      const [u, name] = foreign;
      const origin = u.origin === 'null' ? `${u.protocol}…` : u.origin;
      this.showError(this.inLang(() => t('embedOtherOrigin', { name, origin, own: OWN_ORIGIN })));
      this.resolveReady();
      return;
    }
    const url = resolved.href;
    if (url !== this.modelUrl) {
      this.msgEl.textContent = this.inLang(() => t('embedLoading'));
      let loaded;
      try {
        loaded = await loadModel(url);
      } catch (e) {
        this.msgEl.textContent = '';
        this.showError(this.inLang(() => t('loadFailed', { name: model, msg: translateError(e) })));
        this.resolveReady();
        return;
      }
      this.modelUrl = url;
      this.modelId = loaded.modelId;
      this.info = loaded.info;
      this.entry = (await modelIndex(folder)).find((m) => new URL(m.file, folder).href === url) ?? null;
      this.tracedText = undefined;
      this.msgEl.textContent = '';
    }
    const text = this.getAttribute('text') ?? this.entry?.example ?? sampleInput(this.info);
    if (text !== this.tracedText || this.tracedModel !== this.modelId) {
      try {
        const trace = this.info.tokenizer
          ? await sharedEngine().traceText(this.modelId, text)
          : await sharedEngine().traceIds(this.modelId, parseIds(text));
        this.trace = trace;
        this.tracedText = text;
        this.tracedModel = this.modelId;
        this.clearError();
      } catch (e) {
        // The last good trace stays on screen under the message.
        this.showError(this.inLang(() => translateError(e)));
        if (!this.trace) { this.resolveReady(); return; }
      }
    }
    this.applyAttributes();
    this.schedule();
  }

  /** Attributes that changed since last time become state (clamped to the trace). */
  applyAttributes() {
    const patch = {};
    const changed = (name) => {
      const v = this.getAttribute(name);
      if (this.applied[name] === v) return false;
      this.applied[name] = v;
      return true;
    };
    if (changed('layer')) patch.layer = ordinalAttr(this.getAttribute('layer')) ?? 0;
    if (changed('head')) patch.head = ordinalAttr(this.getAttribute('head')) ?? 0;
    if (changed('pos')) patch.pos = ordinalAttr(this.getAttribute('pos')) ?? null;
    if (changed('k')) patch.topK = Math.min(50, Math.max(1, intAttr(this.getAttribute('k')) ?? 10));
    if (changed('heads')) {
      const bits = this.getAttribute('heads');
      patch.headsOn = bits && /^[01]{1,64}$/.test(bits) ? [...bits].map((c) => c === '1') : [];
    }
    if (changed('view')) {
      const v = this.getAttribute('view');
      patch.view = VIEWS.includes(v) ? v : null;
    }
    const next = { ...this.store.state, ...patch };
    this.store.set({ ...patch, ...clampToTrace(next, this.trace) });
  }

  /** The view drawn: the asked one if this model has it, else its first. */
  viewName() {
    const views = this.trace?.attention ? GPT_VIEWS : RNN_VIEWS;
    const v = this.store.state.view;
    return views.includes(v) ? v : views[0];
  }

  ensureView(name) {
    if (this.view?.name === name) return this.view;
    const el = skeleton(name);
    this.viewSlot.replaceChildren(el);
    const schedule = () => this.schedule();
    const View = { heads: HeadView, matrix: MatrixView, model: ModelView, bars: BarsView, hidden: HiddenView }[name];
    this.view = { name, el, view: new View(el, this.store, schedule) };
    return this.view;
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  async render() {
    this.frame = 0;
    await this.styled; // views measure their boxes: wait for the styles
    const trace = this.trace;
    if (!trace || !this.isConnected) return;
    this.inLang(() => {
      const name = this.viewName();
      const { el, view } = this.ensureView(name);
      this.fitBefore(name, el, view);
      const label = el.querySelector('.topk-label span');
      if (label) label.textContent = t('topK');
      try {
        this.tokensView.render(trace, this.store.state, this.info);
        view.render(trace, this.store.state, this.info);
        this.fitAfter(name, el, view);
      } catch (e) {
        console.error('glasswing-view:', e);
      }
      const asked = this.store.state.view;
      this.msgEl.textContent = asked && asked !== name
        ? t('embedNoView', { view: t(VIEW_LABELS[asked]), other: t(VIEW_LABELS[name]) }) : '';
      const zh = this.store.state.lang === 'zh';
      const title = (zh && this.entry?.title_zh) || this.entry?.title || this.info.metadata?.title || this.getAttribute('model');
      this.titleEl.textContent = title;
      this.frameEl.setAttribute('aria-label', t('embedLabel', { view: t(VIEW_LABELS[name]), model: title }));
      this.frameEl.lang = this.store.state.lang === 'zh' ? 'zh-CN' : 'en';
      this.updateLink(name);
    });
    this.dataset.state = this.error ? 'error' : 'ready';
    this.dataset.view = this.viewName();
    this.dataset.t = String(trace.ids.length);
    this.drawCount++;
    this.resolveReady();
    this.dispatchEvent(new CustomEvent('glasswing-draw'));
  }

  /**
   * In fit mode the view must fit the element's height: the head view gets a
   * height budget for its rows, the matrix a width equal to the height left
   * for it (then shrinks by any overflow measured after drawing).
   */
  fitBefore(name, el, view) {
    const fit = this.hasAttribute('fit');
    if (name === 'heads') {
      const scroller = el.querySelector('.scroller');
      const budget = fit ? Math.max(60, scroller.clientHeight - 14) : undefined;
      if (view.fitHeight !== budget) { view.fitHeight = budget; view.geom = null; }
    } else if (name === 'matrix') {
      const box = el.querySelector('.matrix-box');
      if (!fit) { box.style.maxWidth = ''; return; }
      const key = `${box.clientHeight}|${this.viewSlot.clientWidth}|${this.trace.ids.length}`;
      if (this.fitKey !== key) { this.fitKey = key; box.style.maxWidth = `${Math.max(220, box.clientHeight)}px`; }
    }
  }

  fitAfter(name, el, view) {
    if (!this.hasAttribute('fit')) return;
    if (name === 'heads') {
      // Drawing the pickers may have taken room: measure again once.
      const budget = Math.max(60, el.querySelector('.scroller').clientHeight - 14);
      if (budget !== view.fitHeight) this.schedule();
      return;
    }
    if (name !== 'matrix') return;
    const box = el.querySelector('.matrix-box');
    const over = box.querySelector('canvas').offsetHeight - box.clientHeight;
    const width = parseFloat(box.style.maxWidth);
    if (over > 0 && width > 220) {
      box.style.maxWidth = `${Math.max(220, width - over - 1)}px`;
      this.schedule();
    }
  }

  /** The view as a link hash (the explorer's and embed.html's format). */
  /** A model the explorer can open from a link: a plain file name in the default models folder. */
  linkable() {
    const model = this.getAttribute('model') ?? '';
    return PLAIN_FILE.test(model) && this.modelsFolder() === new URL('models/', BASE).href;
  }

  get linkHash() {
    const s = this.store.state;
    return formatLink({ model: this.linkable() ? this.getAttribute('model') : undefined, text: this.tracedText }, {
      lang: s.lang, view: this.viewName(), layer: s.layer, head: s.head, headsOn: s.headsOn, pos: s.pos, topK: s.topK,
    });
  }

  updateLink() {
    this.linkEl.hidden = !this.linkable() || this.hasAttribute('no-link');
    this.linkEl.textContent = `${t('openExplorer')} ↗`;
    const explorer = new URL(this.getAttribute('explorer') ?? 'index.html', this.getAttribute('explorer') ? document.baseURI : BASE);
    explorer.hash = this.linkHash;
    this.linkEl.href = explorer.href;
  }

  showError(msg) {
    this.error = msg;
    this.errorEl.textContent = msg;
    this.errorEl.hidden = false;
    this.dataset.state = 'error';
  }

  clearError() {
    this.error = null;
    this.errorEl.hidden = true;
    this.errorEl.textContent = '';
  }

  fail(e) {
    this.showError(this.inLang(() => translateError(e)));
    this.resolveReady();
  }
}

/** Reads a link hash into attributes (what embed.html does with its own hash). */
export function attributesFromHash(hash) {
  const link = parseLink(hash);
  // A link names a model file of the models folder: a model param that is not
  // a plain file name ("../x", a URL; refused by parseLink) or not a
  // .safetensors file is kept in `rejectedModel`, to say so.
  let rejectedModel = null;
  let model = link.model;
  if (model === undefined && link.bad.includes('model')) {
    try { rejectedModel = new URLSearchParams(String(hash ?? '').replace(/^#/, '')).get('model'); } catch { /* unreadable */ }
  } else if (model !== undefined && !/\.safetensors$/i.test(model)) {
    rejectedModel = model;
    model = undefined;
  }
  const { patch } = link;
  const ordinal = (i) => (i === undefined ? undefined : i + 1); // attributes count from 1, as links do
  const attrs = {
    model, text: link.text, view: patch.view, layer: ordinal(patch.layer), head: ordinal(patch.head), pos: ordinal(patch.pos),
    heads: patch.headsOn?.map((on) => (on ? '1' : '0')).join(''), k: patch.topK, lang: patch.lang,
  };
  return { attrs, bad: link.bad, rejectedModel };
}

if (!customElements.get('glasswing-view')) customElements.define('glasswing-view', GlasswingView);

// Exposed for the browser tests.
GlasswingView.sharedEngine = () => engine;

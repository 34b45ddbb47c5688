// The lesson panel: a guided tour docked at the bottom of the window. The
// open step lives in the shared store as `state.lesson` (0-based, null when
// closed), so anything that sets it (the buttons, the arrow keys, a clicker's
// Page Up / Page Down, a shared URL) opens that step; this module follows the
// store. Each step sets the page up (model, text, layer, head, position),
// reads the numbers its prose states from the models (facts.js), lights up
// what to look at, scrolls what it talks about into the part of the window
// the panel leaves free, and mounts a live exhibit (exhibits.js) fed with
// every trace drawn. The buttons stay in view: only the text scrolls.

import { applyStatic, getLang, t, translateError } from '../i18n.js';
import { LESSON_TITLE, STEPS } from './chapter.js';
import { el, prose } from './dom.js';
import { mountExhibit } from './exhibits.js';
import { fillFacts } from './facts.js';
import { watchOverflow } from '../overflow.js';
import { clearSpotlight, focusRects, retagSpotlight, reveal, spotlight } from './spotlight.js';

export class Lesson {
  /** page: the hooks from main.js (see index.js); steps: the lesson's steps. */
  constructor(store, page, steps = STEPS) {
    this.store = store;
    this.page = page;
    this.steps = steps;
    this.shown = null; // the step index the panel shows
    this.exhibit = null;
    this.applying = 0; // each setup gets a number; a newer one makes older ones stop
    this.facts = null; // what the shown step's prose states, read from the models (null: not yet)
    this.traces = new Map(); // model id + text -> trace, for facts (models and texts are fixed)
    this.setupDone = Promise.resolve();
    this.returnFocus = null;
    this.build();
    store.subscribe((state, changed) => {
      if (changed.includes('lesson')) this.sync();
      else if (changed.includes('lang') && this.shown !== null) this.drawText();
      // Presenter mode redraws everything larger: size the panel again and bring the focus back.
      if (changed.includes('presenter') && !changed.includes('lesson')) this.refit();
    });
    let resizing = 0;
    window.addEventListener('resize', () => { clearTimeout(resizing); resizing = setTimeout(() => this.refit(), 150); });
    if (store.state.lesson !== null) this.sync();
  }

  build() {
    this.title = el('h2', { id: 'lesson-title', tabindex: '-1' });
    this.progress = el('p', { class: 'lesson-progress' });
    this.body = el('div', { class: 'lesson-body' });
    this.exhibitBox = el('div', { class: 'lesson-exhibit' });
    this.status = el('p', { class: 'lesson-status', role: 'status' });
    this.prev = el('button', { type: 'button', class: 'lesson-prev', onclick: () => this.go(this.index() - 1) });
    this.next = el('button', { type: 'button', class: 'lesson-next', onclick: () => this.nextOrFinish() });
    this.dots = el('ol', { class: 'lesson-dots' });
    this.dotButtons = this.steps.map((_, k) => {
      const b = el('button', { type: 'button', class: 'lesson-dot', 'data-step': k, onclick: () => this.go(k, { again: true }) });
      this.dots.append(el('li', {}, b));
      return b;
    });
    this.count = el('span', { class: 'lesson-count', 'aria-hidden': 'true' });
    this.keys = el('span', { class: 'lesson-keys' });
    this.close = el('button', { type: 'button', class: 'lesson-close', onclick: () => this.store.set({ lesson: null }) }, '×');
    // Folding leaves the title and the buttons, so a projector shows more of the views.
    this.fold = el('button', { type: 'button', class: 'lesson-fold', 'aria-controls': 'lesson-more', onclick: () => this.toggleFold() });
    this.nav = el('nav', { class: 'lesson-nav' }, this.prev, this.dots, this.count, this.next, this.fold, this.keys);
    this.side = el('div', { class: 'lesson-side', id: 'lesson-more' }, this.exhibitBox, this.status);
    // Text and exhibit scroll inside the panel when they are long; the buttons below them never do.
    this.main = el('div', { class: 'lesson-main' },
      el('div', { class: 'lesson-text', 'aria-live': 'polite' }, this.progress, this.title, this.body), this.side);
    this.root = el('section', { id: 'lesson', class: 'lesson', 'aria-labelledby': 'lesson-title', hidden: true },
      this.main, this.nav, this.close);
    document.body.append(this.root);
    watchOverflow(this.main); // a step longer than the panel says that it scrolls
    // The page keeps room for the panel: main is padded and scrolling stops above it.
    // (Docked at the side, on a wide screen, it covers none of the page's height.)
    new ResizeObserver(() => {
      const h = this.root.hidden || this.docked() === 'side' ? 0 : this.root.offsetHeight;
      document.documentElement.style.setProperty('--lesson-h', `${h}px`);
    }).observe(this.root);
  }

  index() { return this.store.state.lesson; }

  /** Where the panel is docked: "bottom", or "side" on a wide, short screen (css/classroom.css). */
  docked() { return getComputedStyle(this.root).getPropertyValue('--dock').trim() || 'bottom'; }

  isOpen() { return this.store.state.lesson !== null; }

  /** Opens the lesson (at its first step, or where it was) and moves focus into it. */
  open(k = 0) {
    if (!this.isOpen()) this.returnFocus = document.activeElement;
    this.store.set({ lesson: k });
    this.title.focus({ preventScroll: true });
  }

  toggle() { if (this.isOpen()) this.store.set({ lesson: null }); else this.open(0); }

  /** Hides (or shows again) the step's text and exhibit, keeping the title and the buttons. */
  toggleFold() {
    if (!this.isOpen()) return;
    this.root.classList.toggle('folded');
    this.drawFold();
    // The panel changed size (docked at the side, folded, it becomes a bar at the bottom and the
    // page gets its width back): show what the step points at again, and once more when the views
    // have been drawn at their new size.
    requestAnimationFrame(() => { this.fit(); reveal(); this.refit(); });
  }

  drawFold() {
    const folded = this.root.classList.contains('folded');
    this.fold.textContent = folded ? `▴ ${t('lsnUnfold')}` : `▾ ${t('lsnFold')}`;
    this.fold.setAttribute('aria-expanded', String(!folded));
    this.body.hidden = folded;
    this.side.hidden = folded;
    document.body.classList.toggle('lesson-folded', folded && !this.root.hidden);
    this.keys.textContent = t(folded ? 'lsnKeysFolded' : 'lsnKeys');
  }

  /** Goes to step k (clamped); `again` re-runs the setup when k is already open (a reset). */
  go(k, { again = false } = {}) {
    if (!this.isOpen()) return;
    const to = Math.max(0, Math.min(this.steps.length - 1, k));
    if (to === this.index() && again) this.apply(this.steps[to]);
    this.store.set({ lesson: to });
  }

  nextOrFinish() {
    if (this.index() >= this.steps.length - 1) this.store.set({ lesson: null });
    else this.go(this.index() + 1);
  }

  /** Follows state.lesson: shows the panel at that step, or hides it. */
  sync() {
    let k = this.index();
    if (k !== null && !(Number.isInteger(k) && k >= 0 && k < this.steps.length)) {
      // A link may name a step by its id ("#lesson=heads"); anything else unreadable starts at the beginning.
      const byId = this.steps.findIndex((s) => s.id === k);
      k = byId >= 0 ? byId : Number.isInteger(k) ? Math.max(0, Math.min(this.steps.length - 1, k)) : 0;
      this.store.set({ lesson: k });
      return;
    }
    if (k === null) { this.hide(); return; }
    this.root.dataset.ready = 'false'; // the old step's exhibit must not draw into the new one
    this.shown = k;
    this.root.hidden = false;
    document.body.classList.add('lesson-open');
    const step = this.steps[k];
    // Focus inside the old exhibit would fall to the page: keep it in the lesson, on the title.
    const refocus = this.exhibitBox.contains(document.activeElement);
    this.exhibit?.destroy?.();
    this.exhibit = mountExhibit(step.exhibit, this.exhibitBox, { store: this.store, page: this.page, facts: () => this.facts }, step);
    this.drawText();
    if (refocus) this.title.focus({ preventScroll: true });
    this.apply(step);
  }

  hide() {
    if (this.shown === null) return;
    this.shown = null;
    this.applying++;
    this.root.hidden = true;
    this.root.dataset.ready = 'false';
    document.body.classList.remove('lesson-open', 'lesson-folded');
    delete document.body.dataset.lessonStep;
    document.documentElement.style.setProperty('--lesson-h', '0px');
    clearSpotlight();
    this.exhibit?.destroy?.();
    this.exhibit = null;
    this.exhibitBox.replaceChildren();
    // Focus goes back where it was before the lesson opened, if that still exists.
    if (this.root.contains(document.activeElement) || document.activeElement === document.body) {
      const back = this.returnFocus?.isConnected ? this.returnFocus : document.querySelector('[data-classroom="lesson"]');
      back?.focus({ preventScroll: true });
    }
    this.returnFocus = null;
  }

  /** All the words of the panel, in the current language. */
  drawText() {
    const k = this.shown;
    const step = this.steps[k];
    const lang = getLang();
    const n = this.steps.length;
    this.progress.textContent = `${LESSON_TITLE[lang]} · ${t('lsnStepOf', { k: k + 1, n })}`;
    this.title.textContent = step.title[lang];
    const { text, stated } = fillFacts(step.body[lang], this.facts, lang);
    this.body.replaceChildren(...prose(text));
    this.body.dataset.stated = JSON.stringify(stated);
    this.count.textContent = `${k + 1} / ${n}`;
    this.prev.textContent = `◂ ${t('lsnPrev')}`;
    this.prev.disabled = k === 0;
    this.next.textContent = k === n - 1 ? t('lsnFinish') : `${t('lsnNext')} ▸`;
    this.drawFold();
    this.close.setAttribute('aria-label', t('lsnClose'));
    this.close.title = t('lsnClose');
    this.dots.setAttribute('aria-label', t('lsnSteps'));
    this.nav.setAttribute('aria-label', t('lsnSteps'));
    this.root.setAttribute('aria-label', t('lsnRegion'));
    this.dotButtons.forEach((b, i) => {
      b.setAttribute('aria-label', t('lsnDot', { k: i + 1, title: this.steps[i].title[lang] }));
      b.title = this.steps[i].title[lang];
      if (i === k) b.setAttribute('aria-current', 'step'); else b.removeAttribute('aria-current');
      b.classList.toggle('done', i < k);
    });
    this.root.dataset.step = step.id;
    this.main.scrollTop = 0;
    document.body.dataset.lessonStep = step.id;
    retagSpotlight(t('lsnLook'));
    applyStatic(this.root);
    const trace = this.page.trace();
    if (trace && this.root.dataset.ready === 'true') this.render(trace, this.store.state, this.page.current()?.info);
  }

  /** Sets the page up for `step`, then lights up its targets. Later calls win. */
  apply(step) {
    const run = ++this.applying;
    const live = () => run === this.applying;
    this.root.dataset.ready = 'false';
    this.status.textContent = step.setup ? t('lsnSettingUp') : '';
    this.status.classList.remove('error');
    this.setFacts(null);
    this.setupDone = (async () => {
      let failure = null;
      try {
        await this.page.ready;
        if (step.setup && live()) await this.setUp(step, live);
        else if (step.facts && live()) this.setFacts(await step.facts(this.ask(null)));
      } catch (e) {
        failure = e;
      }
      if (!live()) return;
      if (failure) {
        this.status.textContent = t('lsnSetupFailed', { msg: translateError(failure) });
        this.status.classList.add('error');
      } else {
        this.status.textContent = '';
      }
      if (this.page.trace()) await this.page.nextDraw(); // (no trace, no draw: e.g. the engine failed)
      if (!live()) return;
      spotlight(step.target, t('lsnLook'), step.focus, () => this.store.state);
      this.fit();
      reveal();
      this.root.dataset.ready = 'true';
      const trace = this.page.trace();
      if (trace) this.render(trace, this.store.state, this.page.current()?.info);
    })();
    return this.setupDone;
  }

  async setUp(step, live) {
    const { page, store } = this;
    const s = step.setup;
    const key = `shipped:${s.model}`;
    if (!page.models().has(key)) throw new Error(t('lsnMissingModel', { file: s.model }));
    if (store.state.modelKey !== key) {
      page.input.value = s.text; // showModel keeps it and traces it once
      await page.showModel(key, { keepText: true });
      if (store.state.modelKey !== key) throw new Error(page.errorText() || s.model);
    }
    if (!live()) return;
    if (page.input.value !== s.text || !page.trace()) await page.setText(s.text);
    if (!live()) return;
    // The numbers the prose states (and where the page looks) come from the models.
    const facts = step.facts ? await step.facts(this.ask(s.model)) : {};
    if (!live()) return;
    this.setFacts(facts);
    const value = (v, fallback) => (typeof v === 'function' ? v(facts) : v ?? fallback);
    const head = value(s.head, 0);
    // `solo`: the head view shows the focused head alone (the store keeps a lone head in step with the focus).
    const headsOn = store.state.headsOn.map((_, h) => !s.solo || h === head);
    store.set({ layer: value(s.layer, 0), head, pos: value(s.pos, null), hover: null, headsOn });
    // The Generate panel continues the text box: start it over on the step's text.
    await window.glasswing?.generate?.restart?.();
  }

  /**
   * What a step's facts read the models through: `info(file)` and
   * `trace(text, file)` for a shipped model (the step's own by default),
   * loaded quietly if the page has not loaded it yet; traces are kept.
   */
  ask(defaultFile) {
    const { page } = this;
    const model = async (file = defaultFile) => {
      const m = page.models().get(`shipped:${file}`);
      if (!m) throw new Error(t('lsnMissingModel', { file }));
      if (!m.modelId) {
        const { modelId, info } = await page.engine.loadUrl(new URL(`models/${file}`, location.href).href);
        if (!m.modelId) Object.assign(m, { modelId, info });
      }
      return m;
    };
    return {
      info: async (file) => (await model(file)).info,
      trace: async (text, file) => {
        const m = await model(file);
        const key = `${m.modelId}\u0000${text}`;
        if (!this.traces.has(key)) this.traces.set(key, page.engine.traceText(m.modelId, text));
        try {
          return await this.traces.get(key);
        } catch (e) {
          this.traces.delete(key);
          throw e;
        }
      },
    };
  }

  /** Keeps the step's facts (null: not read yet, shown as …) and redraws the prose with them. */
  setFacts(facts) {
    this.facts = facts;
    if (facts) this.root.dataset.facts = JSON.stringify(facts, (k, v) => (v instanceof Float32Array ? Array.from(v) : v));
    else delete this.root.dataset.facts;
    if (this.shown !== null) this.drawText();
  }

  /** The shown step's facts (null until read), for the exhibits. */
  currentFacts() { return this.facts; }

  /**
   * Sizes the panel: as tall as its text and exhibit (so a step needs no
   * scrolling) as long as what the step talks about (its focus) still fits
   * in the window above it; never under 30% or over 62% of the window.
   */
  fit() {
    if (this.shown === null) return;
    if (this.docked() === 'side') { this.root.style.maxHeight = ''; return; }
    const H = window.innerHeight;
    const rects = focusRects();
    const need = rects.length ? Math.max(...rects.map((r) => r.bottom)) - Math.min(...rects.map((r) => r.top)) + 36 : 0;
    const room = Math.max(0.3 * H, Math.min(0.62 * H, H - need));
    this.root.style.maxHeight = `${Math.floor(room)}px`;
  }

  /** After the page changed size or scale: the panel fitted again and the focus shown, once the views are drawn. */
  async refit() {
    if (this.shown === null || this.root.dataset.ready !== 'true') return;
    if (this.page.trace()) await this.page.nextDraw();
    requestAnimationFrame(() => { this.fit(); reveal(); });
  }

  /** Called after every draw: the exhibit follows the trace on screen. */
  render(trace, state, info) {
    if (this.shown === null || !this.exhibit || !info) return;
    if (this.root.dataset.ready !== 'true') return;
    // Exhibits ignore the hover, so a pointer moving over the views need not rebuild them.
    const key = [this.shown, state.pos, state.layer, state.head, state.lang, state.headsOn.join(), JSON.stringify(state.sampler ?? null), this.page.input.value, Boolean(this.facts)].join('|');
    if (trace === this.drawnTrace && key === this.drawnKey && this.exhibit === this.drawnExhibit) return;
    this.drawnTrace = trace;
    this.drawnKey = key;
    this.drawnExhibit = this.exhibit;
    this.exhibit.update(trace, state, info);
  }
}

// The Generate panel: builds its DOM, wires the buttons (Step, Play/Pause,
// Back, Restart), the sampler controls, the text so far, the sampler's
// pipeline, the new token's attention or hidden state and the branch tree
// to one Generation (tree.js). The prompt is the page's text box; a new
// model or a new prompt starts over. Actions are exposed as functions
// (window.glasswing.generate) for tests and the page's keyboard shortcuts.

import { displayToken, percent } from '../format.js';
import { compactText, decodeIds, idBytes, idShort, tokenLabels } from '../tokentext.js';
import { applyStatic, t, translateError } from '../i18n.js';
import { PipelineView } from './pipeline.js';
import { DEFAULT_SAMPLER, SamplerControls, T_MAX, T_MIN, normaliseSampler } from './sampler.js';
import { StepView } from './step.js';
import { Generation, pathOf, walk } from './tree.js';
import { TreeView } from './treeview.js';

const PROMPT_DEBOUNCE_MS = 300;
const SPEEDS = { min: 0.5, max: 10, initial: 3 }; // tokens per second while playing

/** A tiny element builder: h('button', {class: 'x', 'data-i18n': 'key'}, child, ...). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') el.className = v;
    else el.setAttribute(k, v);
  }
  el.append(...children);
  return el;
}

function markup() {
  const slider = (name, min, max, step, i18n, out = true) => h('label', { class: 'gen-field' },
    h('span', { class: 'gen-field-name', 'data-i18n': i18n }),
    h('input', { type: 'range', min, max, step, 'data-gen': name }),
    ...(out ? [h('output', { 'data-gen': `${name}-out` })] : []));
  return [
    h('div', { class: 'panel-head' },
      h('h2', { id: 'gen-title', 'data-i18n': 'genTitle' }),
      h('p', { class: 'gen-keys hint', 'data-i18n': 'genKeys' })),
    h('p', { class: 'hint', 'data-i18n': 'genHint' }),
    h('div', { class: 'gen-toolbar', role: 'toolbar', 'data-i18n-attr': 'aria-label:genControls' },
      h('button', { type: 'button', class: 'button gen-step', 'data-gen': 'step', 'aria-keyshortcuts': 'S' },
        h('span', { 'aria-hidden': 'true' }, '▸ '), h('span', { 'data-i18n': 'genStep' })),
      h('button', { type: 'button', class: 'button gen-play', 'data-gen': 'play', 'aria-keyshortcuts': 'G', 'aria-pressed': 'false' },
        h('span', { 'aria-hidden': 'true', class: 'gen-play-icon' }, '▶ '), h('span', { class: 'gen-play-label' })),
      h('button', { type: 'button', class: 'button', 'data-gen': 'back', 'aria-keyshortcuts': 'B' },
        h('span', { 'aria-hidden': 'true' }, '◂ '), h('span', { 'data-i18n': 'genBack' })),
      h('button', { type: 'button', class: 'button', 'data-gen': 'restart' },
        h('span', { 'aria-hidden': 'true' }, '↺ '), h('span', { 'data-i18n': 'genRestart' })),
      h('label', { class: 'gen-field gen-speed' },
        h('span', { class: 'gen-field-name', 'data-i18n': 'genSpeed' }),
        h('input', { type: 'range', min: SPEEDS.min, max: SPEEDS.max, step: 0.5, value: SPEEDS.initial, 'data-gen': 'speed' }),
        h('output', { 'data-gen': 'speed-out' })),
      h('button', { type: 'button', class: 'button gen-show', 'data-gen': 'show' }, h('span', { 'data-i18n': 'genShow' }))),
    h('fieldset', { class: 'gen-sampler' },
      h('legend', { 'data-i18n': 'genSampler' }),
      h('label', { class: 'gen-field gen-check' },
        h('input', { type: 'checkbox', 'data-gen': 'greedy' }), h('span', { 'data-i18n': 'genGreedy' })),
      h('label', { class: 'gen-field gen-temp' },
        h('span', { class: 'gen-field-name', 'data-i18n': 'genTemperature' }),
        h('input', { type: 'range', min: Math.log10(T_MIN).toFixed(2), max: Math.log10(T_MAX).toFixed(2), step: 0.01, 'data-gen': 'temperature-slider', 'data-i18n-attr': 'aria-label:genTemperature' }),
        h('input', { type: 'number', class: 'gen-num', min: T_MIN, max: T_MAX, step: 0.05, 'data-gen': 'temperature', 'data-i18n-attr': 'aria-label:genTemperatureValue' })),
      h('label', { class: 'gen-field' },
        h('span', { class: 'gen-field-name', 'data-i18n': 'genTopK' }),
        h('input', { type: 'number', class: 'gen-num', min: 0, max: 1000, step: 1, 'data-gen': 'top_k' }),
        h('output', { 'data-gen': 'top_k-out' })),
      slider('top_p', 0.05, 1, 0.05, 'genTopP'),
      slider('min_p', 0, 1, 0.01, 'genMinP'),
      h('label', { class: 'gen-field' },
        h('span', { class: 'gen-field-name', 'data-i18n': 'genSeed' }),
        h('input', { type: 'number', class: 'gen-num gen-seed', min: 0, step: 1, 'data-gen': 'seed' })),
      h('button', { type: 'button', class: 'button gen-reseed', 'data-gen': 'reseed', 'data-i18n': 'genReseed' }),
      h('p', { class: 'hint gen-sampler-help', 'data-i18n': 'genSamplerHelp' })),
    h('div', { class: 'gen-text-box' },
      h('h3', { 'data-i18n': 'genText' }),
      h('p', { class: 'gen-output', role: 'group', 'data-i18n-attr': 'aria-label:genText' })),
    h('p', { class: 'gen-status', 'aria-live': 'polite' }),
    h('div', { class: 'error gen-error', role: 'alert', hidden: '' }, h('span', { class: 'error-text' })),
    h('div', { class: 'gen-body' },
      h('div', { class: 'gen-pipeline-box' },
        h('h3', { class: 'gen-pipeline-title' }),
        h('div', { class: 'gen-pipeline' })),
      h('figure', { class: 'gen-step-view' },
        h('h3', { class: 'gen-step-title' }),
        h('div', { class: 'scroller' }, h('canvas', { role: 'img' })),
        h('div', { class: 'gen-step-summary' }))),
    h('div', { class: 'gen-tree-box' },
      h('h3', { 'data-i18n': 'genTree' }),
      h('p', { class: 'hint', 'data-i18n': 'genTreeHint' }),
      h('div', { class: 'gen-tree scroller', role: 'group', 'data-i18n-attr': 'aria-label:genTree' })),
  ];
}

/** "1, 2, 3" -> [1, 2, 3] for models without a vocabulary, or null. */
function parseIds(text) {
  const parts = text.split(/[\s,，]+/).filter(Boolean);
  return parts.every((s) => /^\d+$/.test(s)) ? parts.map(Number) : null;
}

export class GeneratePanel {
  /**
   * hooks: {store, engine, current: () => the shown model entry ({modelId, info}),
   * input: the page's text box, showText(text): put text in the explorer}.
   */
  constructor(el, hooks) {
    this.el = el;
    this.hooks = hooks;
    const { store } = hooks;
    if (!store.state.sampler) store.set({ sampler: { ...DEFAULT_SAMPLER } });
    el.append(...markup());
    applyStatic(el);
    const q = (name) => el.querySelector(`[data-gen="${name}"]`);
    this.els = {
      step: q('step'), play: q('play'), back: q('back'), restart: q('restart'), show: q('show'),
      speed: q('speed'), speedOut: q('speed-out'), playLabel: el.querySelector('.gen-play-label'),
      playIcon: el.querySelector('.gen-play-icon'), output: el.querySelector('.gen-output'),
      status: el.querySelector('.gen-status'), error: el.querySelector('.gen-error'),
      errorText: el.querySelector('.gen-error .error-text'), pipeTitle: el.querySelector('.gen-pipeline-title'),
    };
    this.gen = new Generation((op, args) => hooks.engine.call(op, args), () => this.schedule());
    this.sampler = new SamplerControls(el.querySelector('.gen-sampler'), store);
    this.pipeline = new PipelineView(el.querySelector('.gen-pipeline'), (id) => this.pick(id));
    this.stepView = new StepView(el.querySelector('.gen-step-view'));
    this.tree = new TreeView(el.querySelector('.gen-tree'), (key) => this.goToKey(key));
    this.focus = null; // a generated node on the path, 'next', or null: follow the newest token
    this.playing = false;
    this.playRun = 0; // bumped by every Play and Pause: an older Play loop stops where it is
    this.wake = null; // cuts a pause between played steps short
    this.model = null; // the {modelId, info} the session was started for
    this.promptText = null; // the text box's value it was started from
    this.shownText = null; // the text "Show in the views above" put there
    this.promptTimer = 0; // a restart for text typed in the last PROMPT_DEBOUNCE_MS, still to come
    this.frame = 0;

    const e = this.els;
    // aria-disabled, not disabled: a button that runs out (Play at the maximum length) keeps the focus.
    const on = (button, fn) => button.addEventListener('click', () => { if (button.getAttribute('aria-disabled') !== 'true') fn(); });
    on(e.step, () => this.step());
    on(e.play, () => (this.playing ? this.pause() : this.play()));
    on(e.back, () => this.back());
    on(e.restart, () => this.restart());
    on(e.show, () => this.showInExplorer());
    e.speed.addEventListener('input', () => this.schedule());
    e.output.addEventListener('click', (ev) => {
      const chip = ev.target.closest('.gen-chip');
      if (chip) this.inspect(chip.dataset.key === 'next' ? 'next' : Number(chip.dataset.key));
    });
    e.output.addEventListener('keydown', (ev) => this.outputKey(ev));
    // Panel shortcuts, only while focus is inside the panel and not in a text field
    // (G, not P, plays: P is presenter mode everywhere).
    el.addEventListener('keydown', (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.closest('input, select, textarea')) return;
      const button = { s: e.step, g: e.play, b: e.back }[ev.key.toLowerCase()];
      if (!button) return;
      ev.preventDefault();
      button.click(); // the same path as a click, disabled state included
    });

    hooks.input.addEventListener('input', () => {
      clearTimeout(this.promptTimer);
      this.promptTimer = setTimeout(() => this.restart(), PROMPT_DEBOUNCE_MS);
    });
    store.subscribe((state, changed) => {
      // The page sets the text box right after the model: read both a moment later
      // (and stop playing the old model now; its steps still on the way are dropped).
      if (changed.includes('modelKey')) {
        this.pause();
        setTimeout(() => this.restart(), 0);
      }
      if (changed.includes('sampler')) {
        const s = normaliseSampler(state.sampler);
        this.gen.setSettings(s);
      }
      if (changed.includes('sampler') || changed.includes('lang')) this.schedule();
    });
    new ResizeObserver(() => this.schedule()).observe(el);

    const panel = this;
    this.api = {
      step: () => this.step(),
      play: () => this.play(),
      pause: () => this.pause(),
      back: () => this.back(),
      restart: () => this.restart(),
      /** Forces token `id` where the pipeline is looking (the branch starts there). */
      force: (id) => this.pick(id),
      goTo: (key) => this.goToKey(key),
      inspect: (key) => this.inspect(key),
      /** Resolves when every queued action has finished and the panel is drawn. */
      idle: () => this.idle(),
      get playing() { return panel.playing; },
      get ids() { return panel.gen.ids(); },
      get text() { return panel.pathText(); },
      get generation() { return panel.gen; },
    };
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  async idle() {
    let q;
    do { q = this.gen.queue; await q; } while (q !== this.gen.queue); // eslint-disable-line no-await-in-loop
    await new Promise((resolve) => requestAnimationFrame(() => { this.render(); resolve(); }));
  }

  // ---- actions ------------------------------------------------------------

  restart() {
    // This restart reads the text box now: one still waiting for the typing to
    // settle would only start over again, dropping the steps taken since.
    clearTimeout(this.promptTimer);
    this.promptTimer = 0;
    this.pause();
    const m = this.hooks.current();
    this.focus = null;
    if (!m?.info) return Promise.resolve(false);
    this.model = m;
    const text = this.hooks.input.value;
    this.promptText = text;
    this.shownText = null;
    let prompt;
    if (m.info.tokenizer) prompt = { text };
    else {
      const ids = parseIds(text);
      prompt = ids ? { ids } : { ids: [] };
    }
    return this.gen.restart(m.modelId, m.info.max_len, prompt, normaliseSampler(this.hooks.store.state.sampler));
  }

  async step() {
    this.focus = null;
    // Something else (a lesson, a shared link) may have set the text box without typing in it.
    if (this.promptStale() && !this.gen.cursor?.parent) await this.restart();
    return this.gen.step();
  }

  /** The page's text box no longer holds the prompt this generation started from. */
  promptStale() {
    const v = this.hooks.input.value;
    return this.model !== null && v !== this.promptText && v !== this.shownText;
  }

  back() {
    this.pause();
    this.focus = null;
    return this.gen.back();
  }

  async play() {
    if (this.playing) return;
    if (this.promptStale() && !this.gen.cursor?.parent) {
      await this.restart(); // pauses
      if (this.playing) return; // another Play started meanwhile
    }
    if (!this.gen.ready || this.gen.atMax) return;
    const run = ++this.playRun;
    const { epoch } = this.gen;
    const live = () => this.playing && run === this.playRun && epoch === this.gen.epoch;
    this.playing = true;
    this.schedule();
    while (live()) {
      const t0 = performance.now();
      this.focus = null;
      const ok = await this.gen.step(); // eslint-disable-line no-await-in-loop
      if (!ok || this.gen.atMax || !live()) break;
      const wait = 1000 / Number(this.els.speed.value) - (performance.now() - t0);
      let wake = null;
      if (wait > 0) await new Promise((resolve) => { wake = resolve; this.wake = resolve; setTimeout(resolve, wait); }); // eslint-disable-line no-await-in-loop
      if (this.wake === wake) this.wake = null;
    }
    if (run !== this.playRun) return; // a newer Play (or a Pause) owns `playing` now
    this.playing = false;
    this.schedule();
  }

  pause() {
    this.playRun++;
    this.playing = false;
    this.wake?.();
    this.wake = null;
    this.schedule();
  }

  /** Where the pipeline is looking: {parent, choice, taken} (null when nothing to show). */
  inspected() {
    const g = this.gen;
    if (!g.cursor) return null;
    const node = this.focusNode();
    if (node) return { node, parent: node.parent, choice: node.choice, taken: node.id };
    return { node: null, parent: g.cursor, choice: g.cursor.pending, taken: null };
  }

  /** The focused generated node, or the newest one when following; null means "the next token". */
  focusNode() {
    const c = this.gen.cursor;
    if (this.focus === 'next' || !c) return null;
    if (this.focus && pathOf(c).includes(this.focus)) return this.focus;
    return c.parent ? c : null;
  }

  /** A click on a pipeline row: that token, instead of the one shown as taken, starts a branch. */
  pick(id) {
    this.pause();
    const at = this.inspected();
    if (!at?.choice) return Promise.resolve(false);
    this.focus = null;
    return this.gen.force(at.parent, id, at.choice);
  }

  goToKey(key) {
    this.pause();
    let target = null;
    if (key === 0) target = this.gen.root;
    else if (this.gen.root) walk(this.gen.root, (n) => { if (n.key === key) target = n; });
    if (!target) return Promise.resolve(false);
    this.focus = null;
    return this.gen.goTo(target);
  }

  inspect(key) {
    if (key === 'next') this.focus = 'next';
    else this.focus = pathOf(this.gen.cursor ?? { parent: null }).find((n) => n.key === key) ?? null;
    this.schedule();
  }

  showInExplorer() {
    const m = this.model;
    if (!m || !this.gen.ready) return;
    const text = m.info.tokenizer ? this.pathText() : this.gen.ids().join(', ');
    this.shownText = text; // the text box now holds our own text: not a new prompt
    this.hooks.showText(text);
  }

  outputKey(ev) {
    const chip = ev.target.closest('.gen-chip');
    if (!chip) return;
    const chips = [...this.els.output.querySelectorAll('.gen-chip')];
    const i = chips.indexOf(chip);
    const j = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: chips.length - 1 }[ev.key];
    if (j === undefined) return;
    ev.preventDefault();
    const next = chips[Math.max(0, Math.min(chips.length - 1, j))];
    this.inspect(next.dataset.key === 'next' ? 'next' : Number(next.dataset.key));
    this.refocusKey = next.dataset.key;
  }

  // ---- drawing ------------------------------------------------------------

  /** Any id as short text (a byte token as <E6 88>: tokentext.js). */
  label(id) {
    return idShort(this.model?.info, id);
  }

  /** A generated token's text (as the session wrote it, bytes in the short form). */
  tokenOf(n) {
    return compactText(n.token ?? this.label(n.id));
  }

  /** Every token of the path as a label; with a Hub tokenizer, a character split over tokens names its part (我 1/3). */
  pathTokens() {
    const g = this.gen;
    if (!g.cursor) return [];
    const tokens = [...g.prompt.tokens.map(compactText), ...pathOf(g.cursor).map((n) => this.tokenOf(n))];
    const info = this.model?.info;
    if (info?.tokenizer !== 'bpe') return tokens;
    const ids = g.ids();
    if (this.labelsFor?.ids.length === ids.length && this.labelsFor.ids.every((id, i) => id === ids[i])) return this.labelsFor.labels;
    const labels = tokenLabels({ tokens, token_bytes: ids.map((id) => idBytes(info, id) ?? new Uint8Array(0)) });
    this.labelsFor = { ids, labels };
    return labels;
  }

  /** The prompt and the tokens after it as text: their bytes read together (a character split over tokens is whole again). */
  pathText() {
    const g = this.gen;
    const info = this.model?.info;
    if (!g.cursor || !info?.tokenizer) return this.pathTokens().join('');
    return decodeIds(info, g.ids());
  }

  render() {
    const g = this.gen;
    const e = this.els;
    const settings = normaliseSampler(this.hooks.store.state.sampler);
    this.sampler.render(settings);
    e.speedOut.textContent = t('genSpeedValue', { n: Number(e.speed.value) });

    const canStep = g.ready && !g.atMax;
    this.enable(e.step, canStep);
    this.enable(e.play, this.playing || canStep);
    this.enable(e.back, Boolean(g.cursor?.parent));
    this.enable(e.show, g.ready);
    e.play.setAttribute('aria-pressed', String(this.playing));
    e.playLabel.textContent = t(this.playing ? 'genPause' : 'genPlay');
    e.playIcon.textContent = this.playing ? '❚❚ ' : '▶ ';
    this.el.dataset.playing = String(this.playing);
    this.el.dataset.busy = String(g.busy);
    this.el.dataset.len = String(g.length);
    this.el.dataset.depth = String(g.cursor?.depth ?? 0);

    const at = this.inspected();
    // The text and the tree are rebuilt only when the generation, the focus or the language changed.
    const sig = [g.version, at?.node ?? null, at?.choice ?? null, t('genText')];
    const fresh = !this.sig || sig.some((x, i) => x !== this.sig[i]);
    this.sig = sig;
    if (fresh) this.drawOutput(at);
    this.drawError();

    // Pipeline: how the inspected token was chosen (or what the sampler drew for the next one).
    const chosenTok = (id) => displayToken(this.label(id));
    if (at?.choice) {
      e.pipeTitle.textContent = at.node
        ? t('genPipelineFor', { tok: chosenTok(at.taken), n: at.node.depth })
        : t('genPipelineNext', { tok: chosenTok(at.choice.id) });
    } else {
      e.pipeTitle.textContent = '';
    }
    this.pipeline.render({ choice: at?.choice ?? null, taken: at?.taken ?? null, settings: at?.choice?.settings ?? settings, label: (id) => this.label(id), disabled: !g.ready });

    // The model's view of the inspected token (the newest one when looking at the next token).
    const node = at?.node ?? g.cursor;
    const tokens = this.pathTokens();
    const pos = g.prompt.ids.length + (node?.depth ?? 0) - 1;
    this.stepView.render({ step: node?.step ?? null, tokens, pos, info: this.model?.info ?? {} });

    if (fresh) this.tree.render({ root: g.root, cursor: g.cursor, promptTokens: g.prompt.tokens });
    this.drawStatus(at);
  }

  enable(button, on) {
    button.setAttribute('aria-disabled', String(!on));
  }

  drawOutput(at) {
    const g = this.gen;
    const out = this.els.output;
    const hadFocus = out.contains(document.activeElement);
    const focusKey = this.refocusKey ?? (hadFocus ? document.activeElement.dataset.key : null);
    this.refocusKey = null;
    if (!g.ready) { out.replaceChildren(); return; }
    const info = this.model?.info;
    const prompt = h('span', { class: 'gen-prompt' }, info?.tokenizer ? decodeIds(info, g.prompt.ids) : g.prompt.tokens.join(''));
    const chips = pathOf(g.cursor).map((n) => {
      const b = h('button', { type: 'button', class: 'gen-chip', 'data-key': String(n.key), tabindex: '-1' }, displayToken(this.tokenOf(n)));
      if (n.forced) b.classList.add('forced');
      if (at?.node === n) b.classList.add('inspected');
      b.setAttribute('aria-label', t('genChipLabel', { tok: displayToken(this.tokenOf(n)), n: n.depth }) + (n.forced ? ` · ${t('genYourPick')}` : ''));
      return b;
    });
    const next = h('button', { type: 'button', class: 'gen-chip gen-next', 'data-key': 'next', tabindex: '-1' }, '?');
    next.setAttribute('aria-label', t('genNextChip'));
    if (at && !at.node) next.classList.add('inspected');
    if (g.atMax) next.hidden = true;
    const all = [...chips, next];
    const tab = all.find((c) => c.dataset.key === focusKey) ?? all.find((c) => c.classList.contains('inspected')) ?? next;
    tab.tabIndex = 0;
    out.replaceChildren(prompt, ...all);
    out.dataset.generated = String(chips.length);
    if (focusKey !== null && focusKey !== undefined) tab.focus({ preventScroll: true });
  }

  drawError() {
    const err = this.gen.error;
    this.els.error.hidden = !err;
    this.els.errorText.textContent = err ? t(err.key, { ...err.vars, msg: err.raw === null ? '' : translateError(err.raw) }) : '';
  }

  drawStatus(at) {
    const g = this.gen;
    let text = '';
    if (g.cursor?.parent && this.promptStale()) text = t('genPromptChanged');
    else if (g.ready && g.atMax) text = t('genMaxLen', { max: g.maxLen });
    else if (at?.node) {
      const n = at.node;
      text = t(n.forced ? 'genStatusForced' : 'genStatusDrawn', {
        n: n.depth, tok: displayToken(this.tokenOf(n)), p: percent(n.choice.probs[n.id]), raw: percent(n.choice.raw[n.id]),
      });
    } else if (at?.choice) text = t('genStatusNext');
    // While playing, a screen reader would hear every token: announce again once paused.
    this.els.status.setAttribute('aria-live', this.playing ? 'off' : 'polite');
    if (this.els.status.textContent !== text) this.els.status.textContent = text;
  }
}

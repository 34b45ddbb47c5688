// The Train panel: the settings form (task, architecture, size, budget),
// Start / Pause / Resume and Reset, live figures, the loss chart and the
// live held-out example; "Explore this model" hands a copy of the current
// weights to the explorer, "Download" saves them as .safetensors. Training
// itself runs in train/worker.js; this module only asks and draws.

import { count } from '../format.js';
import { t, translateError } from '../i18n.js';
import { LossChart } from './chart.js';
import { TrainClient } from './client.js';
import { LiveExample } from './live.js';
import { LIMITS, PRESETS, TASKS, TEXT_HOLD_OUT_MIN, TEXT_WINDOW, buildOptions, fileName, heldOutChars, presetOf, splitExample } from './options.js';

const PREVIEW_DEBOUNCE_MS = 200;
const EVAL_N = 200; // held-out examples behind the metrics saved with a model
const TARGET = 0.99; // the milestone the status line announces
const CHART_MS = 150; // while training, the chart redraws at most this often (the page stays light)

/** Builds an element: h('div', {class: 'x', 'data-i18n': 'key'}, child, 'text', ...). */
function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  return e;
}

/** A labelled number input for one option field. */
function numberField(field, labelKey, step = '1') {
  const [min, max] = LIMITS[field];
  const id = `train-${field}`;
  return h('div', { class: 'train-field' },
    h('label', { for: id, 'data-i18n': labelKey, text: t(labelKey) }),
    h('input', { id, name: field, type: 'number', min, max, step, inputmode: step === '1' ? 'numeric' : 'decimal' }));
}

/** Resolves once the explorer has drawn its first trace (body[data-ready="true"]). */
function pageReady() {
  return new Promise((resolve) => {
    if (document.body.dataset.ready === 'true') { resolve(); return; }
    const mo = new MutationObserver(() => {
      if (document.body.dataset.ready === 'true') { mo.disconnect(); resolve(); }
    });
    mo.observe(document.body, { attributes: true, attributeFilter: ['data-ready'] });
  });
}

/** An error from the core, readable: worded by its code in the page's language, without the English "config: " prefix. */
function readable(raw) {
  return translateError(raw).replace(/^config: /, '');
}

export class TrainPanel {
  constructor(root, store, { explore } = {}) {
    this.root = root;
    this.store = store;
    this.explore = explore;
    this.client = null;
    this.status = 'off'; // off | loading | idle | starting | running | paused | done | error
    this.runSeq = 0; // the page's id of the current run; events of older runs are ignored
    this.exampleSeed = 0;
    this.preview = null; // {text, info} for the form's current settings
    this.previewSeq = 0;
    this.error = null; // {key, vars, raw}
    this.frame = 0;
    this.chartAt = 0;
    this.build();
    this.chart = new LossChart(this.els.chart);
    this.live = new LiveExample(this.els.live);
    this.resetFigures();
    this.fillSizes('gpt2', 'small');
    this.onTaskChange();
    this.render();

    // The worker (a second wasm instance) starts when the panel is near the
    // screen or touched, so it never slows the explorer's first draw.
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { io.disconnect(); pageReady().then(() => this.ensureWorker()); }
    }, { rootMargin: '200px' });
    io.observe(root);
    root.addEventListener('focusin', () => this.ensureWorker());
    root.addEventListener('pointerenter', () => this.ensureWorker());
    store.subscribe((state, changed) => { if (changed.includes('lang')) this.schedule(); });
    new ResizeObserver(() => this.schedule()).observe(this.els.chart.parentElement);
  }

  // ---- DOM -----------------------------------------------------------------

  build() {
    const taskSelect = h('select', { id: 'train-task', name: 'task' },
      ...Object.keys(TASKS).map((task) => h('option', { value: task, 'data-i18n': `task_${task}`, text: t(`task_${task}`) })));
    const sizeSelect = h('select', { id: 'train-size', name: 'size' },
      ...['tiny', 'small', 'medium', 'custom'].map((s) => h('option', { value: s, 'data-i18n': `size_${s}`, text: t(`size_${s}`) })));
    const archRadio = (arch, label) => h('label', { class: 'train-radio' },
      h('input', { type: 'radio', name: 'train-arch', value: arch }), h('span', { text: label }));
    const nonlin = h('select', { id: 'train-nonlinearity', name: 'nonlinearity' },
      h('option', { value: 'tanh', text: 'tanh' }), h('option', { value: 'relu', text: 'ReLU' }));

    const settings = h('fieldset', { class: 'train-settings' },
      h('legend', { class: 'sr-only', 'data-i18n': 'trainSettings', text: t('trainSettings') }),
      h('div', { class: 'train-field' },
        h('label', { for: 'train-task', 'data-i18n': 'trainTask', text: t('trainTask') }), taskSelect),
      h('p', { class: 'train-task-desc hint' }),
      h('div', { class: 'train-text-box', hidden: true },
        h('label', { for: 'train-text', 'data-i18n': 'trainText', text: t('trainText') }),
        h('textarea', { id: 'train-text', name: 'text', rows: 4, spellcheck: 'false', 'data-i18n-attr': 'placeholder:trainTextPlaceholder', placeholder: t('trainTextPlaceholder') }),
        h('p', { class: 'hint train-text-hint' })),
      h('div', { class: 'train-example' },
        h('span', { class: 'train-example-label', 'data-i18n': 'trainExample', text: t('trainExample') }),
        h('code', { class: 'train-example-text', lang: 'und' }, h('span', { class: 'q' }), h('mark', { class: 'a' })),
        h('button', { type: 'button', class: 'button train-another', 'data-i18n': 'trainAnother', text: t('trainAnother') })),
      h('p', { class: 'hint', 'data-i18n': 'trainExampleHint', text: t('trainExampleHint') }),
      h('fieldset', { class: 'train-arch' },
        h('legend', { 'data-i18n': 'trainArch', text: t('trainArch') }),
        archRadio('gpt2', 'GPT (Transformer)'), archRadio('rnn', 'RNN')),
      h('div', { class: 'train-field' },
        h('label', { for: 'train-size', 'data-i18n': 'trainSize', text: t('trainSize') }), sizeSelect,
        h('span', { class: 'train-params hint' })),
      h('div', { class: 'train-sizes gpt-sizes' },
        numberField('n_layer', 'trainLayers'), numberField('n_head', 'trainHeads'), numberField('n_embd', 'trainWidth')),
      h('div', { class: 'train-sizes rnn-sizes', hidden: true },
        numberField('num_layers', 'trainLayers'), numberField('hidden_size', 'trainHidden'), numberField('embed_dim', 'trainEmbed'),
        h('div', { class: 'train-field' },
          h('label', { for: 'train-nonlinearity', 'data-i18n': 'trainNonlin', text: t('trainNonlin') }), nonlin)),
      h('details', { class: 'train-more' },
        h('summary', { 'data-i18n': 'trainMore', text: t('trainMore') }),
        h('div', { class: 'train-sizes' },
          numberField('steps', 'trainSteps'), numberField('seed', 'trainSeed'),
          numberField('lr', 'trainLr', 'any'), numberField('batch_size', 'trainBatch'))));

    const go = h('button', { type: 'submit', class: 'button primary train-go' });
    const reset = h('button', { type: 'button', class: 'button train-reset', 'data-i18n': 'trainReset', text: t('trainReset') });
    const form = h('form', { class: 'train-form', novalidate: true },
      settings,
      h('div', { class: 'train-buttons' }, go, reset),
      h('div', { class: 'error train-error', role: 'alert', hidden: true }, h('span', { class: 'error-text' })));

    const stat = (key) => h('div', { class: `stat stat-${key}` },
      h('dt', { 'data-i18n': `stat_${key}`, text: t(`stat_${key}`) }), h('dd', { text: '–' }));
    const legendItem = (cls, key) => h('span', { class: 'train-legend-item' },
      h('span', { class: `train-swatch ${cls}` }), h('span', { 'data-i18n': key, text: t(key) }));
    const liveBox = h('div', { class: 'train-live-example' },
      h('h3', {}, h('span', { 'data-i18n': 'liveTitle', text: t('liveTitle') }), ' ', h('span', { class: 'live-step hint' })),
      h('p', { class: 'hint', 'data-i18n': 'liveGuessHint', text: t('liveGuessHint') }),
      h('div', { class: 'live-guess-scroller' }, h('table', { class: 'live-guess' })),
      h('p', { class: 'live-verdict' }),
      h('p', { class: 'hint live-maps-hint' }),
      h('div', { class: 'live-maps-box' }, h('canvas', { class: 'live-maps', role: 'img', hidden: true })));

    const live = h('div', { class: 'train-live' },
      h('dl', { class: 'train-stats' }, ...['step', 'loss', 'exact', 'token', 'speed', 'time'].map(stat)),
      h('p', { class: 'train-status', role: 'status' }),
      h('div', { class: 'train-chart-box' }, h('canvas', { class: 'train-chart', role: 'img' })),
      h('p', { class: 'train-legend' },
        legendItem('loss', 'legendLoss'), legendItem('exact', 'legendExact'), legendItem('token', 'legendToken')),
      h('div', { class: 'train-actions' },
        h('button', { type: 'button', class: 'button train-explore', 'data-i18n': 'trainExplore', text: t('trainExplore') }),
        h('button', { type: 'button', class: 'button train-download', 'data-i18n': 'trainDownload', text: t('trainDownload') }),
        h('span', { class: 'hint', 'data-i18n': 'trainExploreHint', text: t('trainExploreHint') })),
      liveBox);

    this.root.replaceChildren(
      h('div', { class: 'panel-head' }, h('h2', { id: 'train-title', 'data-i18n': 'trainTitle', text: t('trainTitle') })),
      h('p', { class: 'hint', 'data-i18n': 'trainIntro', text: t('trainIntro') }),
      h('div', { class: 'train-grid' }, form, live));
    this.root.setAttribute('aria-labelledby', 'train-title');

    const q = (sel) => this.root.querySelector(sel);
    this.els = {
      form, settings, go, reset, task: taskSelect, size: sizeSelect, nonlin,
      taskDesc: q('.train-task-desc'), textBox: q('.train-text-box'), text: q('#train-text'), textHint: q('.train-text-hint'),
      exampleQ: q('.train-example-text .q'), exampleA: q('.train-example-text .a'), another: q('.train-another'),
      params: q('.train-params'), gptSizes: q('.gpt-sizes'), rnnSizes: q('.rnn-sizes'),
      error: q('.train-error'), errorText: q('.train-error .error-text'),
      stats: Object.fromEntries(['step', 'loss', 'exact', 'token', 'speed', 'time'].map((k) => [k, q(`.stat-${k} dd`)])),
      status: q('.train-status'), chart: q('.train-chart'), explore: q('.train-explore'), download: q('.train-download'),
      live: liveBox, liveStep: q('.live-step'),
    };

    form.addEventListener('submit', (e) => { e.preventDefault(); this.onGo(); });
    reset.addEventListener('click', () => this.onReset());
    taskSelect.addEventListener('change', () => this.onTaskChange());
    for (const r of this.root.querySelectorAll('input[name="train-arch"]')) {
      r.addEventListener('change', () => this.fillSizes(r.value, this.els.size.value));
    }
    sizeSelect.addEventListener('change', () => this.fillSizes(this.arch(), sizeSelect.value));
    for (const input of settings.querySelectorAll('input[type="number"], select#train-nonlinearity, textarea')) {
      input.addEventListener('input', () => {
        if (this.els.gptSizes.contains(input) || this.els.rnnSizes.contains(input)) this.els.size.value = presetOf(this.arch(), this.formValues());
        this.previewSoon();
      });
    }
    this.els.another.addEventListener('click', () => this.onAnother());
    this.els.explore.addEventListener('click', () => this.onExplore());
    this.els.download.addEventListener('click', () => this.onDownload());
  }

  arch() { return this.root.querySelector('input[name="train-arch"]:checked')?.value ?? 'gpt2'; }

  formValues() {
    const v = { task: this.els.task.value, arch: this.arch(), text: this.els.text.value, nonlinearity: this.els.nonlin.value };
    for (const field of Object.keys(LIMITS)) v[field] = this.root.querySelector(`#train-${field}`).value;
    return v;
  }

  /** Shows the architecture's size fields, filled from a preset (custom keeps them). */
  fillSizes(arch, preset) {
    for (const r of this.root.querySelectorAll('input[name="train-arch"]')) r.checked = r.value === arch;
    this.els.gptSizes.hidden = arch !== 'gpt2';
    this.els.rnnSizes.hidden = arch !== 'rnn';
    const sizes = PRESETS[arch][preset];
    if (sizes) for (const [k, v] of Object.entries(sizes)) this.root.querySelector(`#train-${k}`).value = String(v);
    this.els.size.value = presetOf(arch, this.formValues());
    this.previewSoon(0);
  }

  onTaskChange() {
    const task = this.els.task.value;
    const steps = this.root.querySelector('#train-steps');
    steps.value = String(TASKS[task].steps);
    if (!this.root.querySelector('#train-seed').value) {
      this.root.querySelector('#train-seed').value = '1';
      this.root.querySelector('#train-lr').value = '0.003';
      this.root.querySelector('#train-batch_size').value = '16';
    }
    this.els.textBox.hidden = task !== 'text';
    this.exampleSeed = 0;
    this.previewSoon(0);
    this.schedule();
  }

  // ---- the worker ------------------------------------------------------------

  /** Starts the training worker once; resolves when it is ready (or failed). */
  ensureWorker() {
    if (this.workerReady) return this.workerReady;
    this.client = new TrainClient();
    this.client.on((ev) => this.onEvent(ev));
    this.setStatus('loading');
    this.workerReady = this.client.ready.then(() => {
      this.setStatus('idle');
      this.previewSoon(0);
    }, (e) => {
      this.setStatus('error');
      this.showError('trainEngineFailed', {}, e);
    });
    return this.workerReady;
  }

  previewSoon(delay = PREVIEW_DEBOUNCE_MS) {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => this.runPreview(), delay);
  }

  /** Asks the worker for an example and the parameter count of the current settings. */
  async runPreview() {
    if (!this.client || this.status === 'loading' || this.status === 'off') return;
    const seq = ++this.previewSeq;
    const form = this.formValues();
    const built = buildOptions(form);
    if (built.bad) {
      if (this.status === 'idle') this.showBadNumber(built.bad, false);
      return;
    }
    if (form.task === 'text' && [...form.text].length < 2) { // nothing to show yet; Start says why
      this.preview = null;
      this.schedule();
      return;
    }
    try {
      const result = await this.client.call('preview', { options: built.options, seed: this.exampleSeed });
      if (seq !== this.previewSeq) return;
      this.preview = { text: result.examples[0], info: result.info };
      if (this.status === 'idle') this.clearError();
    } catch (e) {
      if (seq !== this.previewSeq) return;
      this.preview = null;
      if (this.status === 'idle') this.showError('trainBadSettings', {}, e);
    }
    this.schedule();
  }

  onEvent(ev) {
    if (ev.event === 'error' && ev.run === undefined) { // the worker itself failed
      this.showError('trainStopped', {}, ev);
      this.setStatus('error');
      return;
    }
    if (ev.run !== this.runSeq) return; // from a run that was reset or replaced
    switch (ev.event) {
      case 'status':
        this.step = ev.step;
        this.elapsedMs = ev.elapsedMs;
        if (ev.status !== 'idle') this.setStatus(ev.status);
        break;
      case 'progress':
        this.chart.addLosses(ev.losses);
        this.step = ev.step;
        this.elapsedMs = ev.elapsedMs;
        this.rates.push({ at: ev.elapsedMs, steps: ev.losses.length, tokens: ev.tokens, ms: ev.ms });
        while (this.rates.length > 1 && ev.elapsedMs - this.rates[0].at > 2000) this.rates.shift();
        break;
      case 'eval':
        this.chart.addEval(ev.step, ev.metrics);
        this.metrics = ev.metrics;
        if (this.reached === null && ev.metrics.exact_match >= TARGET) {
          this.reached = { step: ev.step, ms: ev.elapsedMs, p: ev.metrics.exact_match };
          this.announce();
        }
        break;
      case 'trace':
        this.liveData = ev;
        break;
      case 'error':
        this.showError('trainStopped', {}, ev);
        break;
      default:
        return;
    }
    this.schedule();
  }

  // ---- actions ---------------------------------------------------------------

  async onGo() {
    if (!this.client) await this.ensureWorker();
    if (this.status === 'running') { this.client.call('pause').catch((e) => this.showError('trainStopped', {}, e)); return; }
    if (this.status === 'paused') { this.client.call('resume').catch((e) => this.showError('trainStopped', {}, e)); return; }
    if (this.status !== 'idle') return;
    const built = buildOptions(this.formValues());
    if (built.bad) { this.showBadNumber(built.bad, true); return; }
    this.clearError();
    const { options } = built;
    this.options = options;
    this.resetFigures();
    this.chart.reset(options.steps);
    const run = ++this.runSeq;
    this.setStatus('starting');
    try {
      await this.client.call('start', { options, exampleSeed: this.exampleSeed, run });
    } catch (e) {
      if (run !== this.runSeq) return;
      this.setStatus('idle');
      this.showError('trainFailed', {}, e);
      this.els.go.focus();
    }
  }

  async onReset() {
    this.runSeq++;
    this.resetFigures();
    this.chart.reset(1);
    this.clearError();
    if (this.client) {
      try { await this.client.call('reset'); } catch { /* the worker is gone; the page is reset anyway */ }
    }
    const hadFocus = this.els.reset === document.activeElement;
    this.setStatus(this.client?.broken ? 'error' : 'idle');
    this.render(); // now, so the focus below lands on an enabled button
    if (hadFocus) this.els.go.focus(); // Reset turns disabled: keep the keyboard in the panel
    this.previewSoon(0);
  }

  async onAnother() {
    this.exampleSeed++;
    if (this.hasRun()) {
      try { await this.client.call('example', { seed: this.exampleSeed }); } catch (e) { this.showError('trainStopped', {}, e); }
    }
    this.previewSoon(0);
  }

  hasRun() { return ['running', 'paused', 'done'].includes(this.status); }

  /** The current weights as a .safetensors File (metadata: task, settings, metrics on EVAL_N examples). */
  async trainedFile() {
    const { bytes, step } = await this.client.call('bytes', { n: EVAL_N });
    return new File([bytes], fileName(this.options, step), { type: 'application/octet-stream' });
  }

  async onExplore() {
    if (!this.hasRun() || !this.explore) return;
    this.els.explore.disabled = true;
    try {
      const file = await this.trainedFile();
      await this.explore(file, this.liveData?.text ?? '');
    } catch (e) {
      this.showError('trainStopped', {}, e);
    } finally {
      this.render();
    }
  }

  async onDownload() {
    if (!this.hasRun()) return;
    this.els.download.disabled = true;
    try {
      const file = await this.trainedFile();
      const url = URL.createObjectURL(file);
      const a = h('a', { href: url, download: file.name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      this.showError('trainStopped', {}, e);
    } finally {
      this.render();
    }
  }

  // ---- state and drawing -----------------------------------------------------

  resetFigures() {
    this.step = 0;
    this.elapsedMs = 0;
    this.rates = [];
    this.metrics = null;
    this.reached = null;
    this.liveData = null;
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.root.dataset.status = status;
    // The primary button keeps focus as it turns from Start to Pause to Resume.
    this.renderButtons();
    this.announce();
    this.schedule();
  }

  /** The status line, read by screen readers when it changes (not on every step). */
  announce() {
    const s = this.status;
    const vars = { n: count(this.step, this.lang()), total: count(this.options?.steps ?? 0, this.lang()) };
    let text = t(`status_${s}`, vars);
    if (this.reached && this.hasRun()) {
      text += ` ${t('milestone', { p: `${(this.reached.p * 100).toFixed(1)}%`, n: count(this.reached.step, this.lang()), s: this.seconds(this.reached.ms) })}`;
    }
    // A short pasted text has no held-out part: say so wherever its score is reported.
    if (this.hasRun() && this.options?.task === 'text' && !heldOutChars(this.options.text)) text += ` ${t('statusHeldOutNone')}`;
    this.els.status.textContent = text;
  }

  lang() { return document.documentElement.lang.startsWith('zh') ? 'zh' : 'en'; }

  seconds(ms) { return t('seconds', { s: (ms / 1000).toFixed(1) }); }

  showBadNumber(bad, focus) {
    const label = this.root.querySelector(`label[for="train-${bad.field}"]`)?.textContent ?? bad.field;
    this.showError('trainBadNumber', { name: label, min: bad.min, max: bad.max });
    const input = this.root.querySelector(`#train-${bad.field}`);
    if (focus) {
      input.closest('details')?.setAttribute('open', '');
      input.focus();
    }
  }

  showError(key, vars = {}, raw = null) {
    this.error = { key, vars, raw };
    this.drawError();
  }

  clearError() {
    this.error = null;
    this.drawError();
  }

  drawError() {
    const e = this.error;
    this.els.error.hidden = !e;
    this.els.errorText.textContent = e ? t(e.key, { ...e.vars, msg: e.raw === null ? '' : readable(e.raw) }) : '';
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  /**
   * The buttons follow the status at once (not at the next frame), so a click
   * on Pause is answered by "Resume" before anything else is drawn.
   */
  renderButtons() {
    const s = this.status;
    const busy = ['running', 'paused', 'done', 'starting'].includes(s);
    const { els } = this;
    // One primary button that reads Start, Pause, Resume or Finished.
    const goKey = { running: 'trainPause', paused: 'trainResume', done: 'trainFinished', starting: 'trainStarting' }[s] ?? 'trainStart';
    els.go.textContent = t(goKey);
    els.go.dataset.action = goKey;
    // Starting and Finished stay focusable (aria-disabled), so keyboard focus is never dropped.
    els.go.disabled = ['off', 'loading', 'error'].includes(s);
    els.go.setAttribute('aria-disabled', String(s === 'starting' || s === 'done'));
    els.reset.disabled = !busy && s !== 'error';
    // Settings are fixed while a run exists ("another example" stays live).
    for (const c of els.settings.querySelectorAll('input, select, textarea')) c.disabled = busy;
    els.explore.disabled = !this.hasRun() || !this.explore;
    els.download.disabled = !this.hasRun();
  }

  render() {
    const lang = this.lang();
    const s = this.status;
    const running = s === 'running';
    const task = this.els.task.value;
    const { els } = this;
    this.renderButtons();
    this.root.dataset.step = String(this.step);

    // Settings: task description, text hint, example, parameter count.
    els.taskDesc.textContent = t(`taskDesc_${task}`);
    // Which text the held-out score is measured on: the end of a long text, else the training text itself.
    const held = heldOutChars(els.text.value);
    els.textHint.textContent = `${t('trainTextHint', { n: TEXT_WINDOW })} ${held ? t('trainHeldOutTail', { n: held }) : t('trainHeldOutNone', { min: TEXT_HOLD_OUT_MIN })}`;
    els.textHint.dataset.heldOut = String(held);
    const example = (this.hasRun() && this.liveData?.text) || this.preview?.text || '';
    const { prompt, answer } = splitExample(task, example);
    els.exampleQ.textContent = prompt;
    els.exampleA.textContent = answer;
    els.exampleQ.parentElement.hidden = !example;
    const info = this.preview?.info;
    // A GPT reads at most n_positions characters; an RNN has no such limit.
    const params = info && t(info.config.n_positions ? 'trainParams' : 'trainParamsRnn', { n: count(info.num_params, lang), v: info.config.vocab_size, len: info.max_len });
    els.params.textContent = params || '';

    // Figures.
    const total = this.options?.steps ?? 0;
    els.stats.step.textContent = this.hasRun() ? `${count(this.step, lang)} / ${count(total, lang)}` : '–';
    const loss = this.hasRun() ? this.chart.recentLoss() : null;
    els.stats.loss.textContent = loss === null ? '–' : loss.toPrecision(3);
    els.stats.exact.textContent = this.metrics && this.hasRun() ? `${(this.metrics.exact_match * 100).toFixed(1)}%` : '–';
    els.stats.token.textContent = this.metrics && this.hasRun() ? `${(this.metrics.token_accuracy * 100).toFixed(1)}%` : '–';
    const rate = this.rate();
    els.stats.speed.textContent = rate && running
      ? t('speedValue', { steps: rate.steps.toFixed(rate.steps < 10 ? 1 : 0), tokens: count(Math.round(rate.tokens), lang) })
      : '–';
    els.stats.time.textContent = this.hasRun() ? this.seconds(this.elapsedMs) : '–';
    this.announceIfChanged();

    if (!this.hasRun() && s !== 'starting') this.chart.total = Math.max(1, Math.round(Number(this.root.querySelector('#train-steps').value)) || 1);
    const chartKey = `${this.chart.count}|${this.chart.evals.length}|${this.chart.total}|${lang}|${els.chart.parentElement.clientWidth}`;
    if (chartKey !== this.chartKey) {
      const wait = this.chartAt + CHART_MS - performance.now();
      if (running && wait > 0) {
        clearTimeout(this.chartTimer);
        this.chartTimer = setTimeout(() => this.schedule(), wait);
      } else {
        this.chart.draw();
        this.chartKey = chartKey;
        this.chartAt = performance.now();
      }
    }
    els.chart.setAttribute('aria-label', this.hasRun() && loss !== null
      ? t('chartLabel', { n: count(this.step, lang), loss: loss.toPrecision(3), acc: this.metrics ? `${(this.metrics.exact_match * 100).toFixed(1)}%` : '–' })
      : t('chartEmpty'));
    els.liveStep.textContent = this.liveData && this.hasRun() ? t('liveStep', { n: count(this.liveData.step, lang) }) : '';
    this.live.render(this.hasRun() ? this.liveData : null, task);
    this.drawError();
  }

  /** Re-announces only when the words would change (language, paused step). */
  announceIfChanged() {
    const before = this.els.status.textContent;
    const key = `${this.status}|${this.lang()}|${this.status === 'running' ? '' : this.step}|${this.reached?.step ?? ''}`;
    if (key !== this.announced || !before) { this.announced = key; this.announce(); }
  }

  /** Steps and tokens per second of training over the last ~2 s. */
  rate() {
    if (!this.rates.length) return null;
    let steps = 0;
    let tokens = 0;
    let ms = 0;
    for (const r of this.rates) { steps += r.steps; tokens += r.tokens; ms += r.ms; }
    return ms > 0 ? { steps: (steps * 1000) / ms, tokens: (tokens * 1000) / ms } : null;
  }
}

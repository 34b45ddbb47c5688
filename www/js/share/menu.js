// The Share & export menu in the explorer's top bar: the link to this view,
// downloads of the chosen view (PNG, SVG) and of the whole trace
// (interactive HTML, JSON), and code to embed the view in another page.
// Links and embed code carry the text's first LINK_TEXT_MAX characters; the
// menu says so when the text is longer. Embed code names no host: its paths
// start at the site's root (the folder Glasswing is served from), so it works
// pasted into any page of the same site, in any folder; the hint says which
// folder to copy for another site. The iframe is as tall as the view needs.
// A <details> element, so it opens and closes from the keyboard; Escape or
// a click elsewhere closes it. Built here (not in index.html) and relabelled
// when the language changes.

import { t, translateError } from '../i18n.js';
import { download, fileName, standaloneHtml, svgToPng, traceJsonText, viewSvg } from './exports.js';
import { ablationLabel } from '../interp/state.js';
import { PANELS, linkableModel } from './page.js';
import { LINK_TEXT_MAX, linkText } from './link.js';
import { count } from '../format.js';
import { activePos } from '../state.js';
import { esc, viewsFor } from './svg.js';

const VIEW_LABELS = { heads: 'headView', matrix: 'matrix', model: 'modelView', bars: 'bars', hidden: 'hidden' };
const SUBTITLE_TEXT_MAX = 60;

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k in e && k !== 'list') e[k] = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

export class ShareMenu {
  constructor(page, links) {
    this.page = page;
    this.links = links;
    this.root = document.querySelector('#share-menu');
    if (!this.root) return;
    this.build();
    this.relabel();
    page.store.subscribe((state, changed) => {
      if (changed.includes('lang')) this.relabel();
      if (this.root.open) this.refresh();
    });
    page.els.input.addEventListener('input', () => { if (this.root.open) this.refresh(); });
    // Fill the menu as it opens (the click comes before the first paint; the
    // 'toggle' event only after it), and again on toggle for keyboard opens.
    this.summary.addEventListener('click', () => {
      if (this.root.open) return;
      this.refresh();
      requestAnimationFrame(() => this.fit()); // (open by then, before it is painted)
    });
    this.root.addEventListener('toggle', () => {
      if (this.root.open) { this.refresh(); this.fit(); }
      this.markTarget();
    });
    window.addEventListener('resize', () => this.fit());
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.root.open) {
        this.root.open = false;
        this.summary.focus();
      }
    });
    document.addEventListener('pointerdown', (e) => {
      if (this.root.open && !this.root.contains(e.target)) this.root.open = false;
    });
  }

  build() {
    const r = this.root;
    this.summaryText = el('span');
    this.summary = el('summary', { className: 'share-summary' }, this.summaryText);
    this.linkInput = el('input', { id: 'share-link', type: 'text', readOnly: true, spellcheck: false });
    this.copyLink = el('button', { type: 'button', className: 'share-btn', dataset: { act: 'copy-link' } });
    this.userNote = el('p', { className: 'share-note', hidden: true });
    this.textNote = el('p', { className: 'share-note share-text-note', hidden: true });
    this.viewSelect = el('select', { id: 'share-view' });
    this.viewLabel = el('label', { htmlFor: 'share-view' });
    this.buttons = Object.fromEntries(['png', 'svg', 'html', 'json'].map((kind) => [kind, el('button', {
      type: 'button', className: 'share-btn', dataset: { act: kind },
    })]));
    this.exportHint = el('p', { className: 'share-hint' });
    this.iframeCode = el('textarea', { id: 'share-iframe', readOnly: true, rows: 3, spellcheck: false });
    this.elementCode = el('textarea', { id: 'share-element', readOnly: true, rows: 4, spellcheck: false });
    this.iframeLabel = el('label', { htmlFor: 'share-iframe' });
    this.elementLabel = el('label', { htmlFor: 'share-element' });
    this.copyIframe = el('button', { type: 'button', className: 'share-btn small', dataset: { act: 'copy-iframe' } });
    this.copyElement = el('button', { type: 'button', className: 'share-btn small', dataset: { act: 'copy-element' } });
    this.embedHint = el('p', { className: 'share-hint' });
    this.status = el('p', { className: 'share-status', role: 'status', 'aria-live': 'polite' });
    this.headings = [el('h2'), el('h2'), el('h2')];
    this.pop = el('div', { className: 'share-pop', role: 'group' },
      el('section', {}, this.headings[0], el('div', { className: 'share-row' }, this.linkInput, this.copyLink), this.userNote, this.textNote),
      el('section', {}, this.headings[1],
        el('div', { className: 'share-row' }, this.viewLabel, this.viewSelect),
        el('div', { className: 'share-buttons' }, ...Object.values(this.buttons)), this.exportHint),
      el('section', {}, this.headings[2],
        el('div', { className: 'share-code' }, this.iframeLabel, this.copyIframe), this.iframeCode,
        el('div', { className: 'share-code' }, this.elementLabel, this.copyElement), this.elementCode,
        this.embedHint),
      this.status);
    r.replaceChildren(this.summary, this.pop);

    this.copyLink.addEventListener('click', () => this.copy(this.linkInput));
    this.copyIframe.addEventListener('click', () => this.copy(this.iframeCode));
    this.copyElement.addEventListener('click', () => this.copy(this.elementCode));
    for (const input of [this.linkInput, this.iframeCode, this.elementCode]) input.addEventListener('focus', () => input.select());
    this.viewSelect.addEventListener('change', () => this.page.store.set({ view: this.viewSelect.value }));
    for (const [kind, b] of Object.entries(this.buttons)) b.addEventListener('click', () => this.export(kind));
  }

  relabel() {
    this.summaryText.textContent = t('share');
    this.pop.setAttribute('aria-label', t('share'));
    [t('shareLink'), t('exportTitle'), t('embedTitle')].forEach((s, i) => { this.headings[i].textContent = s; });
    this.linkInput.setAttribute('aria-label', t('shareLink'));
    this.copyLink.textContent = t('copyLink');
    this.viewLabel.textContent = t('exportView');
    this.buttons.png.textContent = t('exportPng');
    this.buttons.svg.textContent = t('exportSvg');
    this.buttons.html.textContent = t('exportHtml');
    this.buttons.json.textContent = t('exportJson');
    this.exportHint.textContent = t('exportHint');
    this.iframeLabel.textContent = t('embedIframe');
    this.elementLabel.textContent = t('embedElement');
    this.copyIframe.textContent = t('copy');
    this.copyElement.textContent = t('copy');
    this.copyIframe.setAttribute('aria-label', `${t('copy')}: ${t('embedIframe')}`);
    this.copyElement.setAttribute('aria-label', `${t('copy')}: ${t('embedElement')}`);
    this.embedHint.textContent = t('embedHint', { dir: this.folder(), origin: location.origin });
    this.userNote.textContent = t('linkUserModel');
    this.viewsKey = null; // rebuild the options in the new language
    this.refresh();
  }

  /** The view the exports and embeds are about: the chosen one if this model has it. */
  view() {
    const views = viewsFor(this.page.app.trace);
    const v = this.page.store.state.view;
    return views.includes(v) ? v : views[0];
  }

  refresh() {
    const { app } = this.page;
    const trace = app.trace;
    const views = viewsFor(trace);
    const key = `${views.join()}|${t('headView')}`;
    if (this.viewsKey !== key) {
      this.viewsKey = key;
      this.viewSelect.replaceChildren(...views.map((v) => el('option', { value: v }, t(VIEW_LABELS[v]))));
    }
    this.viewSelect.value = this.view();
    const linkable = linkableModel(app) !== undefined;
    this.userNote.hidden = linkable || !app.current;
    const carried = linkText(this.page.els.input.value);
    this.textNote.hidden = !carried.cut;
    if (carried.cut) {
      const lang = this.page.store.state.lang;
      this.textNote.textContent = t('linkTextCut', { max: count(LINK_TEXT_MAX, lang), n: count(carried.length, lang) });
    }
    this.linkInput.value = this.links.urlFor('');
    this.iframeCode.value = this.iframeSnippet();
    this.elementCode.value = this.elementSnippet();
    for (const b of Object.values(this.buttons)) b.disabled = !trace;
    this.markTarget();
  }

  /**
   * Keeps the pop-up inside the window: it hangs below the button, as tall as
   * the window leaves there, and scrolls inside (on a phone the top bar wraps
   * and the button sits a quarter of the way down).
   */
  fit() {
    if (!this.root.open) return;
    this.pop.style.maxHeight = '';
    const top = Math.max(0, this.pop.getBoundingClientRect().top);
    this.pop.style.maxHeight = `${Math.max(160, Math.floor(window.innerHeight - top - 8))}px`;
  }

  /** Outlines the panel being exported while the menu is open. */
  markTarget() {
    const target = this.root.open && this.page.app.trace ? PANELS[this.view()] : null;
    for (const sel of Object.values(PANELS)) document.querySelector(sel)?.classList.toggle('share-target', sel === target);
  }

  title() {
    const m = this.page.app.current;
    if (!m) return 'Glasswing';
    const zh = this.page.store.state.lang === 'zh';
    return (zh && m.entry?.title_zh) || m.entry?.title || m.info?.metadata?.title || m.name || 'Glasswing';
  }

  /** The folder Glasswing is served from, from the site's root ("/" or "/glasswing/"): embed code's paths start here. */
  folder() {
    return new URL('./', location.href).pathname;
  }

  /**
   * An iframe height (CSS pixels, in a 720-pixel-wide frame) that shows the
   * chosen view without scrolling and at a readable size: the element's
   * chrome (token chips, pickers, the foot) plus the view itself (22 pixels a
   * row in the head view, so 20 tokens fit at full size).
   */
  iframeHeight() {
    const trace = this.page.app.trace;
    if (!trace) return 480;
    const T = trace.ids.length;
    const view = this.view();
    const chips = 44 * Math.ceil(T / 17); // rows of token chips
    const [L] = trace.attention?.shape ?? trace.hidden?.shape ?? [1];
    const V = trace.probs.shape[1];
    const body = {
      heads: 22 * T + 110, // pickers, the lines, the note under them
      matrix: Math.min(560, Math.max(300, 26 * T)) + 90,
      model: 125 * L + 40,
      bars: 30 * (Math.min(this.page.store.state.topK, V) + 1) + 130,
      hidden: L * (Math.min(360, Math.max(4, Math.min(28, Math.floor(360 / T))) * T) + 70),
    }[view] ?? 400;
    return Math.round(Math.min(1000, Math.max(360, 70 + chips + body)) / 10) * 10;
  }

  iframeSnippet() {
    const src = `${this.folder()}embed.html#${this.links.current()}`;
    return `<iframe src="${esc(src)}" title="${esc(`Glasswing: ${this.title()}`)}" width="720" height="${this.iframeHeight()}" loading="lazy" style="border:1px solid #dfe4eb;border-radius:8px;max-width:100%"></iframe>`;
  }

  elementSnippet() {
    const { app, els, store } = this.page;
    const s = store.state;
    const one = (i) => (i === null || i === undefined ? i : i + 1); // attributes count from 1, as links do
    // The head toggles as the link writes them ("0010": the third head alone; left out when every head is on).
    const heads = Array.isArray(s.headsOn) && !s.headsOn.every(Boolean) ? s.headsOn.map((on) => (on ? '1' : '0')).join('') : null;
    const attrs = [['model', linkableModel(app)], ['text', linkText(els.input.value).text], ['view', this.view()],
      ['layer', one(s.layer)], ['head', one(s.head)], ['pos', one(s.pos)], ['heads', heads], ['lang', s.lang]];
    const a = attrs.filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => ` ${k}="${esc(v)}"`).join('');
    const module = `${this.folder()}glasswing-view.js`;
    return `<script type="module" src="${esc(module)}"></script>\n<glasswing-view${a}></glasswing-view>`;
  }

  async copy(input) {
    input.focus();
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      this.say(t('copied'));
    } catch {
      // No clipboard permission: the text is selected for Ctrl+C.
      this.say(t('copyManual'));
    }
  }

  say(msg, error = false) {
    this.status.textContent = msg;
    this.status.classList.toggle('error', error);
  }

  async export(kind) {
    const { app, els, store } = this.page;
    const shown = app.trace;
    if (!shown) return;
    const view = this.view();
    // The figure on screen, hover and chosen position included (a chosen token keeps its lines in focus).
    // With heads ablated, the files are of the ablated model, and say so (interp/state.js).
    const state = { ...store.state, ablate: shown.ablated?.heads ?? [] };
    const ablated = ablationLabel(shown.ablated);
    const model = linkableModel(app) ?? app.current?.name ?? 'glasswing';
    const name = fileName(model, kind === 'html' || kind === 'json' ? null : view, state, kind);
    const button = this.buttons[kind];
    button.disabled = true;
    this.say(t('exporting', { name }));
    try {
      let blob;
      // A trace the worker keeps: a picture needs the layer and distribution it shows, a file the whole trace.
      const isPicture = kind === 'svg' || kind === 'png';
      if (isPicture) await shown.need({ layer: state.layer, pos: activePos(state, shown.ids.length) });
      const trace = isPicture ? shown : await shown.whole();
      if (isPicture) {
        const text = els.input.value;
        const shown = [...text].length > SUBTITLE_TEXT_MAX ? `${[...text].slice(0, SUBTITLE_TEXT_MAX).join('')}…` : text;
        const picture = viewSvg(view, trace, state, app.current.info, { subtitle: `${this.title()}${ablated} · “${shown}”`, forRaster: kind === 'png' });
        blob = kind === 'svg'
          ? new Blob([picture.svg], { type: 'image/svg+xml' })
          : await svgToPng(picture, 2);
      } else if (kind === 'html') {
        const view = { layer: state.layer, heads: state.headsOn, pos: state.hover ?? state.pos };
        const html = await standaloneHtml(trace, { title: `${this.title()}${ablated}`, text: els.input.value, vocab: app.current.info.vocab, tokenTable: app.current.info.tokenTable, view });
        blob = new Blob([html], { type: 'text/html' });
      } else {
        blob = new Blob([await traceJsonText(trace, shown.ablated ? { ablated: shown.ablated } : null), '\n'], { type: 'application/json' });
      }
      download(blob, name);
      this.say(t('exported', { name }));
    } catch (e) {
      this.say(t('exportFailed', { msg: translateError(e) }), true);
    } finally {
      button.disabled = false;
    }
  }
}

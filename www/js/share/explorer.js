// Links for the explorer page: opens the view a link asks for (model, text,
// then the registered store keys, clamped to the trace), keeps the location
// hash equal to what is on screen (history.replaceState, so no history
// flood; switching model pushes one entry so Back returns to the old one),
// follows Back/Forward and hand-edited hashes, notes which panel the user
// works in (state.view), and starts the Share & export menu.
// A link carries only the text's first LINK_TEXT_MAX characters; a longer
// text rides in the history entry's state instead, so Back, Forward and a
// reload of this tab still bring the whole text back.

import { t } from '../i18n.js';
import { clampToTrace } from '../state.js';
import { formatLink, hashKeys, linkText, mergePatch, parseLink } from './link.js';
import { ShareMenu } from './menu.js';
import { PANELS, linkableModel } from './page.js';

const WRITE_DELAY_MS = 120; // coalesces a burst of changes into one replaceState

/**
 * The link in the address, with the whole text when this history entry
 * keeps it (a text longer than a link carries, see write()).
 */
function addressLink() {
  const link = parseLink(location.hash);
  const full = history.state?.text;
  if (typeof full === 'string' && link.text !== undefined && full.startsWith(link.text)) link.text = full;
  return link;
}

/** The link in the page's address, read once before anything is drawn. */
export function pageLink() { return addressLink(); }

export class ExplorerLinks {
  /**
   * page: {store, app, els, showModel(key, opts), retraceNow(), nextDraw()} from main.js.
   */
  constructor(page) {
    this.page = page;
    this.timer = 0;
    this.written = location.hash; // the hash we last wrote or applied
    this.lastKey = null; // the picker value when the hash was last written
    this.applying = null;
    this.note = null;
    const keys = new Set([...hashKeys(), 'modelKey']);
    page.store.subscribe((state, changed) => {
      if (changed.some((k) => keys.has(k))) this.schedule();
      if (changed.includes('lang') && this.noteArgs) this.showNote(...this.noteArgs);
    });
    page.els.input.addEventListener('input', () => this.schedule());
    // Back/Forward between pushed entries, or a hash edited by hand.
    const follow = () => { if (location.hash !== this.written) this.apply(addressLink()); };
    window.addEventListener('popstate', follow);
    window.addEventListener('hashchange', follow);
    // The panel worked in last is the view a link, embed or export is about.
    for (const [view, sel] of Object.entries(PANELS)) {
      const panel = document.querySelector(sel);
      const pick = () => { if (this.page.store.state.view !== view) this.page.store.set({ view }); };
      panel?.addEventListener('pointerdown', pick);
      panel?.addEventListener('focusin', pick);
    }
  }

  /** The hash (without "#") of what is on screen now. */
  current() {
    const { app, els, store } = this.page;
    return formatLink({ model: linkableModel(app), text: app.current ? els.input.value : undefined }, store.state);
  }

  /** A full URL of `file` (index.html, embed.html…) relative to this page, showing the current view. */
  urlFor(file = '') {
    return new URL(`${file}#${this.current()}`, location.href).href;
  }

  schedule() {
    if (this.applying) return; // apply() writes once when it is done
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.write(), WRITE_DELAY_MS);
  }

  write() {
    clearTimeout(this.timer);
    if (!this.page.app.current) return;
    const hash = `#${this.current()}`;
    const key = this.page.store.state.modelKey;
    const url = `${location.pathname}${location.search}${hash}`;
    // The whole text, when the link carries only its start.
    const text = this.page.els.input.value;
    const state = linkText(text).cut ? { text } : null;
    // A different model is a deliberate step worth one Back; anything else replaces.
    const push = this.lastKey !== null && key !== this.lastKey;
    this.lastKey = key;
    if (hash === location.hash && (history.state?.text ?? null) === (state?.text ?? null)) { this.written = hash; return; }
    try {
      if (push && hash !== location.hash) history.pushState(state, '', url); else history.replaceState(state, '', url);
      this.written = hash;
    } catch { /* the browser may refuse a burst of history calls; the next change retries */ }
  }

  /**
   * Shows the view `link` describes. `fallback`: the picker value to open
   * when the link names no model (or one that is not here) and none is open.
   */
  async apply(link, fallback = null) {
    const run = (async () => {
      const { app, els, store, showModel, retraceNow } = this.page;
      const wanted = link.model ? `shipped:${link.model}` : null;
      const known = wanted && app.models.has(wanted);
      const key = known ? wanted : (store.state.modelKey ?? fallback);
      // Text belongs to its model: keep it unless the link's model is missing.
      const text = link.model && !known ? undefined : link.text;
      if (key && key !== store.state.modelKey) {
        if (text !== undefined) els.input.value = text;
        await showModel(key, { keepText: text !== undefined });
      } else if (key && text !== undefined && text !== els.input.value) {
        els.input.value = text;
        await retraceNow();
      }
      const merged = mergePatch(store.state, link.patch);
      const trace = app.trace;
      store.set(trace ? { ...merged, ...clampToTrace({ ...store.state, ...merged }, trace) } : merged);
      this.showNote(link.bad, link.model && !known ? link.model : null);
    })();
    this.applying = run;
    try {
      await run;
    } finally {
      this.applying = null;
      this.lastKey = this.page.store.state.modelKey;
      this.write();
    }
  }

  /** A quiet, dismissible line when a link was partly unreadable. */
  showNote(bad = [], missingModel = null) {
    this.noteArgs = [bad, missingModel];
    const msgs = [];
    if (missingModel) msgs.push(t('linkNoModel', { name: missingModel }));
    if (bad.length) msgs.push(t('linkBad', { fields: [...new Set(bad)].join(', ') }));
    if (!msgs.length) { this.note?.remove(); this.note = null; this.noteArgs = null; return; }
    if (!this.note) {
      this.note = document.createElement('div');
      this.note.className = 'link-note';
      this.note.setAttribute('role', 'status');
      const text = document.createElement('span');
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'link-note-close';
      close.textContent = '×';
      close.addEventListener('click', () => { this.note.remove(); this.note = null; this.noteArgs = null; });
      this.note.append(text, close);
      document.querySelector('main')?.prepend(this.note);
    }
    this.note.firstChild.textContent = msgs.join(' ');
    this.note.lastChild.setAttribute('aria-label', t('dismiss'));
  }
}

/**
 * Opens the page's link (or `fallback`), then keeps the hash in step and
 * starts the menu. -> {links, menu}
 */
export async function startLinks(page, link, fallback) {
  const links = new ExplorerLinks(page);
  await links.apply(link, fallback);
  const view = link.patch.view && document.querySelector(PANELS[link.patch.view]);
  if (view && !view.hidden) view.scrollIntoView({ block: 'nearest' });
  const menu = new ShareMenu(page, links);
  return { links, menu };
}

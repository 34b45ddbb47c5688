// Page-wide keyboard shortcuts and their help overlay (opened by "?", closed
// by Esc). A presentation clicker sends Page Down / Page Up: while the lesson
// is open they step it, as the arrow keys do (closed, they scroll the page). One table drives both, so the list always shows what the keys do,
// in the current language. Keys are never taken from someone typing: not in
// text fields, not with Ctrl/Alt/Meta, not when a widget already handled the
// key (token chips walk with the arrows, the Generate panel has its own keys),
// and Space is left to whatever button has focus.

import { t } from '../i18n.js';
import { el } from './dom.js';

const TEXT_FIELD = 'textarea, select, [contenteditable=""], [contenteditable="true"], '
  + 'input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]):not([type=reset]):not([type=file])';
/** Elements that Space (or Enter) activates. */
const PRESSABLE = 'button, a[href], summary, input, [role=button], [role=checkbox], [role=switch], [role=tab], [role=option], [tabindex]:not([tabindex="-1"])';

export function isTyping(target) { return Boolean(target?.closest?.(TEXT_FIELD)); }

/**
 * actions: {help, lesson, presenter, palette, store, page} where lesson is the
 * Lesson, presenter/palette their toggles, page the hooks from main.js.
 * Returns {dialog, open(), close(), shortcuts}.
 */
export function initShortcuts({ lesson, presenter, palette, store, page }) {
  const generator = () => window.glasswing?.generate ?? null;
  const shape = () => page.trace()?.attention?.shape ?? null; // [L, H, T, T] for a GPT
  const stepLayer = (d) => {
    const s = shape();
    if (s) store.set({ layer: Math.max(0, Math.min(s[0] - 1, store.state.layer + d)) });
  };
  const stepHead = (d) => {
    const s = shape();
    if (s) store.set({ head: Math.max(0, Math.min(s[1] - 1, store.state.head + d)) });
  };

  // [keys, what the help shows, label key, action, available?]
  const SHORTCUTS = [
    { keys: ['?'], show: ['?'], label: 'keyHelp', run: () => toggle() },
    { keys: ['Escape'], show: ['Esc'], label: 'keyEsc', run: () => lesson.isOpen() && lesson.toggle() },
    { keys: ['l', 'L'], show: ['L'], label: 'keyLesson', run: () => lesson.toggle() },
    { keys: ['ArrowLeft', 'PageUp'], show: ['←', '→', 'PgUp', 'PgDn'], label: 'keyLessonSteps', run: () => lesson.isOpen() && lesson.go(lesson.index() - 1) },
    { keys: ['ArrowRight', 'PageDown'], run: () => lesson.isOpen() && lesson.go(lesson.index() + 1) },
    { keys: ['h', 'H'], show: ['H'], label: 'keyFold', run: () => lesson.toggleFold() },
    { keys: ['p', 'P'], show: ['P'], label: 'keyPresenter', run: () => presenter.toggle() },
    { keys: ['c', 'C'], show: ['C'], label: 'keyPalette', run: () => palette.next() },
    { keys: ['['], show: ['[', ']'], label: 'keyLayer', run: () => stepLayer(-1) },
    { keys: [']'], run: () => stepLayer(1) },
    { keys: [','], show: [',', '.'], label: 'keyHead', run: () => stepHead(-1) },
    { keys: ['.'], run: () => stepHead(1) },
    { keys: ['/'], show: ['/'], label: 'keyText', run: () => { page.input.focus(); page.input.select(); } },
    {
      keys: [' '], show: ['keySpace'], label: 'keyPlay', available: () => Boolean(generator()),
      run: () => { const g = generator(); if (g) (g.playing ? g.pause() : g.play()); },
    },
  ];
  const byKey = new Map();
  for (const s of SHORTCUTS) for (const k of s.keys) byKey.set(k, s);

  // ---- the overlay ----------------------------------------------------------
  const title = el('h2', { id: 'shortcuts-title' });
  const intro = el('p', { class: 'hint' });
  const table = el('table', { class: 'shortcuts-table' });
  const closeBtn = el('button', { type: 'button', class: 'shortcuts-close', onclick: () => close() });
  const dialog = el('dialog', { id: 'shortcuts', class: 'shortcuts', 'aria-labelledby': 'shortcuts-title' },
    el('div', { class: 'shortcuts-head' }, title, closeBtn), intro, table);
  document.body.append(dialog);
  dialog.addEventListener('click', (e) => { if (e.target === dialog) close(); }); // a click on the backdrop

  const kbd = (k) => el('kbd', { text: k.startsWith('key') ? t(k) : k });
  function keysCell(show) {
    const th = el('th', { scope: 'row' });
    show.forEach((k, i) => { if (i) th.append(' / '); th.append(kbd(k)); });
    return th;
  }

  function fill() {
    title.textContent = t('helpTitle');
    intro.textContent = t('helpIntro');
    closeBtn.textContent = t('helpClose');
    const rows = SHORTCUTS.filter((s) => s.label && (s.available?.() ?? true))
      .map((s) => el('tr', { 'data-key': s.keys[0] }, keysCell(s.show), el('td', { text: t(s.label) })));
    const more = [
      [['Tab', 'Shift+Tab'], 'keyTab'],
      [['←', '→', 'Home', 'End'], 'keyChips'],
    ];
    if (generator()) more.push([['S', 'G', 'B'], 'keyGenPanel']);
    table.replaceChildren(
      el('tbody', {}, ...rows),
      el('tbody', {}, el('tr', {}, el('th', { colspan: '2', class: 'shortcuts-sub', text: t('helpElsewhere') })),
        ...more.map(([show, label]) => el('tr', {}, keysCell(show), el('td', { text: t(label) })))),
    );
  }

  function open() {
    if (dialog.open) return;
    fill();
    dialog.showModal();
    closeBtn.focus();
  }
  function close() { if (dialog.open) dialog.close(); }
  function toggle() { if (dialog.open) close(); else open(); }
  store.subscribe((state, changed) => { if (changed.includes('lang') && dialog.open) fill(); });

  // ---- the keys ---------------------------------------------------------------
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (dialog.open) { // the dialog is modal: only "?" (and the dialog's own Esc) apply
      if (e.key === '?') { e.preventDefault(); close(); }
      return;
    }
    if (isTyping(e.target)) return;
    const s = byKey.get(e.key);
    if (!s || !(s.available?.() ?? true)) return;
    if (e.key === ' ' && e.target.closest?.(PRESSABLE)) return; // Space presses the focused button
    if (e.key === 'Escape' && !lesson.isOpen()) return;
    // Arrows and Page Up / Down scroll the page as usual when no lesson is open.
    if ((e.key.startsWith('Arrow') || e.key.startsWith('Page')) && !lesson.isOpen()) return;
    e.preventDefault();
    s.run();
  });

  return { dialog, open, close, toggle, shortcuts: SHORTCUTS };
}

// The classroom: guided lessons, presenter mode, heatmap palettes, keyboard
// shortcuts and words for the canvases. main.js calls initClassroom once
// with its hooks and then classroom.render() after every draw; everything
// else follows the shared store (state.lesson, state.presenter,
// state.palette), so a shared link can set any of them.
//
// hooks: {store, engine, ready, input, models(), current(), trace(),
//   showModel(key, {keepText}), setText(text), refresh(), nextDraw(), errorText()}

import { t } from '../i18n.js';
import { describeCanvases } from './describe.js';
import { el } from './dom.js';
import { Lesson } from './lesson.js';
import { initPalette, PALETTE_NAMES } from './palette.js';
import { initPresenter } from './presenter.js';
import { initShortcuts } from './shortcuts.js';
import { flagCodec, registerHashKey } from '../share/link.js';

// Presenter mode joins shared links (#presenter=1), so a lesson link can open
// ready for the projector. (state.lesson and state.palette are registered in share/link.js.)
registerHashKey('presenter', flagCodec('presenter'));

const PALETTE_LABELS = { standard: 'clsPaletteStandard', contrast: 'clsPaletteContrast' };

export function initClassroom(hooks) {
  const { store } = hooks;
  const lesson = new Lesson(store, hooks);
  const presenter = initPresenter(store, hooks.refresh);
  const palette = initPalette(store, hooks.refresh);
  const keys = initShortcuts({ lesson, presenter, palette, store, page: hooks });

  // ---- the toolbar in the top bar ----------------------------------------------
  const bar = document.querySelector('#classroom-bar');
  const lessonBtn = el('button', { type: 'button', 'data-classroom': 'lesson', 'aria-keyshortcuts': 'L', onclick: () => lesson.toggle() });
  const presenterBtn = el('button', { type: 'button', 'data-classroom': 'presenter', 'aria-keyshortcuts': 'P', onclick: () => presenter.toggle() });
  const paletteSelect = el('select', { id: 'palette-select', 'data-classroom': 'palette', 'aria-keyshortcuts': 'C' },
    PALETTE_NAMES.map((name) => el('option', { value: name })));
  paletteSelect.addEventListener('change', () => store.set({ palette: paletteSelect.value }));
  const paletteLabel = el('label', { for: 'palette-select', class: 'visually-hidden' }); // the options say "colours" themselves
  const helpBtn = el('button', { type: 'button', 'data-classroom': 'help', 'aria-keyshortcuts': '?', 'aria-haspopup': 'dialog', onclick: () => keys.open() });
  const status = el('p', { id: 'classroom-status', class: 'visually-hidden', role: 'status' });
  bar?.append(lessonBtn, presenterBtn, el('span', { class: 'palette-pick' }, paletteLabel, paletteSelect), helpBtn);
  document.body.append(status);

  function drawBar() {
    const s = store.state;
    bar?.setAttribute('aria-label', t('clsBar'));
    lessonBtn.textContent = t('clsLesson');
    lessonBtn.setAttribute('aria-pressed', String(s.lesson !== null));
    presenterBtn.textContent = t('clsPresenter');
    presenterBtn.setAttribute('aria-pressed', String(Boolean(s.presenter)));
    paletteLabel.textContent = t('clsPalette');
    for (const opt of paletteSelect.options) opt.textContent = t(PALETTE_LABELS[opt.value]);
    paletteSelect.value = s.palette;
    helpBtn.textContent = `? ${t('clsShortcuts')}`;
  }
  drawBar();
  store.subscribe((state, changed) => {
    if (changed.some((k) => k === 'lang' || k === 'lesson' || k === 'presenter' || k === 'palette')) drawBar();
    // Announced for screen readers (the toolbar buttons change silently otherwise).
    if (changed.includes('presenter')) status.textContent = t(state.presenter ? 'clsPresenterOn' : 'clsPresenterOff');
    if (changed.includes('palette')) status.textContent = t('clsPaletteNow', { name: t(PALETTE_LABELS[state.palette] ?? 'clsPaletteStandard') });
  });

  return {
    lesson,
    shortcuts: keys,
    /** After every draw of the views: canvas descriptions and the lesson's live exhibit. */
    render(trace, state, info) {
      describeCanvases(trace, state);
      lesson.render(trace, state, info);
    },
  };
}

// Small pickers shared by the attention views: a layer picker, a head picker
// (one head) and head toggles (any set of heads), each a row of real buttons
// or checkboxes so they work from the keyboard and read well aloud.

import { headColor } from '../colors.js';
import { t } from '../i18n.js';
import { kvHead, startsGroup } from '../gqa.js';
import { soloHead } from '../state.js';

function clear(el) { while (el.firstChild) el.firstChild.remove(); }

function caption(text) {
  const span = document.createElement('span');
  span.className = 'picker-caption';
  span.textContent = text;
  return span;
}

/** A segmented row of buttons, one per option; `selected` gets aria-pressed. */
function segmented(el, n, label, selected, onPick, decorate, extraKey = '') {
  const key = `${n}|${label}${extraKey}`;
  if (el.dataset.key !== key) {
    clear(el);
    el.dataset.key = key;
    el.setAttribute('role', 'group');
    el.append(caption(label));
    for (let i = 0; i < n; i++) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'seg';
      b.dataset.index = String(i);
      b.textContent = String(i + 1);
      decorate?.(b, i);
      b.addEventListener('click', () => onPick(i));
      el.append(b);
    }
    el.setAttribute('aria-label', label);
  }
  for (const b of el.querySelectorAll('button.seg')) {
    b.setAttribute('aria-pressed', String(Number(b.dataset.index) === selected));
  }
}

export function layerPicker(el, L, state, store) {
  segmented(el, L, t('layer'), state.layer, (i) => store.set({ layer: i }), (b, i) => {
    b.title = t('layerN', { n: i + 1 });
  });
}

/** A head's tooltip; with `g` query heads a key/value head (gqa.js), it names its key/value head. */
function headTitle(h, g) {
  return g ? t('headKv', { n: h + 1, kv: kvHead(h, g) + 1 }) : t('headN', { n: h + 1 });
}

/** `g`: query heads a key/value head (kvGroupSize), or null; groups get a gap between them. */
export function headPicker(el, H, state, store, g = null) {
  segmented(el, H, t('head'), state.head, (i) => store.set({ head: i }), (b, i) => {
    b.style.setProperty('--c', headColor(i));
    b.classList.add('head-seg');
    b.classList.toggle('kv-start', startsGroup(i, g));
    b.title = headTitle(i, g);
  }, `|${g}`);
}

/**
 * Coloured checkboxes, one per head, for the head view, then one button that
 * shows the focused head (state.head: the matrix's, the thumbnails') alone,
 * or, while one head is shown alone, every head again.
 */
export function headToggles(el, H, state, store, g = null) {
  const key = `${H}|${t('head')}|${t('headsAll')}|${g}`;
  if (el.dataset.key !== key) {
    clear(el);
    el.dataset.key = key;
    el.setAttribute('role', 'group');
    el.setAttribute('aria-label', t('heads'));
    el.append(caption(t('head')));
    for (let h = 0; h < H; h++) {
      const label = document.createElement('label');
      label.className = 'head-toggle';
      label.style.setProperty('--c', headColor(h));
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.dataset.head = String(h);
      box.addEventListener('change', () => {
        const headsOn = store.state.headsOn.slice();
        headsOn[h] = box.checked;
        store.set({ headsOn });
      });
      const text = document.createElement('span');
      text.textContent = String(h + 1);
      label.title = headTitle(h, g);
      label.classList.toggle('kv-start', startsGroup(h, g));
      label.append(box, text);
      el.append(label);
    }
    const solo = document.createElement('button');
    solo.type = 'button';
    solo.className = 'seg head-solo';
    solo.addEventListener('click', () => {
      const s = store.state;
      const alone = soloHead(s.headsOn) === s.head;
      store.set({ headsOn: s.headsOn.map((_, h) => alone || h === s.head) });
    });
    if (H > 1) el.append(solo);
  }
  for (const box of el.querySelectorAll('input[type=checkbox]')) {
    box.checked = Boolean(state.headsOn[Number(box.dataset.head)]);
  }
  const solo = el.querySelector('.head-solo');
  if (solo) {
    const alone = soloHead(state.headsOn) === state.head;
    solo.textContent = alone ? t('headsAll') : t('headAlone', { n: state.head + 1 });
    solo.style.setProperty('--c', alone ? 'var(--ink)' : headColor(state.head));
    solo.dataset.alone = String(alone);
    solo.dataset.head = String(state.head);
  }
}

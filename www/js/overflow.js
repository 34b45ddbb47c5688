// Boxes whose content may be larger than they are (a long head view, the
// all-heads grid of a 12-head model, a training example wider than a phone)
// scroll, and say so: many browsers hide scrollbars until you scroll
// (phones, macOS, headless Chromium), so a box that overflows gets
// `data-overflow` ("x", "y" or "x y"), a fade on the edge that has more, and
// a line of text under it ("Scroll sideways for the rest →"). Watched boxes
// re-check themselves when they or their children change size.

import { t } from './i18n.js';

const watched = new Set();
let resize = null;
let mutate = null;

/** Whether `el` has more content than it shows, and where it stands: {x, y, atEndX, atEndY}. */
export function overflowOf(el) {
  const x = el.scrollWidth > el.clientWidth + 1;
  const y = el.scrollHeight > el.clientHeight + 1;
  return {
    x, y,
    atEndX: el.scrollLeft + el.clientWidth >= el.scrollWidth - 2,
    atEndY: el.scrollTop + el.clientHeight >= el.scrollHeight - 2,
  };
}

/** Re-checks one box: its data attributes and its hint line. */
export function checkOverflow(el) {
  const { x, y, atEndX, atEndY } = overflowOf(el);
  const value = [x && 'x', y && 'y'].filter(Boolean).join(' ');
  if ((el.dataset.overflow ?? '') !== value) el.dataset.overflow = value;
  el.classList.toggle('more-right', x && !atEndX);
  el.classList.toggle('more-below', y && !atEndY);
  let hint = el.nextElementSibling?.classList.contains('scroll-hint') ? el.nextElementSibling : null;
  if (!value) { if (hint) hint.hidden = true; return; }
  if (!hint) {
    hint = document.createElement('p');
    hint.className = 'scroll-hint';
    hint.setAttribute('aria-hidden', 'true'); // the content itself is reachable; this is for the eyes
    el.after(hint);
  }
  hint.hidden = false;
  const text = t(x && y ? 'scrollBoth' : x ? 'scrollX' : 'scrollY');
  if (hint.textContent !== text) hint.textContent = text;
}

function observeChildren(el) {
  for (const child of el.children) resize.observe(child);
}

/** Watches `el` (a box with overflow: auto) from now on. */
export function watchOverflow(el) {
  if (!el || watched.has(el)) return;
  resize ??= new ResizeObserver((entries) => {
    const boxes = new Set();
    for (const e of entries) {
      const box = watched.has(e.target) ? e.target : e.target.parentElement;
      if (watched.has(box)) boxes.add(box);
    }
    for (const box of boxes) checkOverflow(box);
  });
  mutate ??= new MutationObserver((records) => {
    for (const r of records) if (watched.has(r.target)) { observeChildren(r.target); checkOverflow(r.target); }
  });
  watched.add(el);
  resize.observe(el);
  observeChildren(el);
  mutate.observe(el, { childList: true });
  el.addEventListener('scroll', () => checkOverflow(el), { passive: true });
  checkOverflow(el);
}

/** Re-checks every watched box (after a draw, or in a new language). */
export function checkAllOverflow() {
  for (const el of watched) {
    if (!el.isConnected) { watched.delete(el); continue; }
    checkOverflow(el);
  }
}

// Points at what a lesson step talks about: an outline and a "Look here"
// tag on each target (CSS: .lesson-target), the first visible one scrolled
// into view above the lesson panel (html's scroll-padding-bottom keeps it
// clear of the panel). One spotlight at a time.

let lit = [];

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

const shown = (e) => e.getClientRects().length > 0;

/** The shown elements for one target: "a || b" means a if the page has it, else b. */
function find(target) {
  for (const sel of target.split('||')) {
    const found = [...document.querySelectorAll(sel.trim())].filter(shown);
    if (found.length) return found;
  }
  return [];
}

/** Lights up the elements the targets (an array of selectors) name, labelled `tag`; returns them. */
export function spotlight(targets, tag) {
  clearSpotlight();
  lit = targets.flatMap(find);
  for (const e of lit) {
    e.classList.add('lesson-target');
    e.dataset.lessonTag = tag;
  }
  reveal(lit);
  return lit;
}

export function clearSpotlight() {
  for (const e of lit) {
    e.classList.remove('lesson-target');
    delete e.dataset.lessonTag;
  }
  lit = [];
}

/** Relabels the tags (language change) without moving the page. */
export function retagSpotlight(tag) { for (const e of lit) e.dataset.lessonTag = tag; }

/** Scrolls the page so the lit elements sit in the part of the window the lesson panel leaves free:
 * all of them centred if they fit, else from the top of the highest one. */
export function reveal(elements = lit) {
  if (!elements.length) return;
  const pad = parseFloat(getComputedStyle(document.documentElement).scrollPaddingBottom) || 0;
  const free = window.innerHeight - pad;
  const rects = elements.map((e) => e.getBoundingClientRect());
  const top = Math.min(...rects.map((r) => r.top)) - 16; // room for the "Look here" tag
  const bottom = Math.max(...rects.map((r) => r.bottom)) + 12;
  const y = bottom - top <= free ? window.scrollY + (top + bottom) / 2 - free / 2 : window.scrollY + top;
  window.scrollTo({ top: Math.max(0, y), behavior: reducedMotion() ? 'auto' : 'smooth' });
}

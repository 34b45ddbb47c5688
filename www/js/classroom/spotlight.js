// Points at what a lesson step talks about: an outline and a "Look here"
// tag on each target (CSS: .lesson-target), and the step's focus (the exact
// things its prose names: a matrix row, the top bars, the token chips)
// scrolled into the part of the window the lesson panel leaves free. One
// spotlight at a time.
//
// A focus item is a selector ("a || b": a if the page shows it, else b), or
// {cell: true}: the attention matrix from its column labels down to the
// selected position's row (the row the prose reads, under the labels that
// name its columns).

let lit = [];
let focused = [];
let focusState = () => null; // -> the store's state (the selected position moves the matrix row)

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

/** The rectangle (viewport coordinates) of the selected row of the attention matrix, with the column labels above it. */
function matrixRow(state) {
  const canvas = document.querySelector('#matrix-canvas');
  if (!canvas || !shown(canvas)) return null;
  const r = canvas.getBoundingClientRect();
  const T = Number(canvas.dataset.t);
  const cell = Number(canvas.dataset.cell);
  const top = Number(canvas.dataset.top);
  const i = state?.pos ?? T - 1;
  if (!(T > 0 && cell > 0 && i >= 0 && i < T)) return r;
  return { left: r.left, right: r.right, top: r.top, bottom: r.top + top + (i + 1) * cell };
}

/** The rectangles (viewport coordinates) of a step's focus items, as drawn now. */
export function focusRects(items = focused, state = focusState()) {
  const rects = [];
  for (const item of items) {
    if (typeof item === 'string') rects.push(...find(item).map((e) => e.getBoundingClientRect()));
    else if (item?.cell) {
      const r = matrixRow(state);
      if (r) rects.push(r);
    }
  }
  return rects;
}

/**
 * Lights up the elements the targets (an array of selectors) name, labelled
 * `tag`, and scrolls `focus` (or the targets) into view; `state()` is the
 * store's state. Returns the lit elements.
 */
export function spotlight(targets, tag, focus = null, state = () => null) {
  clearSpotlight();
  lit = targets.flatMap(find);
  for (const e of lit) {
    e.classList.add('lesson-target');
    e.dataset.lessonTag = tag;
  }
  focused = focus?.length ? focus : targets;
  focusState = state;
  reveal();
  return lit;
}

export function clearSpotlight() {
  for (const e of lit) {
    e.classList.remove('lesson-target');
    delete e.dataset.lessonTag;
  }
  lit = [];
  focused = [];
  focusState = () => null;
}

/** Relabels the tags (language change) without moving the page. */
export function retagSpotlight(tag) { for (const e of lit) e.dataset.lessonTag = tag; }

/**
 * Scrolls the page so the focus sits in the part of the window the lesson
 * panel leaves free: all of it centred if it fits, else from its top.
 */
export function reveal(rects = focusRects()) {
  if (!rects.length) return;
  // The panel covers the bottom of the window, or (docked at the side) none of its height.
  const panel = document.querySelector('#lesson');
  const box = panel && !panel.hidden ? panel.getBoundingClientRect() : null;
  const covers = box && box.left <= 0 && box.right >= window.innerWidth;
  const free = covers ? Math.max(0, Math.min(window.innerHeight, box.top)) : window.innerHeight;
  const top = Math.min(...rects.map((r) => r.top)) - 20; // room for the "Look here" tag
  const bottom = Math.max(...rects.map((r) => r.bottom)) + 8;
  const y = bottom - top <= free ? window.scrollY + (top + bottom) / 2 - free / 2 : window.scrollY + top;
  window.scrollTo({ top: Math.max(0, y), behavior: reducedMotion() ? 'auto' : 'smooth' });
}

// Heatmap palettes. "standard" is the page's own: ColorBrewer Blues for
// attention and RdBu for hidden states (heads keep the Okabe–Ito colours in
// both). "contrast" is for projectors, greyscale printouts and colour-vision
// deficiencies: attention runs from white through yellow and red to black
// (inferno, reversed), so lightness alone orders the weights; hidden states
// use purple–orange (PuOr), which the common deficiencies keep apart, with
// dark ends, so a value's size reads in lightness and its sign in hue.
// The lookup tables in colors.js are refilled in place, so every view sees
// the new colours on its next (fresh) draw.

import { DIVERGING, MASKED_RGB, SEQUENTIAL, buildLut, lutGradient } from '../colors.js';

export const PALETTES = {
  standard: {
    sequential: ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'],
    diverging: ['#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f'],
    masked: [232, 232, 236],
  },
  contrast: {
    sequential: ['#ffffff', '#fcffa4', '#fac228', '#f57d15', '#d44842', '#9f2a63', '#65156e', '#280b53', '#000004'],
    diverging: ['#2d004b', '#542788', '#8073ac', '#b2abd2', '#d8daeb', '#f7f7f7', '#fee0b6', '#fdb863', '#e08214', '#b35806', '#7f3b08'],
    masked: [200, 200, 206],
  },
};
export const PALETTE_NAMES = Object.keys(PALETTES);
const STORAGE_KEY = 'glasswing.palette';

function fill(name) {
  const p = PALETTES[name] ?? PALETTES.standard;
  SEQUENTIAL.set(buildLut(p.sequential));
  DIVERGING.set(buildLut(p.diverging));
  MASKED_RGB.splice(0, 3, ...p.masked);
  // Legend bars drawn once by their views follow too.
  for (const bar of document.querySelectorAll('.seq-legend .legend-bar')) bar.style.background = lutGradient(SEQUENTIAL);
  for (const bar of document.querySelectorAll('.hidden-layer .legend-bar')) bar.style.background = lutGradient(DIVERGING);
  document.body.dataset.palette = PALETTES[name] ? name : 'standard';
}

/** Follows state.palette (remembered in localStorage); `refresh` redraws the views. */
export function initPalette(store, refresh) {
  let saved = null;
  try { saved = localStorage.getItem(STORAGE_KEY); } catch { /* storage may be blocked */ }
  if (PALETTES[saved] && store.state.palette === 'standard') store.set({ palette: saved });
  const apply = () => {
    fill(store.state.palette);
    try { localStorage.setItem(STORAGE_KEY, store.state.palette); } catch { /* ignore */ }
    refresh();
  };
  // (Legends a view builds later read the refilled tables, so they match.)
  store.subscribe((state, changed) => { if (changed.includes('palette')) apply(); });
  if (store.state.palette !== 'standard') fill(store.state.palette);
  return {
    next() {
      const i = PALETTE_NAMES.indexOf(store.state.palette);
      store.set({ palette: PALETTE_NAMES[(i + 1) % PALETTE_NAMES.length] });
    },
  };
}

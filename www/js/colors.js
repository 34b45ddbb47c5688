// Colour scales. Heads get the Okabe–Ito palette (distinguishable with the
// common colour-vision deficiencies; its yellow is darkened so lines show on
// white). Heatmaps use 256-entry lookup tables, built once, so a T×T image
// is one table read per cell.

export const HEAD_COLORS = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#D55E00', // vermillion
  '#56B4E9', // sky blue
  '#9A8700', // dark yellow
  '#444444', // grey-black
];

export function headColor(h) { return HEAD_COLORS[h % HEAD_COLORS.length]; }

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * A 256×RGB table interpolated linearly between evenly spaced hex stops.
 * (The tables below are filled in place by classroom/palette.js when the
 * palette switches, so every importer sees the new colours.)
 */
export function buildLut(stops) {
  const rgb = stops.map(hexToRgb);
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (rgb.length - 1);
    const k = Math.min(rgb.length - 2, Math.floor(x));
    const f = x - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = rgb[k][c] + (rgb[k + 1][c] - rgb[k][c]) * f;
  }
  return lut;
}

// ColorBrewer "Blues" (sequential, from near-white to deep navy): attention 0..1.
export const SEQUENTIAL = buildLut(['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b']);
// ColorBrewer "RdBu" reversed (blue negative, white zero, red positive): hidden states.
export const DIVERGING = buildLut(['#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f']);

/** Grey for cells a causal model cannot see (the future). */
export const MASKED_RGB = [232, 232, 236];

export function lutCss(lut, x) {
  const i = Math.max(0, Math.min(255, Math.round(x * 255))) * 3;
  return `rgb(${lut[i]},${lut[i + 1]},${lut[i + 2]})`;
}

/** CSS linear-gradient() text for a legend bar. */
export function lutGradient(lut, steps = 9) {
  const parts = [];
  for (let s = 0; s < steps; s++) parts.push(lutCss(lut, s / (steps - 1)));
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

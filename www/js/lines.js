// A small line rasteriser for the head view. Canvas 2D strokes cost tens of
// microseconds each in software rendering (headless Chromium, many
// projector laptops), and a 256-token head view has 4·33k lines; drawing
// them here, as anti-aliased spans accumulated into a Float32 alpha buffer,
// is one to two orders of magnitude faster.
//
// Usage: const r = new LineRaster(w, h); for each colour: r.begin([r, g, b])
// then r.line(...) many times; finally r.toImageData() composites the
// layers in one pass over the pixels, in no particular order: where layers
// (heads) overlap, the colour is their coverage-weighted mean, so the head
// drawn last does not always win.
// Only the rows lines touched are cleared and composited: one token's lines
// at 512 tokens (a few rows of a tall canvas, or none above the weight
// threshold) cost what they cover, not the whole canvas times every head.

export class LineRaster {
  constructor(width, height) {
    this.w = width;
    this.h = height;
    this.layers = []; // one Float32Array of coverage per colour, reused across redraws
    this.colors = [];
    this.rows = []; // per layer: [first, last] row lines touched (first > last: none)
    this.used = 0;
    this.alpha = null; // the layer being drawn
    this.k = -1;
  }

  /** Forgets all layers (their buffers are kept for reuse). */
  reset() { this.used = 0; this.alpha = null; this.k = -1; }

  /** Starts a layer drawn in colour [r, g, b] (0..255). */
  begin(rgb) {
    const k = this.used++;
    if (!this.layers[k]) this.layers[k] = new Float32Array(this.w * this.h);
    else if (this.rows[k][0] <= this.rows[k][1]) this.layers[k].fill(0, this.rows[k][0] * this.w, (this.rows[k][1] + 1) * this.w);
    this.rows[k] = [this.h, -1];
    this.colors[k] = rgb;
    this.alpha = this.layers[k];
    this.k = k;
  }

  /**
   * An anti-aliased line from (x0, y0) to (x1, y1) in buffer pixels, `thick`
   * pixels wide, with opacity `a`. Overlaps within one layer combine like
   * canvas "source-over": A <- A + a(1 - A).
   */
  line(x0, y0, x1, y1, a, thick = 1) {
    const rows = this.rows[this.k];
    const reach = thick + 2;
    rows[0] = Math.max(0, Math.min(rows[0], Math.floor(Math.min(y0, y1) - reach)));
    rows[1] = Math.min(this.h - 1, Math.max(rows[1], Math.ceil(Math.max(y0, y1) + reach)));
    // Walk the longer axis one pixel at a time (two monomorphic calls keep V8 fast).
    if (Math.abs(y1 - y0) > Math.abs(x1 - x0)) spans(this.alpha, this.h, this.w, this.w, 1, y0, x0, y1, x1, a, thick);
    else spans(this.alpha, this.w, this.h, 1, this.w, x0, y0, x1, y1, a, thick);
  }

  /**
   * All layers composited as un-premultiplied ImageData, independently of
   * their order: opacity 1 - Π(1 - a_k) (as stacking them would give), colour
   * Σ a_k c_k / Σ a_k (each layer weighs by its own coverage).
   */
  toImageData() {
    const img = new ImageData(this.w, this.h);
    const px = img.data;
    // Layers with lines, and the rows any of them touched.
    const drawn = [];
    let first = this.h;
    let last = -1;
    for (let k = 0; k < this.used; k++) {
      const [a, b] = this.rows[k];
      if (a > b) continue;
      drawn.push(k);
      first = Math.min(first, a);
      last = Math.max(last, b);
    }
    const layers = drawn.map((k) => this.layers[k]);
    const colors = drawn.map((k) => this.colors[k]);
    const end = (last + 1) * this.w;
    for (let i = first * this.w; i < end; i++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let sum = 0;
      let clear = 1;
      for (let k = 0; k < layers.length; k++) {
        const x = layers[k][i];
        if (x === 0) continue;
        const c = colors[k];
        r += c[0] * x;
        g += c[1] * x;
        b += c[2] * x;
        sum += x;
        clear *= 1 - x;
      }
      if (sum === 0) continue;
      const p = i * 4;
      px[p] = r / sum;
      px[p + 1] = g / sum;
      px[p + 2] = b / sum;
      px[p + 3] = (1 - clear) * 255;
    }
    return img;
  }
}

/**
 * Steps along the major axis u (0..nu-1) and covers [c - half, c + half] of
 * the minor axis v (0..nv-1), partial pixels at both ends; pixel (u, v) is
 * A[u*su + v*sv].
 */
function spans(A, nu, nv, su, sv, u0, v0, u1, v1, a, thick) {
  if (u0 > u1) {
    let t = u0; u0 = u1; u1 = t;
    t = v0; v0 = v1; v1 = t;
  }
  const g = u1 === u0 ? 0 : (v1 - v0) / (u1 - u0);
  const half = thick * Math.sqrt(1 + g * g) * 0.5; // constant width across the line
  const us = Math.max(0, Math.floor(u0));
  const ue = Math.min(nu - 1, Math.ceil(u1) - 1);
  let c = v0 + g * (us + 0.5 - u0); // centre of the line at pixel u's centre
  for (let u = us; u <= ue; u++, c += g) {
    const lo = c - half;
    const hi = c + half;
    let k = Math.floor(lo);
    let kEnd = Math.floor(hi);
    let first = k === kEnd ? a * (hi - lo) : a * (k + 1 - lo);
    let last = a * (hi - kEnd);
    if (k < 0) { k = 0; first = a; }
    if (kEnd > nv - 1) { kEnd = nv - 1; last = a; }
    if (k > kEnd) continue;
    const base = u * su;
    let idx = base + k * sv;
    let p = A[idx];
    A[idx] = p + first * (1 - p);
    for (let m = k + 1; m < kEnd; m++) {
      idx += sv;
      p = A[idx];
      A[idx] = p + a * (1 - p);
    }
    if (kEnd > k) {
      idx = base + kEnd * sv;
      p = A[idx];
      A[idx] = p + last * (1 - p);
    }
  }
}

export function hexRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

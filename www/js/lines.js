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
// A clip (r.clip(r0, r1)) keeps lines to a band of rows, so a tall picture
// can be drawn a band at a time (what is on screen first): every pixel gets
// exactly the arithmetic it gets without the clip, so bands drawn one by one
// make the very same picture as drawing it whole.

export class LineRaster {
  /** `capacity`: rows the buffers hold, so the height can grow to it (resize) and keep them. */
  constructor(width, height, capacity = height) {
    this.w = width;
    this.h = height;
    this.capacity = Math.max(height, capacity);
    this.layers = []; // one Float32Array of coverage per colour, reused across redraws
    this.colors = [];
    this.rows = []; // per layer: [first, last] row lines touched (first > last: none)
    this.used = 0;
    this.alpha = null; // the layer being drawn
    this.k = -1;
    this.r0 = 0; // rows drawn: [r0, r1)
    this.r1 = height;
  }

  /** A new height within the capacity; layers are kept (reset() before drawing). */
  resize(height) {
    this.h = height;
    this.clip();
  }

  /** Draws only into rows [r0, r1) from now on (clip() again: every row). */
  clip(r0 = 0, r1 = this.h) {
    this.r0 = Math.max(0, r0);
    this.r1 = Math.min(this.h, r1);
  }

  /** Forgets all layers (their buffers are kept for reuse). */
  reset() { this.used = 0; this.alpha = null; this.k = -1; }

  /** Starts a layer drawn in colour [r, g, b] (0..255). */
  begin(rgb) {
    const k = this.used++;
    if (!this.layers[k]) this.layers[k] = new Float32Array(this.w * this.capacity);
    else if (this.rows[k][0] <= this.rows[k][1]) this.layers[k].fill(0, this.rows[k][0] * this.w, (this.rows[k][1] + 1) * this.w);
    this.rows[k] = [this.h, -1];
    this.colors[k] = rgb;
    this.alpha = this.layers[k];
    this.k = k;
  }

  /**
   * Rows [r0, r1) (columns [c0, c1)) of the layer being drawn, copied into
   * `buf` (a w × capacity Float32Array): what its lines so far made there, to
   * go on from later.
   */
  save(buf, r0, r1, c0 = 0, c1 = this.w) {
    if (c0 === 0 && c1 === this.w) buf.set(this.alpha.subarray(r0 * this.w, r1 * this.w), r0 * this.w);
    else for (let y = r0; y < r1; y++) buf.set(this.alpha.subarray(y * this.w + c0, y * this.w + c1), y * this.w + c0);
  }

  /** Rows [r0, r1) (columns [c0, c1)) of the layer being drawn, as save() left them in `buf`. */
  restore(buf, r0, r1, c0 = 0, c1 = this.w) {
    if (c0 === 0 && c1 === this.w) this.alpha.set(buf.subarray(r0 * this.w, r1 * this.w), r0 * this.w);
    else for (let y = r0; y < r1; y++) this.alpha.set(buf.subarray(y * this.w + c0, y * this.w + c1), y * this.w + c0);
    const rows = this.rows[this.k];
    rows[0] = Math.min(rows[0], r0);
    rows[1] = Math.max(rows[1], r1 - 1);
  }

  /**
   * An anti-aliased line from (x0, y0) to (x1, y1) in buffer pixels, `thick`
   * pixels wide, with opacity `a`. Overlaps within one layer combine like
   * canvas "source-over": A <- A + a(1 - A).
   */
  line(x0, y0, x1, y1, a, thick = 1) {
    const reach = thick + 2;
    const top = Math.max(this.r0, Math.floor(Math.min(y0, y1) - reach));
    const bottom = Math.min(this.r1 - 1, Math.ceil(Math.max(y0, y1) + reach));
    if (top > bottom) return; // outside the clip
    const rows = this.rows[this.k];
    rows[0] = Math.min(rows[0], top);
    rows[1] = Math.max(rows[1], bottom);
    // Walk the longer axis one pixel at a time (two monomorphic calls keep V8 fast);
    // rows are u for a steep line, v for a flat one.
    if (Math.abs(y1 - y0) > Math.abs(x1 - x0)) spans(this.alpha, this.r0, this.r1 - 1, 0, this.w - 1, this.w, 1, y0, x0, y1, x1, a, thick);
    else spans(this.alpha, 0, this.w - 1, this.r0, this.r1 - 1, 1, this.w, x0, y0, x1, y1, a, thick);
  }

  /**
   * All layers composited as un-premultiplied ImageData, independently of
   * their order: opacity 1 - Π(1 - a_k) (as stacking them would give), colour
   * Σ a_k c_k / Σ a_k (each layer weighs by its own coverage).
   */
  toImageData() {
    const img = new ImageData(this.w, this.h);
    const [first, last] = this.touched();
    this.compose(img, first, last + 1);
    return img;
  }

  /** [first, last] row any layer touched (first > last: none). */
  touched() {
    let first = this.h;
    let last = -1;
    for (let k = 0; k < this.used; k++) {
      const [a, b] = this.rows[k];
      if (a > b) continue;
      first = Math.min(first, a);
      last = Math.max(last, b);
    }
    return [first, last];
  }

  /**
   * Rows [r0, r1) (columns [c0, c1)) of all layers composited into `img`
   * (this raster's width, at least its height), every pixel there written
   * (transparent where no line is), so one ImageData serves redraw after redraw.
   */
  compose(img, r0, r1, c0 = 0, c1 = this.w) {
    const px = img.data;
    // Layers with lines in these rows.
    const drawn = [];
    for (let k = 0; k < this.used; k++) {
      const [a, b] = this.rows[k];
      if (a <= b && a < r1 && b >= r0) drawn.push(k);
    }
    const layers = drawn.map((k) => this.layers[k]);
    const colors = drawn.map((k) => this.colors[k]);
    const whole = c0 === 0 && c1 === this.w; // whole rows: one run
    const yEnd = Math.min(this.h, r1);
    for (let y = Math.max(0, r0); y < yEnd; y = whole ? yEnd : y + 1) {
      const start = y * this.w + c0;
      const end = whole ? yEnd * this.w : y * this.w + c1;
      px.fill(0, start * 4, end * 4);
      for (let i = start; i < end; i++) {
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
    }
  }
}

/**
 * Steps along the major axis u (umin..umax) and covers [c - half, c + half]
 * of the minor axis v, partial pixels at both ends, writing only v in
 * vmin..vmax; pixel (u, v) is A[u*su + v*sv]. Each pixel's coverage is
 * computed from u alone (not carried from the pixel before), so a clipped
 * range writes exactly what the whole line writes there.
 */
function spans(A, umin, umax, vmin, vmax, su, sv, u0, v0, u1, v1, a, thick) {
  if (u0 > u1) {
    let t = u0; u0 = u1; u1 = t;
    t = v0; v0 = v1; v1 = t;
  }
  const g = u1 === u0 ? 0 : (v1 - v0) / (u1 - u0);
  const half = thick * Math.sqrt(1 + g * g) * 0.5; // constant width across the line
  let us = Math.max(umin, Math.floor(u0));
  let ue = Math.min(umax, Math.ceil(u1) - 1);
  // Where the minor axis is clipped, only the u whose span can reach vmin..vmax.
  if (g !== 0) {
    const a0 = u0 - 0.5 + (vmin - half - 1 - v0) / g;
    const a1 = u0 - 0.5 + (vmax + 1 + half + 1 - v0) / g;
    us = Math.max(us, Math.floor(Math.min(a0, a1)));
    ue = Math.min(ue, Math.ceil(Math.max(a0, a1)));
  }
  for (let u = us; u <= ue; u++) {
    const c = v0 + g * (u + 0.5 - u0); // centre of the line at pixel u's centre
    const lo = c - half;
    const hi = c + half;
    const k = Math.floor(lo);
    const kEnd = Math.floor(hi);
    const first = k === kEnd ? a * (hi - lo) : a * (k + 1 - lo);
    const last = a * (hi - kEnd);
    const m0 = Math.max(k, vmin);
    const m1 = Math.min(kEnd, vmax);
    if (m0 > m1) continue;
    // The first pixel (partly covered), the ones between (fully), the last (partly).
    const base = u * su;
    let m = m0;
    let idx = base + m * sv;
    let p;
    if (m === k) {
      p = A[idx];
      A[idx] = p + first * (1 - p);
      m++;
      idx += sv;
    }
    const mid = Math.min(m1, kEnd - 1);
    for (; m <= mid; m++, idx += sv) {
      p = A[idx];
      A[idx] = p + a * (1 - p);
    }
    if (m === kEnd && m <= m1) {
      p = A[idx];
      A[idx] = p + last * (1 - p);
    }
  }
}

export function hexRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

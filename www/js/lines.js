// A small line rasteriser for the head view. Canvas 2D strokes cost tens of
// microseconds each in software rendering (headless Chromium, many
// projector laptops), and a 256-token head view has 4·33k lines; drawing
// them here, as anti-aliased spans accumulated into a Float32 alpha buffer,
// is one to two orders of magnitude faster.
//
// Usage: const r = new LineRaster(w, h); for each colour: r.begin();
// r.line(...) many times; r.commit(rgb). Then r.toImageData().

export class LineRaster {
  constructor(width, height) {
    this.w = width;
    this.h = height;
    this.alpha = new Float32Array(width * height); // coverage of the colour being drawn
    this.out = new Float32Array(width * height * 4); // premultiplied RGBA of everything committed
    this.touched = false;
  }

  /** Clears everything, for reuse at the same size. */
  reset() {
    this.alpha.fill(0);
    this.out.fill(0);
    this.touched = false;
  }

  /** Starts a new colour layer. */
  begin() {
    if (this.touched) this.alpha.fill(0);
    this.touched = false;
  }

  /**
   * An anti-aliased line from (x0, y0) to (x1, y1) in buffer pixels, `thick`
   * pixels wide, with opacity `a`. Overlaps within one layer combine like
   * canvas "source-over": A <- A + a(1 - A).
   */
  line(x0, y0, x1, y1, a, thick = 1) {
    this.touched = true;
    // Walk the longer axis one pixel at a time (two monomorphic calls keep V8 fast).
    if (Math.abs(y1 - y0) > Math.abs(x1 - x0)) spans(this.alpha, this.h, this.w, this.w, 1, y0, x0, y1, x1, a, thick);
    else spans(this.alpha, this.w, this.h, 1, this.w, x0, y0, x1, y1, a, thick);
  }

  /** Composites the current layer in colour [r, g, b] (0..255) over what is committed. */
  commit(rgb) {
    if (!this.touched) return;
    const r = rgb[0];
    const g = rgb[1];
    const b = rgb[2];
    const { alpha, out } = this;
    for (let i = 0; i < alpha.length; i++) {
      const a = alpha[i];
      if (a === 0) continue;
      const p = i * 4;
      const keep = 1 - a;
      out[p] = r * a + out[p] * keep;
      out[p + 1] = g * a + out[p + 1] * keep;
      out[p + 2] = b * a + out[p + 2] * keep;
      out[p + 3] = a + out[p + 3] * keep;
    }
  }

  /** The committed picture as (un-premultiplied) ImageData. */
  toImageData() {
    const img = new ImageData(this.w, this.h);
    const px = img.data;
    const { out } = this;
    for (let p = 0; p < out.length; p += 4) {
      const a = out[p + 3];
      if (a === 0) continue;
      px[p] = out[p] / a;
      px[p + 1] = out[p + 1] / a;
      px[p + 2] = out[p + 2] / a;
      px[p + 3] = a * 255;
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

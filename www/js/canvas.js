// Canvas plumbing shared by the views: crisp sizing for the device pixel
// ratio, heatmaps built as one ImageData (one pixel per cell, scaled up by
// drawImage) and the label font.

export const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
export const MONO_FAMILY = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono CJK SC", monospace';

export function font(px, weight = 400) { return `${weight} ${px}px ${FONT_FAMILY}`; }

/**
 * How much larger views draw their cells, rows and labels: 1, or more in
 * presenter mode (classroom/presenter.js sets body[data-view-scale]).
 */
export function viewScale() { return Number(document.body?.dataset.viewScale) || 1; }

/**
 * Sizes `canvas` to cssW×cssH CSS pixels backed by cssW·dpr×cssH·dpr device
 * pixels, and returns a 2D context whose unit is one CSS pixel.
 */
export function setupCanvas(canvas, cssW, cssH) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(cssW * dpr));
  const h = Math.max(1, Math.round(cssH * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  return ctx;
}

/** The mask of a causal attention matrix (a query never sees a later key), and values drawn as they are: with CAUSAL, a fast path in heatmapBitmap. */
export const CAUSAL = (r, c) => c > r;
export const IDENTITY = (v) => v;

const images = new WeakMap(); // canvas -> its last ImageData, reused while the size holds

/**
 * A canvas of rows×cols pixels, pixel (r, c) coloured by
 * lut[scale(data[offset + r*cols + c])], or `masked` where mask(r, c) is true.
 * `scale` maps a value to 0..1. IDENTITY (values already in 0..1) with the
 * CAUSAL mask takes a loop without calls per pixel (attention maps).
 */
export function heatmapBitmap(data, offset, rows, cols, lut, scale, mask = null, masked = null, target = null) {
  const canvas = target ?? document.createElement('canvas');
  if (canvas.width !== cols) canvas.width = cols;
  if (canvas.height !== rows) canvas.height = rows;
  const ctx = canvas.getContext('2d');
  let img = images.get(canvas);
  if (!img || img.width !== cols || img.height !== rows) {
    img = ctx.createImageData(cols, rows);
    images.set(canvas, img);
  }
  const px = img.data;
  if (mask === CAUSAL && scale === IDENTITY) {
    causalHeatmap(px, data, offset, rows, cols, lut, masked);
    ctx.putImageData(img, 0, 0);
    return canvas;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const p = (r * cols + c) * 4;
      if (mask && mask(r, c)) {
        px[p] = masked[0]; px[p + 1] = masked[1]; px[p + 2] = masked[2];
      } else {
        const x = scale(data[offset + r * cols + c]);
        const i = (x <= 0 ? 0 : x >= 1 ? 255 : (x * 255 + 0.5) | 0) * 3;
        px[p] = lut[i]; px[p + 1] = lut[i + 1]; px[p + 2] = lut[i + 2];
      }
      px[p + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** heatmapBitmap with scale = identity and mask = CAUSAL: the same pixels, without a call per pixel. */
function causalHeatmap(px, data, offset, rows, cols, lut, masked) {
  for (let r = 0; r < rows; r++) {
    let p = r * cols * 4;
    let k = offset + r * cols;
    const seen = Math.min(cols, r + 1); // columns c <= r
    for (let c = 0; c < seen; c++, p += 4, k++) {
      const x = data[k];
      const i = (x <= 0 ? 0 : x >= 1 ? 255 : (x * 255 + 0.5) | 0) * 3;
      px[p] = lut[i]; px[p + 1] = lut[i + 1]; px[p + 2] = lut[i + 2]; px[p + 3] = 255;
    }
    for (let c = seen; c < cols; c++, p += 4) {
      px[p] = masked[0]; px[p + 1] = masked[1]; px[p + 2] = masked[2]; px[p + 3] = 255;
    }
  }
}

/** Draws a bitmap into a rectangle: sharp cells when enlarging, averaged when shrinking. */
export function blit(ctx, bitmap, x, y, w, h) {
  ctx.imageSmoothingEnabled = w < bitmap.width;
  ctx.drawImage(bitmap, x, y, w, h);
}

/** Which of n equal bands along [start, start+size) holds coordinate v, or -1. */
export function bandIndex(v, start, size, n) {
  if (v < start || v >= start + size * n) return -1;
  return Math.min(n - 1, Math.floor((v - start) / size));
}

/** Pointer position in CSS pixels relative to the element. */
export function localPoint(event, el) {
  const r = el.getBoundingClientRect();
  return [event.clientX - r.left, event.clientY - r.top];
}

/** Shows only every k-th label when labels would overlap. */
export function labelStride(cellPx, labelPx) {
  return Math.max(1, Math.ceil(labelPx / Math.max(cellPx, 0.01)));
}

/** Cuts a label to maxW pixels with an ellipsis. */
export function fitText(ctx, text, maxW) {
  if ([...text].length <= 1 || ctx.measureText(text).width <= maxW) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(`${s}…`).width > maxW) s = s.slice(0, -1);
  return `${s}…`;
}

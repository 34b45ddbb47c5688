// Attention arithmetic shared by the views and the model worker (no DOM):
// pooling a head's T×T weights into groups of tokens, and the pooled
// thumbnails of every layer × head that the model view draws.

/** Cells per side of a thumbnail at most: longer inputs pool b = ⌈T / 128⌉ tokens per cell. */
export const THUMB_CELLS = 128;

/**
 * Attention between groups of b consecutive tokens: for query group I and key
 * group J, the mean over queries i in I of the weight they give to keys in J.
 * Each group row still sums to 1, like a row of the real matrix.
 * `w`: one head's weights [T, T] (row = query). -> [n, n], n = ⌈T / b⌉
 */
export function groupAttention(w, T, b) {
  const n = Math.ceil(T / b);
  const out = new Float32Array(n * n);
  for (let i = 0; i < T; i++) {
    const I = Math.floor(i / b);
    const size = Math.min(b, T - I * b);
    for (let j = 0; j <= i; j++) out[I * n + Math.floor(j / b)] += w[i * T + j] / size;
  }
  return out;
}

/**
 * Every head's attention pooled for the model view: `layer(l)` gives layer
 * l's weights [H, T, T]. -> {b: tokens per cell, n: cells per side,
 * data: [L, H, n, n]} (the weights themselves when b = 1).
 */
export function attentionThumbs(layer, L, H, T) {
  const b = Math.ceil(T / THUMB_CELLS);
  const n = Math.ceil(T / b);
  const data = new Float32Array(L * H * n * n); // [L, H, n, n]
  for (let l = 0; l < L; l++) {
    const w = layer(l); // [H, T, T]
    for (let h = 0; h < H; h++) {
      const head = w.subarray(h * T * T, (h + 1) * T * T); // [T, T]
      data.set(b === 1 ? head : groupAttention(head, T, b), (l * H + h) * n * n);
    }
  }
  return { b, n, data };
}

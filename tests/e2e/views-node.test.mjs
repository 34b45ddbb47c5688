// The views' arithmetic without a browser (www/js/attention.js and the head
// view's focus cut-off): pooled attention keeps each row's sum, thumbnails
// pool long inputs to at most THUMB_CELLS a side, and a hovered token's lines
// are capped to the strongest when there are too many to draw at once.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { THUMB_CELLS, attentionThumbs, groupAttention } from '../../www/js/attention.js';
import { focusCutoff } from '../../www/js/views/heads.js';

/** A causal [T, T] head: row i spread over keys 0..i by a seeded pattern, rows summing to 1. */
function head(T, seed) {
  const w = new Float32Array(T * T);
  for (let i = 0; i < T; i++) {
    let sum = 0;
    for (let j = 0; j <= i; j++) { w[i * T + j] = 1 + ((i * 7919 + j * 104729 + seed * 31) % 997) / 100; sum += w[i * T + j]; }
    for (let j = 0; j <= i; j++) w[i * T + j] /= sum;
  }
  return w;
}

describe('attention arithmetic', () => {
  test('groups of b tokens: every group row still sums to 1, b = 1 is the head itself', () => {
    const T = 37;
    const w = head(T, 1);
    for (const b of [1, 2, 5, 37]) {
      const n = Math.ceil(T / b);
      const g = groupAttention(w, T, b);
      assert.equal(g.length, n * n);
      for (let I = 0; I < n; I++) {
        const sum = g.subarray(I * n, (I + 1) * n).reduce((s, x) => s + x, 0);
        assert.ok(Math.abs(sum - 1) < 1e-5, `b=${b} row ${I} sums to ${sum}`);
        for (let J = I + 1; J < n; J++) assert.equal(g[I * n + J], 0, 'nothing above the diagonal');
      }
      if (b === 1) assert.deepEqual(Array.from(g), Array.from(w));
    }
  });

  test('thumbnails pool to at most THUMB_CELLS a side, each head from its own layer', () => {
    const [L, H] = [2, 3];
    for (const T of [20, THUMB_CELLS, THUMB_CELLS + 1, 300]) {
      const layers = Array.from({ length: L }, (_, l) => {
        const out = new Float32Array(H * T * T);
        for (let h = 0; h < H; h++) out.set(head(T, l * H + h), h * T * T);
        return out;
      });
      const { b, n, data } = attentionThumbs((l) => layers[l], L, H, T);
      assert.ok(n <= THUMB_CELLS, `${n} cells for T=${T}`);
      assert.equal(b, Math.ceil(T / THUMB_CELLS));
      assert.equal(n, Math.ceil(T / b));
      for (let l = 0; l < L; l++) {
        for (let h = 0; h < H; h++) {
          const want = groupAttention(layers[l].subarray(h * T * T, (h + 1) * T * T), T, b);
          assert.deepEqual(Array.from(data.subarray((l * H + h) * n * n, (l * H + h + 1) * n * n)), Array.from(want), `layer ${l} head ${h}`);
        }
      }
    }
  });
});

describe("a hovered token's lines", () => {
  const lines = (heads, T, f, cut) => {
    let n = 0;
    for (const w of heads) {
      if (!w) continue;
      for (let j = 0; j <= f; j++) if (w[f * T + j] >= cut) n++;
      for (let i = f + 1; i < T; i++) if (w[i * T + f] >= cut) n++;
    }
    return n;
  };

  test('few lines: every visible one is drawn', () => {
    const T = 30;
    const heads = [head(T, 1), null, head(T, 2)];
    const cut = focusCutoff(heads, T, 12);
    assert.equal(cut, 0.5 / 255);
    assert.equal(lines(heads, T, 12, cut), lines(heads, T, 12, 0.5 / 255));
  });

  test('many lines (512 tokens, 12 heads): only the strongest 1,500 are drawn', () => {
    const T = 512;
    const heads = Array.from({ length: 12 }, (_, h) => head(T, h));
    const cut = focusCutoff(heads, T, 300);
    assert.ok(cut > 0.5 / 255);
    const drawn = lines(heads, T, 300, cut);
    assert.ok(drawn >= 1500 && drawn < 1600, `${drawn} lines drawn`);
    // Every line left out is fainter than every line drawn.
    assert.ok(lines(heads, T, 300, 0.5 / 255) > drawn);
  });
});

// What a lesson step states, read from the models at run time. A step's
// `facts(ask)` (chapter.js) traces its texts with the shipped models and
// returns the values its prose names: ids, sizes, probabilities, which head
// looks where and how strongly. The prose then says `{name}` (as is) or
// `{p:name}` (a probability, as a percentage), so no number in a lesson is
// typed in by hand, and a retrained model cannot make a step silently wrong
// (tests/e2e/lesson-facts.test.mjs recomputes every one).
//
// Trace layout (transfer.js): probs {data, shape [T, V]}, attention {data,
// shape [L, H, T, T]} or null. No DOM here.

import { percent } from '../format.js';

/** Index of the first occurrence of the character `ch` in `text` at or after `from` (code points). */
export function indexOf(text, ch, from = 0) {
  const chars = [...text];
  for (let i = from; i < chars.length; i++) if (chars[i] === ch) return i;
  throw new Error(`“${ch}” is not in “${text}”`);
}

/** The next-token distribution after position `pos`. */
export function probsAt(trace, pos) {
  const [, V] = trace.probs.shape;
  return trace.probs.data.subarray(pos * V, (pos + 1) * V);
}

/** The probability of the token `tok` coming after position `pos`. */
export function probOf(trace, info, pos, tok) {
  const id = info.vocab.indexOf(tok);
  if (id < 0) throw new Error(`“${tok}” is not in the model's vocabulary`);
  return probsAt(trace, pos)[id];
}

/** The n likeliest tokens after position `pos`: [{tok, p}], likeliest first. */
export function topAt(trace, info, pos, n) {
  const p = probsAt(trace, pos);
  return Array.from(p.keys()).sort((a, b) => p[b] - p[a]).slice(0, n).map((v) => ({ tok: info.vocab[v], p: p[v] }));
}

/** Attention weight of query `i` on key `j` in layer `l`, head `h` (all 0-based). */
export function weight(trace, l, h, i, j) {
  const [, H, T] = trace.attention.shape;
  return trace.attention.data[((l * H + h) * T + i) * T + j];
}

/** The key that query `i` attends to most in (l, h): {j, w}. */
export function strongest(trace, l, h, i) {
  let j = 0;
  for (let k = 1; k <= i; k++) if (weight(trace, l, h, i, k) > weight(trace, l, h, i, j)) j = k;
  return { j, w: weight(trace, l, h, i, j) };
}

/** Of all heads, the one that puts most weight on key `j` from query `i`: {l, h, w} (0-based). */
export function headOn(trace, i, j) {
  const [L, H] = trace.attention.shape;
  let best = { l: 0, h: 0, w: -1 };
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      const w = weight(trace, l, h, i, j);
      if (w > best.w) best = { l, h, w };
    }
  }
  return best;
}

/**
 * A probability as the lesson says it: exactly as the bars show it (format.js
 * percent: near-certainties as "99.96%" or ">99.99%", never "100.0%"), so the
 * prose and the bar it points at read the same number.
 */
export function lessonPercent(p) { return percent(p); }

/**
 * Fills `{name}` and `{p:name}` in `text` from `facts` (a value may be
 * {en, zh}); a missing fact shows as "…". -> {text, stated: [strings put in]}.
 */
export function fillFacts(text, facts, lang) {
  const stated = [];
  const out = text.replace(/\{(p:)?([A-Za-z]\w*)\}/g, (_, prob, name) => {
    let v = facts?.[name];
    if (v && typeof v === 'object') v = v[lang];
    if (v === undefined || v === null) return '…';
    const s = prob ? lessonPercent(v) : String(v);
    stated.push(s);
    return s;
  });
  return { text: out, stated };
}

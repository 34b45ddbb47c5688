// How tokens and numbers are written on screen.

const VISIBLE = { ' ': '␣', '\n': '↵', '\t': '⇥', '\r': '␍', '': '∅' };

/**
 * A token as shown: whitespace made visible, since a blank chip reads as
 * nothing (a subword token's leading space too: " the" is "␣the", "\n\n" is
 * "↵↵"); other control characters become their code point.
 */
export function displayToken(s) {
  if (s in VISIBLE) return VISIBLE[s];
  return s.replace(/[\u0000-\u001f\u007f ]/g, (c) => VISIBLE[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Text to start from for a model that has no example: its first eight
 * printable one-character tokens (entries longer than one character are
 * special tokens such as <pad> or <bos>, which no text produces: src/tokenizer/chars.rs),
 * a sentence in English and Chinese for a Hub tokenizer (which reads any text),
 * or ids 0..3 for a model without a tokenizer.
 */
export function sampleInput(info) {
  if (info.tokenizer === 'bpe') return 'Hello, world! 你好，世界。'; // a byte-level BPE reads any text
  if (!info.vocab) return Array.from({ length: Math.min(4, info.config?.vocab_size ?? 4) }, (_, i) => i).join(', ');
  return info.vocab.filter((s) => [...s].length === 1 && s.trim()).slice(0, 8).join('');
}

/**
 * A probability as a short percentage (0.05 -> "5.00%", 0.00012 -> "0.012%", below 0.001% ->
 * "<0.001%"). Near-certainties keep the digits that show they are not certain (0.99957 ->
 * "99.96%", not "100.0%"; above 99.99%: ">99.99%"): only a probability of exactly 1 is "100.0%".
 */
export function percent(p) {
  const x = p * 100;
  if (x >= 99.95 && x < 100) return x < 99.995 ? `${x.toFixed(2)}%` : '>99.99%';
  if (x >= 10) return `${x.toFixed(1)}%`;
  if (x >= 0.1) return `${x.toFixed(2)}%`;
  if (x === 0) return '0%';
  if (x < 0.001) return '<0.001%';
  return `${x.toPrecision(2)}%`;
}

export function fixed(x, digits = 3) { return Number.isFinite(x) ? x.toFixed(digits) : String(x); }

/** `digits` decimals, or significant digits for small values (0.000268 stays readable). */
export function short(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(digits) : x.toPrecision(2);
}

/** 124096 -> "124,096" (or the locale's grouping). */
export function count(n, lang) { return n.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US'); }

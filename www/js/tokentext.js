// Tokens as text a person can read. A trace carries each token's text
// (`tokens`, bytes that are not whole characters written `<0xE6>`) and its
// UTF-8 bytes (`token_bytes`). A byte-level BPE (GPT-2, Llama 3, Qwen2)
// splits most Chinese characters and every emoji over several tokens; here
// those tokens are grouped so the character is shown once, spanning them,
// and every token gets a label that says which character it is part of
// (`我 1/3`). The next-token bars name any id of the vocabulary: a table of
// every id's bytes (`info.tokenTable`, built by the model worker from the
// tokenizer files the core loaded) does that for a Hub tokenizer.
// No DOM: runs in the page, the workers and Node.

import { displayToken } from './format.js';

// ---- UTF-8, as Rust's `utf8_chunks` reads it ---------------------------------

/** Length of the valid UTF-8 sequence starting at `at`, or 0 if the byte there starts none. */
function seqLen(bytes, at) {
  const b = bytes[at];
  if (b < 0x80) return 1;
  let n;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) n = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    n = 3;
    if (b === 0xe0) lo = 0xa0;
    if (b === 0xed) hi = 0x9f; // no surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4;
    if (b === 0xf0) lo = 0x90;
    if (b === 0xf4) hi = 0x8f;
  } else return 0;
  if (at + n > bytes.length) return 0;
  for (let k = 1; k < n; k++) {
    const c = bytes[at + k];
    if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return 0;
  }
  return n;
}

function codePoint(bytes, at, n) {
  if (n === 1) return bytes[at];
  let cp = bytes[at] & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) cp = (cp << 6) | (bytes[at + k] & 0x3f);
  return cp;
}

/** Two hex digits per byte, space-separated: "E6 88". */
export function hexBytes(bytes) {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/**
 * How bytes read: their characters, and each byte that is not part of a
 * whole one as `<0xE6>` (as the core writes tokens), or, `compact`, each run
 * of such bytes as `<E6 88>` (labels for people).
 */
export function showBytes(bytes, { compact = false } = {}) {
  let out = '';
  let run = [];
  const flush = () => {
    if (run.length) out += `<${hexBytes(run).replaceAll(' ', '\u00a0')}>`; // no-break spaces: not whitespace to make visible
    run = [];
  };
  for (let at = 0; at < bytes.length;) {
    const n = seqLen(bytes, at);
    if (n) {
      flush();
      out += String.fromCodePoint(codePoint(bytes, at, n));
      at += n;
    } else {
      if (compact) run.push(bytes[at]);
      else out += `<0x${bytes[at].toString(16).toUpperCase().padStart(2, '0')}>`;
      at += 1;
    }
  }
  flush();
  return out;
}

/** True when the bytes are whole characters only. */
export function isWhole(bytes) {
  for (let at = 0; at < bytes.length;) {
    const n = seqLen(bytes, at);
    if (!n) return false;
    at += n;
  }
  return true;
}

// ---- a trace's tokens, grouped where a character spans several -----------------

const groupCache = new WeakMap(); // trace -> {groups, of, labels}

/**
 * Tokens whose bytes share a character, grouped: -> {groups: [{start, end,
 * text}], of: Int32Array [T] (each token's group)}. `start`..`end` are token
 * positions (end exclusive); `text` the group's bytes as they read. A token
 * whose characters are all its own is a group of one. `tokenBytes`: one
 * Uint8Array (or byte array) per token.
 */
export function groupTokens(tokenBytes) {
  const T = tokenBytes.length;
  let total = 0;
  for (const b of tokenBytes) total += b.length;
  const all = new Uint8Array(total);
  const owner = new Int32Array(total); // byte -> token
  let at = 0;
  tokenBytes.forEach((b, i) => { all.set(b, at); owner.fill(i, at, at + b.length); at += b.length; });
  const joined = new Uint8Array(Math.max(0, T - 1)); // joined[i]: tokens i and i + 1 share a character
  for (let k = 0; k < total;) {
    const n = seqLen(all, k) || 1;
    for (let i = owner[k]; i < owner[k + n - 1]; i++) joined[i] = 1;
    k += n;
  }
  const groups = [];
  const of = new Int32Array(T);
  for (let i = 0; i < T;) {
    let j = i + 1;
    while (j < T && joined[j - 1]) j++;
    let len = 0;
    for (let k = i; k < j; k++) len += tokenBytes[k].length;
    const bytes = new Uint8Array(len);
    let o = 0;
    for (let k = i; k < j; k++) { bytes.set(tokenBytes[k], o); o += tokenBytes[k].length; }
    of.fill(groups.length, i, j);
    groups.push({ start: i, end: j, text: showBytes(bytes) });
    i = j;
  }
  return { groups, of };
}

function traceGroups(trace) {
  let g = groupCache.get(trace);
  if (!g) {
    const T = trace.tokens.length;
    // A trace without bytes (an older engine): every token stands alone.
    const bytes = trace.token_bytes && trace.token_bytes.length === T ? trace.token_bytes : null;
    const { groups, of } = bytes ? groupTokens(bytes) : { groups: Array.from({ length: T }, (_, i) => ({ start: i, end: i + 1, text: trace.tokens[i] })), of: Int32Array.from({ length: T }, (_, i) => i) };
    const labels = Array.from({ length: T }, (_, i) => {
      const grp = groups[of[i]];
      const n = grp.end - grp.start;
      // A token alone reads as its own text (a stray byte as <E6>).
      if (n > 1) return `${displayToken(grp.text)}\u00a0${i - grp.start + 1}/${n}`; // a no-break space: not whitespace to make visible again
      return displayToken(bytes ? showBytes(bytes[i], { compact: true }) : trace.tokens[i]);
    });
    g = { groups, of, labels };
    groupCache.set(trace, g);
  }
  return g;
}

/** The trace's token groups ({groups, of}; see groupTokens), cached per trace. */
export function tokenGroups(trace) {
  const { groups, of } = traceGroups(trace);
  return { groups, of };
}

/**
 * Every token of the trace as a label for a row or a column: its text with
 * whitespace made visible, or, for a token that holds part of a character,
 * that character and which part (`我 2/3`). Cached per trace.
 */
export function tokenLabels(trace) {
  return traceGroups(trace).labels;
}

/** Token `i`'s label (see tokenLabels). */
export function tokenLabel(trace, i) {
  return traceGroups(trace).labels[i];
}

/** Token `i`'s bytes as hex ("E6 88"), or '' when the trace has none. */
export function tokenHex(trace, i) {
  const b = trace.token_bytes?.[i];
  return b ? hexBytes(b) : '';
}

// ---- any id of a model's vocabulary ------------------------------------------

/** GPT-2's table from bytes to printable characters (bytes_to_unicode), inverted: character -> byte. */
function byteDecoder() {
  const map = new Map();
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    map.set(String.fromCodePoint(printable ? b : 256 + extra++), b);
  }
  return map;
}

const utf8 = new TextEncoder();

/**
 * Every id's bytes from a Hub tokenizer's files (the text of tokenizer.json,
 * or of vocab.json), as the core reads them (src/tokenizer/hub.rs, bpe.rs):
 * vocabulary entries are written in GPT-2's byte alphabet (`Ġthe`), added
 * tokens stand for their own text. -> {data: Uint8Array, offsets: Uint32Array
 * [V + 1]} (id i's bytes are data[offsets[i]..offsets[i + 1]]), or null when
 * the files hold no vocabulary.
 */
export function buildTokenTable({ tokenizer_json: tokenizerJson, vocab_json: vocabJson }) {
  let vocab;
  let added = [];
  if (tokenizerJson) {
    const json = JSON.parse(tokenizerJson);
    vocab = json?.model?.vocab;
    added = Array.isArray(json?.added_tokens) ? json.added_tokens.map((t) => [t.content, t.id]) : [];
  } else if (vocabJson) {
    vocab = JSON.parse(vocabJson);
    // vocab.json marks its special tokens only by their shape: <|endoftext|>.
    added = Object.entries(vocab).filter(([s]) => s.startsWith('<|') && s.endsWith('|>') && s.length > 4);
  }
  if (!vocab || typeof vocab !== 'object') return null;
  const decoder = byteDecoder();
  const bytesOf = new Map(); // id -> Uint8Array
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || id < 0) continue;
    const chars = [...token];
    bytesOf.set(id, chars.every((c) => decoder.has(c)) ? Uint8Array.from(chars, (c) => decoder.get(c)) : utf8.encode(token));
  }
  for (const [content, id] of added) {
    if (typeof content === 'string' && Number.isInteger(id) && id >= 0) bytesOf.set(id, utf8.encode(content));
  }
  const size = Math.max(-1, ...bytesOf.keys()) + 1;
  const offsets = new Uint32Array(size + 1);
  let total = 0;
  for (let id = 0; id < size; id++) {
    offsets[id] = total;
    total += bytesOf.get(id)?.length ?? 0;
  }
  offsets[size] = total;
  const data = new Uint8Array(total);
  for (const [id, b] of bytesOf) data.set(b, offsets[id]);
  return { data, offsets };
}

/**
 * The bytes id `id` stands for in a model: from its character vocabulary or
 * its token table; null when the model has neither or the id is beyond them.
 */
export function idBytes(info, id) {
  const table = info?.tokenTable;
  if (table) return id >= 0 && id + 1 < table.offsets.length ? table.data.subarray(table.offsets[id], table.offsets[id + 1]) : null;
  const s = info?.vocab?.[id];
  return s === undefined ? null : utf8.encode(s);
}

/** The raw text of id `id` (as the core's `tokens`: `<0xE6>` for a partial character), or `#id` when unknown. */
export function idText(info, id) {
  if (info?.vocab && !info.tokenTable) return info.vocab[id] ?? String(id);
  const b = idBytes(info, id);
  if (!b) return info?.tokenTable ? `#${id}` : String(id);
  return showBytes(b);
}

/** Id `id` as short text: bytes of a partial character as `<E6 88>` (whitespace as it is). */
export function idShort(info, id) {
  if (!info?.tokenTable) return idText(info, id);
  const b = idBytes(info, id);
  return b ? showBytes(b, { compact: true }) : `#${id}`;
}

/** Id `id` as a label: its text with whitespace visible, bytes of a partial character as `<E6 88>`. */
export function idLabel(info, id) {
  return displayToken(idShort(info, id));
}

/** A token's text as the core writes it (`<0xE6><0x88>`) in the short form (`<E6 88>`). */
export function compactText(s) {
  return String(s).replace(/(?:<0x[0-9A-F]{2}>)+/g, (run) => `<${run.slice(3, -1).split('><0x').join('\u00a0')}>`);
}

/** The text that ids stand for together (their bytes, concatenated, read as UTF-8). */
export function decodeIds(info, ids) {
  if (info?.vocab && !info.tokenTable) return Array.from(ids, (id) => info.vocab[id] ?? '').join('');
  const parts = Array.from(ids, (id) => idBytes(info, id) ?? new Uint8Array(0));
  const all = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of parts) { all.set(b, at); at += b.length; }
  return new TextDecoder().decode(all);
}

/**
 * The bytes at the end of the trace's first `pos + 1` tokens that begin a
 * character not yet finished (empty when the text so far ends whole).
 */
function pendingBytes(trace, pos) {
  const bytes = trace.token_bytes;
  if (!bytes) return new Uint8Array(0);
  // A character is at most 4 bytes: the last 3 are all that can be pending.
  const tail = [];
  for (let i = pos; i >= 0 && tail.length < 3; i--) {
    const b = bytes[i];
    for (let k = b.length - 1; k >= 0 && tail.length < 3; k--) tail.unshift(b[k]);
  }
  // The pending part starts at the last lead byte whose sequence the tail does not finish.
  for (let s = tail.length - 1; s >= 0; s--) {
    const b = tail[s];
    if (b >= 0x80 && b < 0xc0) continue; // a continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 1;
    return need > tail.length - s ? Uint8Array.from(tail.slice(s)) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

/**
 * A candidate next token after position `pos` as a label: its text, and when
 * it finishes a character the text so far began (`<0x91> → 我`), that
 * character. The bars use it, so a byte token reads as what it would write.
 */
export function nextLabel(info, trace, pos, id) {
  const own = idLabel(info, id);
  const b = idBytes(info, id);
  if (!b || !trace?.token_bytes || pos < 0) return own;
  const pending = pendingBytes(trace, pos);
  if (!pending.length) return own;
  const joined = new Uint8Array(pending.length + b.length);
  joined.set(pending);
  joined.set(b, pending.length);
  const n = seqLen(joined, 0);
  if (!n || n <= pending.length) return own; // it does not finish the pending character
  // The characters it finishes, and what it starts after them.
  let end = 0;
  while (end < joined.length) {
    const m = seqLen(joined, end);
    if (!m) break;
    end += m;
  }
  const done = showBytes(joined.subarray(0, end));
  return `${own} → ${displayToken(done)}${end < joined.length ? '…' : ''}`;
}

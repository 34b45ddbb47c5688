// A view as a location hash: "#model=…&text=…&view=heads&layer=1&head=2…",
// read and written with URLSearchParams. Numbers people read and write count
// from 1 (layer=1 is the first layer, pos=1 the first token, lesson=1 the
// first step); the store keeps 0-based indices, and the codecs convert. `model` and `text` say what to
// trace; every other field is a store key registered here with a codec, so
// a new piece of state joins links with one registerHashKey() call.
// No DOM: the explorer, embed.html and <glasswing-view> all share it, and
// Node can test it.

import { LANGS } from '../i18n.js';

export const VIEWS = ['heads', 'matrix', 'model', 'bars', 'hidden'];
export const MAX_TEXT = 4000; // characters read from a link; longer texts are cut and reported
export const LINK_TEXT_MAX = 2000; // characters a link carries (the text box may hold 300,000)
const MODEL_NAME = /^[\w][\w.-]{0,127}$/; // a shipped file name: no slashes, no URL

/** A field whose text could not be read; the link's other fields still apply. */
export class BadField extends Error {}

const fields = new Map(); // store key -> {key, params, read(sp), write(value, sp), merge?}

/**
 * Adds (or replaces) the codec for store key `key`. A codec is
 * {params: [names], read(sp) -> value | undefined (absent), throws BadField,
 *  write(value, sp), merge?: defaults} where `merge` marks an object whose
 * link holds only some fields, merged over the current value (or `merge`).
 */
export function registerHashKey(key, codec) {
  fields.set(key, { key, ...codec });
}

export function hashKeys() { return [...fields.keys()]; }

// ---- codecs ---------------------------------------------------------------

function scalar(param, parse, format, omit) {
  return {
    params: [param],
    read(sp) {
      if (!sp.has(param)) return undefined;
      const v = parse(sp.get(param));
      if (v === undefined) throw new BadField(param);
      return v;
    },
    write(v, sp) {
      if (v === undefined || v === null || Object.is(v, omit)) return;
      const s = format(v);
      if (s !== undefined) sp.set(param, s);
    },
  };
}

/** A whole number in [min, max]; `omit` is the value left out of links. */
export function intCodec(param, { min = 0, max = 1e6, omit } = {}) {
  const parse = (s) => (/^\d{1,16}$/.test(s) && Number(s) >= min && Number(s) <= max ? Number(s) : undefined);
  return scalar(param, parse, (v) => (Number.isInteger(v) ? String(v) : undefined), omit);
}

/**
 * An index (0-based in the store) written counting from 1, as people count:
 * "layer=1" is index 0. Reads whole numbers 1..max; 0 and anything else is bad.
 */
export function ordinalCodec(param, { max = 1e6 } = {}) {
  const parse = (s) => (/^\d{1,16}$/.test(s) && Number(s) >= 1 && Number(s) <= max ? Number(s) - 1 : undefined);
  return scalar(param, parse, (v) => (Number.isInteger(v) && v >= 0 ? String(v + 1) : undefined));
}

/** A finite number in [min, max] (or (min, max] with openMin). */
export function numCodec(param, { min = -Infinity, max = Infinity, openMin = false, omit } = {}) {
  const parse = (s) => {
    if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return undefined;
    const v = Number(s);
    return Number.isFinite(v) && (openMin ? v > min : v >= min) && v <= max ? v : undefined;
  };
  return scalar(param, parse, (v) => (Number.isFinite(v) ? String(v) : undefined), omit);
}

export function oneOfCodec(param, values, { omit } = {}) {
  return scalar(param, (s) => (values.includes(s) ? s : undefined), String, omit);
}

/** true/false as 1/0. */
export function flagCodec(param, { omit = false } = {}) {
  return scalar(param, (s) => (s === '1' ? true : s === '0' ? false : undefined), (v) => (v ? '1' : '0'), omit);
}

/**
 * A short identifier, or a step number counted from 1 ("3" reads back as the
 * index 2, and index 2 is written "3"); 0 is not a step.
 */
export function idCodec(param) {
  const parse = (s) => (/^\d{1,9}$/.test(s) ? (Number(s) >= 1 ? Number(s) - 1 : undefined) : /^[\w.:/-]{1,64}$/.test(s) ? s : undefined);
  return scalar(param, parse, (v) => {
    const s = Number.isInteger(v) ? String(v + 1) : String(v);
    return /^[\w.:/-]{1,64}$/.test(s) ? s : undefined;
  });
}

/** Head toggles as one digit per head ("1011"); left out when every head is on. */
export function bitsCodec(param) {
  return scalar(param, (s) => (/^[01]{1,64}$/.test(s) ? [...s].map((c) => c === '1') : undefined), (v) => {
    if (!Array.isArray(v) || v.every(Boolean)) return undefined;
    return v.map((on) => (on ? '1' : '0')).join('');
  });
}

/**
 * An object stored as several params, e.g. the sampler: {temperature: numCodec('temp', …), …}.
 * Reading gives only the fields present and valid (a bad one is reported, the
 * others kept); `defaults` fill the rest when the store has no value yet.
 */
export function groupCodec(parts, defaults) {
  const entries = Object.entries(parts);
  return {
    params: entries.flatMap(([, c]) => c.params),
    merge: defaults,
    read(sp) {
      const out = {};
      const bad = [];
      for (const [name, c] of entries) {
        try {
          const v = c.read(sp);
          if (v !== undefined) out[name] = v;
        } catch (e) {
          if (!(e instanceof BadField)) throw e;
          bad.push(e.message);
        }
      }
      if (bad.length) { const e = new BadField(bad.join(',')); e.partial = out; throw e; }
      return Object.keys(out).length ? out : undefined;
    },
    write(v, sp) {
      if (!v || typeof v !== 'object') return;
      for (const [name, c] of entries) c.write(v[name], sp);
    },
  };
}

// ---- the fields every page knows ----------------------------------------

registerHashKey('view', oneOfCodec('view', VIEWS));
registerHashKey('layer', ordinalCodec('layer', { max: 1000 }));
registerHashKey('head', ordinalCodec('head', { max: 1000 }));
registerHashKey('headsOn', bitsCodec('heads'));
registerHashKey('pos', ordinalCodec('pos', { max: 1e5 }));
registerHashKey('topK', intCodec('k', { min: 1, max: 50, omit: 10 }));
registerHashKey('lang', oneOfCodec('lang', LANGS));
// The sampler (state.sampler, the generation panel's), with the core's ranges
// (src/sample.rs): temperature 0.05..10, top-k ≥ 1, top-p (0, 1], min-p [0, 1].
export const SAMPLER_DEFAULTS = { greedy: false, temperature: 1, top_k: null, top_p: null, min_p: null, seed: 0 };
registerHashKey('sampler', groupCodec({
  greedy: flagCodec('greedy'),
  temperature: numCodec('temp', { min: 0.05, max: 10, omit: 1 }),
  top_k: intCodec('top_k', { min: 1, max: 1e6 }),
  top_p: numCodec('top_p', { min: 0, max: 1, openMin: true }),
  min_p: numCodec('min_p', { min: 0, max: 1 }),
  seed: intCodec('seed', { max: Number.MAX_SAFE_INTEGER, omit: 0 }),
}, SAMPLER_DEFAULTS));
// The lesson step (state.lesson, 0-based): a step number from 1, or a short id such as "heads".
registerHashKey('lesson', idCodec('lesson'));
// The heatmap palette (state.palette, classroom/palette.js).
registerHashKey('palette', oneOfCodec('palette', ['standard', 'contrast'], { omit: 'standard' }));

// ---- reading and writing --------------------------------------------------

/**
 * Reads a hash ("#a=1&b=2", with or without "#"). -> {model?, text?, patch, bad}
 * where `patch` holds the store keys found and `bad` the params that were
 * present but unreadable (ignored; the rest of the link still applies).
 */
export function parseLink(hash) {
  const raw = String(hash ?? '').replace(/^#/, '');
  const out = { model: undefined, text: undefined, patch: {}, bad: [] };
  let sp;
  try {
    sp = new URLSearchParams(raw);
  } catch {
    return out;
  }
  if (sp.has('model')) {
    const m = sp.get('model');
    if (MODEL_NAME.test(m)) out.model = m; else out.bad.push('model');
  }
  if (sp.has('text')) {
    const text = sp.get('text');
    if ([...text].length > MAX_TEXT) {
      out.text = [...text].slice(0, MAX_TEXT).join('');
      out.bad.push('text');
    } else {
      out.text = text;
    }
  }
  for (const f of fields.values()) {
    try {
      const v = f.read(sp);
      if (v !== undefined) out.patch[f.key] = v;
    } catch (e) {
      if (!(e instanceof BadField)) throw e;
      out.bad.push(...e.message.split(','));
      if (e.partial && Object.keys(e.partial).length) out.patch[f.key] = e.partial;
    }
  }
  return out;
}

/**
 * The text a link carries: at most LINK_TEXT_MAX characters (code points),
 * so a long text box never makes a URL of hundreds of kilobytes.
 * -> {text, cut: whether it was shortened, length: the whole text's characters}
 */
export function linkText(text) {
  const s = String(text);
  // Cheap for short texts; code points only when the UTF-16 length says it may be too long.
  if (s.length <= LINK_TEXT_MAX) return { text: s, cut: false, length: s.length === 0 ? 0 : [...s].length };
  const chars = [...s];
  if (chars.length <= LINK_TEXT_MAX) return { text: s, cut: false, length: chars.length };
  return { text: chars.slice(0, LINK_TEXT_MAX).join(''), cut: true, length: chars.length };
}

/**
 * The hash (without "#") for a view: `model` (a shipped file name, or
 * nothing for a model that cannot be linked), `text` (its first
 * LINK_TEXT_MAX characters: linkText), then every registered key of `state`.
 */
export function formatLink({ model, text }, state) {
  const sp = new URLSearchParams();
  if (model) sp.set('model', model);
  if (text !== undefined && text !== null) sp.set('text', linkText(text).text);
  for (const f of fields.values()) f.write(state[f.key], sp);
  return sp.toString();
}

/** The patch ready for store.set(): partial objects merged over the current values. */
export function mergePatch(state, patch) {
  const out = { ...patch };
  for (const [key, v] of Object.entries(patch)) {
    const f = fields.get(key);
    if (f?.merge && v && typeof v === 'object') out[key] = { ...f.merge, ...(state[key] ?? {}), ...v };
  }
  return out;
}

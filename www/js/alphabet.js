// What a model can read: its alphabet (the one-character entries of its
// vocabulary; src/tokenizer.rs), which characters of a text are not in it,
// and the page's answer to a text a model cannot read: every unknown
// character marked in a copy of the text (with its position, counted from
// 1), the model's alphabet on request (a click types a character into the
// text box), and a note while the views still show the previous text.
// A model with a `<unk>` token reads unknown characters as `<unk>`: they are
// marked too, and the views are not stale.

import { displayToken } from './format.js';
import { t } from './i18n.js';

export const UNK = '<unk>';
const LIST_MAX = 12; // distinct unknown characters named in the sentence

const alphabets = new WeakMap(); // vocab array -> {chars: Set, list: [chars], special: [entries], charLevel}
const SPECIAL = /^(<[^<>]*>|\[[^[\]]*\])$/; // <unk>, <|endoftext|>, [PAD]: names, not text

/**
 * The characters a vocabulary reads (its one-character entries) and its
 * special tokens. `charLevel` is false for a vocabulary whose other entries
 * are pieces of text (a subword tokenizer): it has no alphabet to check.
 */
export function alphabet(vocab) {
  let a = alphabets.get(vocab);
  if (!a) {
    const list = vocab.filter((s) => [...s].length === 1);
    const special = vocab.filter((s) => [...s].length !== 1);
    a = { chars: new Set(list), list, special, charLevel: special.every((s) => SPECIAL.test(s)) };
    alphabets.set(vocab, a);
  }
  return a;
}

/** The vocabulary of a model read character by character, or null (ids, or subword pieces). */
function charVocab(info) {
  const vocab = info?.vocab ?? null;
  return vocab && alphabet(vocab).charLevel ? vocab : null;
}

/**
 * The characters of `text` the vocabulary does not read, in order:
 * [{char, code, pos}] with pos the 0-based character index (as the core's).
 */
export function unknownChars(text, vocab) {
  const { chars } = alphabet(vocab);
  const out = [];
  let pos = 0;
  for (const c of text) {
    if (!chars.has(c)) out.push({ char: c, code: c.codePointAt(0), pos });
    pos++;
  }
  return out;
}

/** Distinct unknown characters with their positions (counted from 1), in first-seen order. */
function grouped(unknown) {
  const by = new Map();
  for (const u of unknown) {
    if (!by.has(u.char)) by.set(u.char, []);
    by.get(u.char).push(u.pos + 1);
  }
  return [...by].map(([char, positions]) => ({ char, positions }));
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * The text box's companion: the unknown-character report, the alphabet
 * toggle and list, and the stale-views note. `els`: {input, check, toggle,
 * list, stale} from index.html.
 */
export class InputCheck {
  constructor(els) {
    this.els = els;
    this.vocab = null;
    this.unknown = [];
    this.stale = null; // the text the views still show when the newest one failed, or null
    els.toggle.addEventListener('click', () => this.showAlphabet(els.list.hidden));
    // A character of the alphabet, clicked, is typed where the cursor is.
    els.list.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-char]');
      if (!b) return;
      const input = els.input;
      const start = input.selectionStart ?? input.value.length;
      const end = input.selectionEnd ?? start;
      input.setRangeText(b.dataset.char, start, end, 'end');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  /** A new model: its vocabulary (null for a model read by ids or by subword pieces: nothing to check). */
  setModel(info) {
    this.vocab = charVocab(info);
    this.listKey = null;
    this.showAlphabet(false);
    this.check(this.els.input.value);
  }

  /** Marks the unknown characters of `text`. -> the unknown list ([] when all are known). */
  check(text) {
    this.unknown = this.vocab ? unknownChars(text, this.vocab) : [];
    this.text = text;
    this.draw();
    return this.unknown;
  }

  /** The views show `shownText` while the text box holds something else (null: they are current). */
  setStale(shownText) {
    this.stale = shownText;
    this.draw();
  }

  showAlphabet(on) {
    const { list, toggle } = this.els;
    list.hidden = !on || !this.vocab;
    toggle.setAttribute('aria-expanded', String(!list.hidden));
    if (!list.hidden) this.fillAlphabet();
    this.label();
  }

  label() {
    const { toggle, list } = this.els;
    toggle.hidden = !this.vocab;
    if (!this.vocab) return;
    toggle.textContent = list.hidden ? t('alphabetShow', { n: alphabet(this.vocab).list.length }) : t('alphabetHide');
  }

  fillAlphabet() {
    const key = `${t('alphabetHint')}`;
    if (this.listKey === key) return;
    this.listKey = key;
    const { list, special } = alphabet(this.vocab);
    const hint = el('p', 'hint', t('alphabetHint'));
    const chars = el('div', 'alphabet-chars');
    chars.setAttribute('role', 'group');
    chars.setAttribute('aria-label', t('alphabetShow', { n: list.length }));
    for (const c of list) {
      const b = el('button', 'alphabet-char', displayToken(c));
      b.type = 'button';
      b.dataset.char = c;
      b.title = `U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
      chars.append(b);
    }
    const parts = [hint, chars];
    if (special.length) parts.push(el('p', 'hint', t('alphabetSpecial', { list: special.join(' ') })));
    this.els.list.replaceChildren(...parts);
  }

  /** Redraws the report in the current language. */
  draw() {
    const { check, stale } = this.els;
    this.label();
    if (!this.els.list.hidden) { this.listKey = null; this.fillAlphabet(); }
    const unknown = this.unknown;
    check.hidden = unknown.length === 0;
    check.dataset.count = String(unknown.length);
    if (unknown.length) {
      const unk = this.vocab.includes(UNK);
      const groups = grouped(unknown);
      const named = groups.slice(0, LIST_MAX).map(({ char, positions }) => t(positions.length > 1 ? 'unknownItemMany' : 'unknownItem', {
        c: displayToken(char), p: positions.slice(0, 6).join(', ') + (positions.length > 6 ? ', …' : ''),
      }));
      if (groups.length > LIST_MAX) named.push(t('unknownMore', { n: groups.length - LIST_MAX }));
      const key = unk ? (unknown.length === 1 ? 'unknownUnkOne' : 'unknownUnkMany') : (unknown.length === 1 ? 'unknownOne' : 'unknownMany');
      const sentence = el('p', 'input-check-text', t(key, { n: unknown.length, list: named.join(t('listSep')) }));
      // The text again, each unknown character marked with its position.
      const marked = el('p', 'input-check-marked');
      const bad = new Set(unknown.map((u) => u.pos));
      let run = '';
      let pos = 0;
      for (const c of this.text) {
        if (bad.has(pos)) {
          if (run) { marked.append(run); run = ''; }
          const m = el('mark', 'unk', displayToken(c));
          m.dataset.pos = String(pos);
          m.title = t('unknownAt', { p: pos + 1, u: `U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}` });
          marked.append(m);
        } else {
          run += c;
        }
        pos++;
      }
      if (run) marked.append(run);
      check.replaceChildren(sentence, marked);
      check.classList.toggle('unk-mapped', unk);
    }
    stale.hidden = this.stale === null;
    document.body.dataset.stale = String(this.stale !== null);
    if (this.stale !== null) {
      const shown = [...this.stale];
      stale.textContent = t('staleNote', { text: shown.length > 40 ? `${shown.slice(0, 40).join('')}…` : this.stale });
    }
  }
}

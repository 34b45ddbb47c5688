// The input as a row of token chips (DOM text: screen readers read it, and
// user text only ever goes through textContent). Hovering or focusing a chip
// sets the shared hover position; clicking picks the position for the bars
// and keeps its attention in focus in every view (clicking it again lets go).
// While a position is hovered (or chosen), each chip is shaded by how much
// that token attends to it and underlined by how much it attends to that
// token, in the focused layer and head.
// A character written by several byte tokens (a Chinese character or an
// emoji in GPT-2's vocabulary) is shown once, over those tokens' chips, which
// show their bytes in hex (tokentext.js groups them).

import { headColor } from '../colors.js';
import { displayToken, fixed } from '../format.js';
import { t } from '../i18n.js';
import { activePos, focusPos } from '../state.js';
import { tokenGroups, tokenHex } from '../tokentext.js';
import { pointerMoved } from '../pointer.js';

/** Text with its whitespace marks (␣ ↵ ⇥) in their own spans, so they can be drawn paler. */
function fillText(el, shown) {
  el.replaceChildren();
  for (const part of shown.split(/([␣↵⇥␍]+)/u)) {
    if (!part) continue;
    if (/^[␣↵⇥␍]+$/u.test(part)) {
      const ws = document.createElement('span');
      ws.className = 'ws';
      ws.textContent = part;
      el.append(ws);
    } else el.append(part);
  }
}

export class TokensView {
  constructor(el, store) {
    this.el = el;
    this.store = store;
    this.chips = [];
    this.tokens = null;
    el.addEventListener('pointerover', (e) => {
      const chip = e.target.closest('.chip');
      if (chip && pointerMoved(e)) store.set({ hover: Number(chip.dataset.pos) }); // (not the page scrolling under a still pointer)
    });
    el.addEventListener('pointerleave', () => store.set({ hover: null }));
    el.addEventListener('focusin', (e) => {
      const chip = e.target.closest('.chip');
      if (chip) store.set({ hover: Number(chip.dataset.pos) });
    });
    el.addEventListener('focusout', () => store.set({ hover: null }));
    el.addEventListener('click', (e) => {
      const chip = e.target.closest('.chip');
      if (!chip) return;
      const i = Number(chip.dataset.pos);
      store.set({ pos: store.state.pos === i ? null : i }); // a second click lets go
    });
    // Arrow keys walk the chips, so a keyboard can do what a pointer does.
    el.addEventListener('keydown', (e) => {
      const chip = e.target.closest('.chip');
      if (!chip) return;
      const step = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity }[e.key];
      if (step === undefined) return;
      e.preventDefault();
      const next = Math.max(0, Math.min(this.chips.length - 1, Number(chip.dataset.pos) + step));
      this.chips[next].focus();
      this.store.set({ pos: next });
    });
  }

  /** A chip for position i: its text (or, in a group, its bytes) over its number. */
  chip(i, text, { part = false, title = '' } = {}) {
    const chip = document.createElement('button');
    chip.type = 'button';
    chip.className = part ? 'chip part' : 'chip';
    chip.dataset.pos = String(i);
    const tok = document.createElement('span');
    tok.className = 'tok';
    fillText(tok, text);
    const idx = document.createElement('span');
    idx.className = 'idx';
    idx.textContent = String(i + 1); // positions count from 1 for people
    chip.append(tok, idx);
    chip.dataset.bytes = title;
    return chip;
  }

  /** Rebuilds the chips for a new trace (a pointer move reuses them). */
  setTokens(trace) {
    if (this.trace === trace) return;
    this.trace = trace;
    const { tokens } = trace;
    const { groups } = tokenGroups(trace);
    const lang = t('chipBytes', { hex: '' }); // the language the titles were written in
    this.lang = lang;
    this.chips = [];
    const nodes = groups.map((g) => {
      if (g.end - g.start === 1) {
        const i = g.start;
        const s = tokens[i];
        const hex = tokenHex(trace, i);
        const chip = this.chip(i, displayToken(s), { title: hex && t('chipBytes', { hex }) });
        chip.classList.toggle('space', s.length > 0 && displayToken(s) !== s && !/[^\s]/u.test(s));
        chip.classList.toggle('unk', s === '<unk>'); // a character the vocabulary lacks, read as <unk>
        this.chips.push(chip);
        return chip;
      }
      // One character (or a few) over several tokens: shown once, spanning their chips.
      const box = document.createElement('span');
      box.className = 'chip-group';
      box.dataset.start = String(g.start);
      box.dataset.end = String(g.end);
      const head = document.createElement('span');
      head.className = 'group-text';
      fillText(head, displayToken(g.text));
      const row = document.createElement('span');
      row.className = 'group-chips';
      for (let i = g.start; i < g.end; i++) {
        const hex = tokenHex(trace, i);
        const chip = this.chip(i, hex, { part: true, title: `${t('chipBytes', { hex })} · ${t('chipPart', { k: i - g.start + 1, n: g.end - g.start, text: displayToken(g.text) })}` });
        this.chips.push(chip);
        row.append(chip);
      }
      box.append(head, row);
      return box;
    });
    this.el.replaceChildren(...nodes);
    this.el.dataset.t = String(tokens.length);
    this.el.dataset.groups = String(groups.length);
    this.el.classList.toggle('dense', tokens.length > 48); // long inputs: smaller chips
  }

  render(trace, state) {
    // Titles are worded in the page's language: a new language rebuilds them.
    if (this.lang !== t('chipBytes', { hex: '' })) this.trace = null;
    this.setTokens(trace);
    const T = trace.tokens.length;
    const selected = activePos({ ...state, hover: null }, T);
    const hover = focusPos(state, T); // hovered, else chosen
    const pointed = state.hover !== null && state.hover < T ? state.hover : null;
    const att = trace.attention;
    this.el.style.setProperty('--head', headColor(state.head));
    this.el.classList.toggle('hovering', hover !== null);

    // Row `hover` (what it attends to) and column `hover` (what attends to it),
    // each scaled by its own maximum so the pattern shows even when spread thin.
    let row = null;
    let col = null;
    const head = hover !== null && att ? att.head(state.layer, state.head) : null; // [T, T]
    if (head) {
      row = head.slice(hover * T, (hover + 1) * T);
      col = new Float32Array(T);
      for (let j = 0; j < T; j++) col[j] = head[j * T + hover];
    }
    const rowMax = row ? Math.max(...row) || 1 : 1;
    const colMax = col ? Math.max(...col) || 1 : 1;
    for (let i = 0; i < T; i++) {
      const chip = this.chips[i];
      chip.classList.toggle('hovered', i === pointed);
      chip.classList.toggle('selected', i === selected);
      chip.setAttribute('aria-pressed', String(i === selected));
      chip.style.setProperty('--att', row ? (row[i] / rowMax).toFixed(3) : '0');
      chip.style.setProperty('--attby', col ? (col[i] / colMax).toFixed(3) : '0');
      const bytes = chip.dataset.bytes;
      chip.title = row ? `${fixed(row[i])} / ${fixed(col[i])}${bytes ? ` · ${bytes}` : ''}` : bytes;
    }
  }
}

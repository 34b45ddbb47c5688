// The input as a row of token chips (DOM text: screen readers read it, and
// user text only ever goes through textContent). Hovering or focusing a chip
// sets the shared hover position; clicking picks the position for the bars
// and keeps its attention in focus in every view (clicking it again lets go).
// While a position is hovered (or chosen), each chip is shaded by how much
// that token attends to it and underlined by how much it attends to that
// token, in the focused layer and head.

import { headColor } from '../colors.js';
import { displayToken, fixed } from '../format.js';
import { activePos, focusPos } from '../state.js';

export class TokensView {
  constructor(el, store) {
    this.el = el;
    this.store = store;
    this.chips = [];
    this.tokens = null;
    el.addEventListener('pointerover', (e) => {
      const chip = e.target.closest('.chip');
      if (chip) store.set({ hover: Number(chip.dataset.pos) });
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

  /** Rebuilds only what changed: chips are reused and their text replaced. */
  setTokens(tokens) {
    if (this.tokens === tokens) return;
    this.tokens = tokens;
    while (this.chips.length > tokens.length) this.chips.pop().remove();
    while (this.chips.length < tokens.length) {
      const chip = document.createElement('button');
      chip.type = 'button';
      chip.className = 'chip';
      const tok = document.createElement('span');
      tok.className = 'tok';
      const idx = document.createElement('span');
      idx.className = 'idx';
      chip.append(tok, idx);
      this.el.append(chip);
      this.chips.push(chip);
    }
    tokens.forEach((s, i) => {
      const chip = this.chips[i];
      chip.dataset.pos = String(i);
      chip.firstChild.textContent = displayToken(s);
      chip.lastChild.textContent = String(i + 1); // positions count from 1 for people
      chip.classList.toggle('space', displayToken(s) !== s);
      chip.classList.toggle('unk', s === '<unk>'); // a character the vocabulary lacks, read as <unk>
    });
    this.el.dataset.t = String(tokens.length);
    this.el.classList.toggle('dense', tokens.length > 48); // long inputs: smaller chips
  }

  render(trace, state) {
    this.setTokens(trace.tokens);
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
    if (hover !== null && att) {
      const [, H] = att.shape;
      const base = (state.layer * H + state.head) * T * T;
      row = new Float32Array(T);
      col = new Float32Array(T);
      for (let j = 0; j < T; j++) {
        row[j] = att.data[base + hover * T + j];
        col[j] = att.data[base + j * T + hover];
      }
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
      chip.title = row ? `${fixed(row[i])} / ${fixed(col[i])}` : '';
    }
  }
}

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

  /**
   * The chips for a new trace (a pointer move reuses them). Chips for the
   * tokens a new trace shares with the last one from the start are kept,
   * the same DOM nodes: typing at the end rebuilds only the chips after the
   * first change, not the whole row.
   */
  setTokens(trace) {
    if (this.trace === trace) return;
    this.trace = trace;
    const { tokens } = trace;
    const { groups } = tokenGroups(trace);
    const lang = t('chipBytes', { hex: '' }); // the language the titles were written in
    if (this.lang !== lang || !this.nodes) { // (titles in another language: every chip anew)
      this.nodes = [];
      this.el.replaceChildren();
    }
    this.lang = lang;
    // A chip (or group of chips) is what its positions, text and bytes are.
    const sigs = groups.map((g) => {
      let sig = `${g.start}:${g.end}:${g.text}`;
      for (let i = g.start; i < g.end; i++) sig += `\u0000${tokens[i]}\u0000${tokenHex(trace, i)}`;
      return sig;
    });
    const old = this.nodes;
    let same = 0;
    while (same < old.length && same < sigs.length && old[same].sig === sigs[same]) same++;
    for (const { node } of old.slice(same)) node.remove();
    const added = groups.slice(same).map((g, k) => ({ sig: sigs[same + k], ...this.node(trace, g) }));
    this.nodes = [...old.slice(0, same), ...added];
    this.el.append(...added.map((a) => a.node));
    this.chips = this.nodes.flatMap((a) => a.chips);
    this.el.dataset.t = String(tokens.length);
    this.el.dataset.groups = String(groups.length);
    this.el.dataset.kept = String(same); // chips (or groups) kept from the last trace, for tests
    this.el.classList.toggle('dense', tokens.length > 48); // long inputs: smaller chips
  }

  /** The DOM for one group of tokenGroups (a lone token: its chip). -> {node, chips} */
  node(trace, g) {
    const { tokens } = trace;
    if (g.end - g.start === 1) {
      const i = g.start;
      const s = tokens[i];
      const hex = tokenHex(trace, i);
      const chip = this.chip(i, displayToken(s), { title: hex && t('chipBytes', { hex }) });
      chip.classList.toggle('space', s.length > 0 && displayToken(s) !== s && !/[^\s]/u.test(s));
      chip.classList.toggle('unk', s === '<unk>'); // a character the vocabulary lacks, read as <unk>
      return { node: chip, chips: [chip] };
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
    const chips = [];
    for (let i = g.start; i < g.end; i++) {
      const hex = tokenHex(trace, i);
      const chip = this.chip(i, hex, { part: true, title: `${t('chipBytes', { hex })} · ${t('chipPart', { k: i - g.start + 1, n: g.end - g.start, text: displayToken(g.text) })}` });
      chips.push(chip);
      row.append(chip);
    }
    box.append(head, row);
    return { node: box, chips };
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
    // Only what changed is written: 256 chips restyled every frame cost a layout each.
    for (let i = 0; i < T; i++) {
      const chip = this.chips[i];
      const bytes = chip.dataset.bytes;
      const now = {
        hovered: i === pointed,
        selected: i === selected,
        att: row ? (row[i] / rowMax).toFixed(3) : '0',
        attby: col ? (col[i] / colMax).toFixed(3) : '0',
        title: row ? `${fixed(row[i])} / ${fixed(col[i])}${bytes ? ` · ${bytes}` : ''}` : bytes,
      };
      const was = chip.drawn ?? {};
      if (was.hovered !== now.hovered) chip.classList.toggle('hovered', now.hovered);
      if (was.selected !== now.selected) {
        chip.classList.toggle('selected', now.selected);
        chip.setAttribute('aria-pressed', String(now.selected));
      }
      if (was.att !== now.att) chip.style.setProperty('--att', now.att);
      if (was.attby !== now.attby) chip.style.setProperty('--attby', now.attby);
      if (was.title !== now.title) chip.title = now.title;
      chip.drawn = now;
    }
  }
}

// The branches as a compact timeline: x is the position in the text, each
// row a run of tokens without a fork (a branch starts below the token it
// replaces, with an elbow from the row it left). The current path is
// filled, the current end outlined, forced tokens marked. Every token is a
// button that switches to its branch; the arrow keys move between them
// (one tab stop for the whole tree).

import { displayToken } from '../format.js';
import { compactText } from '../tokentext.js';
import { t } from '../i18n.js';

/** Rows of nodes: each a chain following first children; later children start rows of their own. */
export function segments(root) {
  const rows = [];
  const visit = (start) => {
    const row = [];
    const forks = [];
    for (let n = start; n; n = n.children[0]) {
      row.push(n);
      forks.push(...n.children.slice(1));
    }
    rows.push(row);
    for (const f of forks) visit(f);
  };
  for (const c of root.children) visit(c);
  return rows;
}

export class TreeView {
  constructor(el, onPick) {
    this.el = el;
    this.buttons = [];
    el.addEventListener('click', (e) => {
      const b = e.target.closest('button.gen-node');
      if (b) onPick(Number(b.dataset.key));
    });
    el.addEventListener('keydown', (e) => this.key(e));
  }

  key(e) {
    const b = e.target.closest('button.gen-node');
    if (!b) return;
    const row = Number(b.dataset.row);
    const depth = Number(b.dataset.depth);
    let next = null;
    const i = this.buttons.indexOf(b);
    if (e.key === 'ArrowLeft') next = this.buttons[i - 1];
    else if (e.key === 'ArrowRight') next = this.buttons[i + 1];
    else if (e.key === 'Home') next = this.buttons[0];
    else if (e.key === 'End') next = this.buttons[this.buttons.length - 1];
    else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const r = row + (e.key === 'ArrowUp' ? -1 : 1);
      const inRow = this.buttons.filter((x) => Number(x.dataset.row) === r);
      next = inRow.reduce((best, x) => (!best || Math.abs(x.dataset.depth - depth) < Math.abs(best.dataset.depth - depth) ? x : best), null);
    } else return;
    e.preventDefault();
    if (next) this.focusOn(next);
  }

  focusOn(b) {
    for (const x of this.buttons) x.tabIndex = -1;
    b.tabIndex = 0;
    b.focus();
  }

  render({ root, cursor, promptTokens }) {
    const focused = this.el.contains(document.activeElement) ? Number(document.activeElement.dataset.key) : null;
    if (!root || !root.children.length) {
      this.buttons = [];
      this.el.replaceChildren();
      this.el.dataset.rows = '0';
      return;
    }
    const onPath = new Set();
    for (let n = cursor; n; n = n.parent) onPath.add(n);
    const rows = segments(root);
    const grid = document.createElement('div');
    grid.className = 'gen-tree-grid';
    const prompt = document.createElement('span');
    prompt.className = 'gen-tree-prompt';
    const shown = promptTokens.map((s) => displayToken(compactText(s)));
    prompt.textContent = shown.length > 12 ? `…${shown.slice(-12).join('')}` : shown.join(''); // its end leads into the tree
    prompt.title = shown.join('');
    prompt.style.gridRow = '1';
    grid.append(prompt);
    this.buttons = [];
    let count = 0;
    rows.forEach((row, r) => {
      for (const [i, n] of row.entries()) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'gen-node';
        if (onPath.has(n)) b.classList.add('on-path');
        if (n === cursor) { b.classList.add('cursor'); b.setAttribute('aria-current', 'step'); }
        if (n.forced) b.classList.add('forced');
        if (i === 0 && (r > 0)) b.classList.add('fork');
        b.textContent = displayToken(compactText(n.token ?? '?'));
        b.style.gridRow = String(r + 1);
        b.style.gridColumn = String(n.depth + 1);
        b.dataset.key = String(n.key);
        b.dataset.row = String(r);
        b.dataset.depth = String(n.depth);
        b.tabIndex = -1;
        b.setAttribute('aria-label', t('genTreeNode', { tok: displayToken(compactText(n.token ?? '?')), n: n.depth, b: r + 1 })
          + (n.forced ? ` · ${t('genYourPick')}` : '') + (onPath.has(n) ? ` · ${t('genOnPath')}` : ''));
        grid.append(b);
        this.buttons.push(b);
        count++;
      }
    });
    const tab = this.buttons.find((b) => Number(b.dataset.key) === focused)
      ?? this.buttons.find((b) => b.classList.contains('cursor')) ?? this.buttons[0];
    tab.tabIndex = 0;
    this.el.replaceChildren(grid);
    if (focused !== null) tab.focus({ preventScroll: true });
    this.el.dataset.rows = String(rows.length);
    this.el.dataset.nodes = String(count);
  }
}

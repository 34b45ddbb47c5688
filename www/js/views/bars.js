// Softmax bars: for the active position, the k most likely next tokens with
// their probabilities (bar length is the probability itself, so a flat,
// untrained distribution looks flat), the rest summed as "other", and the
// entropy of the full distribution. DOM, not canvas: it is text to read.

import { fixed, percent, short } from '../format.js';
import { hexBytes, idBytes, nextLabel, tokenLabel } from '../tokentext.js';
import { t } from '../i18n.js';
import { activePos } from '../state.js';

/** Indices of the k largest values of p, largest first (O(V·k), fine for k ≤ 50). */
export function topK(p, k) {
  const idx = [];
  for (let v = 0; v < p.length; v++) {
    if (idx.length === k && p[v] <= p[idx[k - 1]]) continue;
    let at = idx.length === k ? k - 1 : idx.length;
    while (at > 0 && p[idx[at - 1]] < p[v]) { idx[at] = idx[at - 1]; at--; }
    idx[at] = v;
    if (idx.length > k) idx.length = k;
  }
  return idx;
}

/** Shannon entropy in nats; zero probabilities contribute nothing. */
export function entropy(p) {
  let h = 0;
  for (let v = 0; v < p.length; v++) if (p[v] > 0) h -= p[v] * Math.log(p[v]);
  return h;
}

export class BarsView {
  constructor(el, store) {
    this.el = el;
    this.store = store;
    this.after = el.querySelector('.bars-after');
    this.list = el.querySelector('.bars');
    this.entropyEl = el.querySelector('.entropy');
    this.uniformEl = el.querySelector('.uniform');
    this.actualEl = el.querySelector('.actual');
    this.kInput = el.querySelector('input.topk');
    this.kInput.addEventListener('input', () => {
      const k = Math.round(Number(this.kInput.value));
      if (Number.isFinite(k) && k >= 1) store.set({ topK: Math.min(k, Number(this.kInput.max) || 50) });
    });
  }

  row(label, p, cls) {
    const li = document.createElement('li');
    li.className = `bar ${cls}`;
    const tok = document.createElement('span');
    tok.className = 'bar-tok';
    tok.textContent = label;
    const track = document.createElement('span');
    track.className = 'bar-track';
    const fill = document.createElement('span');
    fill.className = 'bar-fill';
    fill.style.width = `${Math.max(0, Math.min(100, p * 100))}%`;
    track.append(fill);
    const val = document.createElement('span');
    val.className = 'bar-p';
    val.textContent = percent(p);
    li.append(tok, track, val);
    li.dataset.p = String(p);
    li.title = p.toPrecision(4);
    return li;
  }

  render(trace, state, info) {
    const [T, V] = trace.probs.shape;
    const pos = activePos(state, T);
    const p = trace.probs.row(pos); // [V]
    // A distribution on its way from the worker: the last bars stay until it comes.
    this.el.dataset.loading = String(!p);
    if (!p) return;
    // Any id, read as text (a byte that finishes a character the text began says which: `<0x91> → 我`).
    const label = (v) => nextLabel(info, trace, pos, v);
    const k = Math.min(state.topK, V);
    if (Number(this.kInput.value) !== state.topK && document.activeElement !== this.kInput) this.kInput.value = String(state.topK);

    this.after.textContent = t('barsAfter', { tok: tokenLabel(trace, pos), n: pos + 1 });
    const top = topK(p, k);
    const next = pos + 1 < T ? trace.ids[pos + 1] : -1; // the token that actually came next
    const rows = top.map((v) => {
      const li = this.row(label(v), p[v], v === next ? 'actual' : '');
      li.dataset.id = String(v);
      if (info.tokenTable) li.title += ` · ${t('chipBytes', { hex: hexBytes(idBytes(info, v) ?? []) })}`; // a byte token's bytes
      if (v === next) {
        // On a line of its own under the bar: beside the token it would push the bar aside
        // (or be cut to "原文的下…" on a projector).
        const tag = document.createElement('span');
        tag.className = 'tag bar-tag';
        tag.textContent = t('actual');
        li.append(tag);
      }
      return li;
    });
    if (k < V) {
      const rest = Math.max(0, 1 - top.reduce((s, v) => s + p[v], 0));
      rows.push(this.row(t('other', { n: V - k }), rest, 'other'));
    }
    this.list.replaceChildren(...rows);
    this.el.dataset.pos = String(pos);
    this.el.dataset.top = String(top[0]);

    const h = entropy(p);
    this.el.dataset.entropy = String(h);
    this.entropyEl.textContent = `${t('entropy')}: ${t('entropyValue', { nats: short(h), bits: short(h / Math.LN2) })}`;
    this.uniformEl.textContent = t('uniform', { v: V, nats: fixed(Math.log(V), 3) });
    if (next >= 0) {
      let rank = 1;
      for (let v = 0; v < V; v++) if (p[v] > p[next]) rank++;
      this.actualEl.textContent = t('actualNext', { tok: label(next), p: percent(p[next]), r: rank, v: V });
    } else {
      this.actualEl.textContent = '';
    }
  }
}

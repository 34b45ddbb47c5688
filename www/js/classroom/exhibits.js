// Live exhibits for the lesson panel: small pieces of DOM text that show,
// from the trace on screen right now, the numbers a lesson step talks about
// (the ids, the counts, a softmax row's sum, where each head looks, what
// temperature does). Text, not canvas, so a screen reader reads them too.
//
// An exhibit is mount(box, ctx, step) -> {update(trace, state, info)}; ctx
// is {store, page, facts()} (page: the hooks main.js hands the classroom;
// facts(): what the step's prose states, read from the models, or null).
// Positions, layers and heads are shown counting from 1.

import { headColor } from '../colors.js';
import { displayToken, fixed, percent, short } from '../format.js';
import { idLabel } from '../tokentext.js';
import { getLang, t, translateError } from '../i18n.js';
import { activePos } from '../state.js';
import { TEMPERATURES, TOP_K } from './chapter.js';
import { el } from './dom.js';
import { reveal } from './spotlight.js';

/** Where the bars and the exhibits look: the chosen position (the hover is transient). */
const chosen = (state, T) => activePos({ ...state, hover: null }, T);

/** Indices of the n largest values of p, largest first. */
function top(p, n) {
  return Array.from(p.keys()).sort((a, b) => p[b] - p[a]).slice(0, n);
}

function label(info, id) { return idLabel(info, id); }

function topList(p, info, n) {
  return top(p, n).map((v) => `“${label(info, v)}” ${percent(p[v])}`).join(getLang() === 'zh' ? '，' : ', ');
}

function probsAt(trace, pos) {
  const [, V] = trace.probs.shape;
  return trace.probs.data.subarray(pos * V, (pos + 1) * V);
}

/** A button that runs `fn`; its label is re-read from `text()` on update. */
function button(cls, onclick) { return el('button', { type: 'button', class: `lesson-btn ${cls}`, onclick }); }

/** Puts `text` in the page's text box, traces it, then selects `pos`. */
async function showText(ctx, text, pos = null) {
  await ctx.page.setText(text);
  ctx.store.set({ pos, hover: null });
}

// ---- 1. text -> ids --------------------------------------------------------

function ids(box) {
  const table = el('table', { class: 'ex-ids' });
  const note = el('p', { class: 'ex-note' });
  box.append(table, note);
  return {
    update(trace) {
      const n = trace.ids.length;
      const shown = Math.min(n, 24);
      const head = el('tr', {}, el('th', { scope: 'row', text: t('exChar') }));
      const body = el('tr', {}, el('th', { scope: 'row', text: 'ID' }));
      for (let i = 0; i < shown; i++) {
        head.append(el('td', { class: 'ex-tok', text: displayToken(trace.tokens[i]) }));
        body.append(el('td', { class: 'ex-id', text: String(trace.ids[i]) }));
      }
      if (shown < n) { head.append(el('td', { text: '…' })); body.append(el('td', { text: '…' })); }
      table.replaceChildren(el('caption', { text: t('exTokenId') }), head, body);
      table.dataset.ids = Array.from(trace.ids).join(',');
      note.textContent = t('exIdsCount', { n });
    },
  };
}

// ---- 2. bag of words ---------------------------------------------------------

function bag(box, ctx, step) {
  const [a, b] = step.texts;
  const chars = [...new Set([...a, ...b])];
  const count = (s, c) => [...s].filter((x) => x === c).length;
  const table = el('table', { class: 'ex-counts' });
  const same = el('p', { class: 'ex-note' });
  const buttons = step.texts.map((s) => button('ex-show', () => showText(ctx, s)));
  const diff = el('p', { class: 'ex-note ex-diff' });
  box.append(table, same, el('div', { class: 'ex-buttons' }, buttons), diff);
  let compared = null; // the model the two traces below were computed with

  // How far apart the two next-token distributions are (the prose names each one's top token).
  async function compare() {
    const m = ctx.page.current();
    if (!m || compared === m) return;
    compared = m;
    try {
      const traces = await Promise.all(step.texts.map((s) => ctx.page.engine.traceText(m.modelId, s)));
      if (compared !== m) return;
      const ps = traces.map((tr) => probsAt(tr, tr.ids.length - 1));
      let tv = 0;
      for (let v = 0; v < ps[0].length; v++) tv += Math.abs(ps[0][v] - ps[1][v]);
      diff.dataset.tv = String(tv / 2);
      diff.textContent = t('exDistDiff', { d: percent(tv / 2) }); // (the total variation distance, in plain words)
    } catch (e) {
      diff.textContent = translateError(e);
    }
  }

  return {
    update() {
      // One row per sentence, one column per character: short enough for the side of a projector.
      const rows = [el('tr', {}, el('th', { scope: 'col', text: t('exChar') }), ...chars.map((c) => el('th', { scope: 'col', text: c })))];
      for (const s of step.texts) rows.push(el('tr', {}, el('th', { scope: 'row', text: s }), ...chars.map((c) => el('td', { text: String(count(s, c)) }))));
      table.replaceChildren(el('caption', { text: t('exCounts') }), ...rows);
      same.textContent = t('exSameCounts');
      const shown = ctx.page.input.value;
      buttons.forEach((btn, k) => {
        btn.textContent = t('exShowText', { s: step.texts[k] });
        btn.setAttribute('aria-pressed', String(shown === step.texts[k]));
      });
      compare();
    },
  };
}

// ---- 3. one softmax row --------------------------------------------------------

function softmax(box) {
  const head = el('p', { class: 'ex-strong' });
  const sums = el('p', { class: 'ex-mono' });
  const ent = el('p', { class: 'ex-note' });
  box.append(head, sums, ent);
  return {
    update(trace, state) {
      const [T, V] = trace.probs.shape;
      const pos = chosen(state, T);
      const p = probsAt(trace, pos);
      let sum = 0; let max = 0; let min = 1; let h = 0;
      for (let v = 0; v < V; v++) {
        sum += p[v]; max = Math.max(max, p[v]); min = Math.min(min, p[v]);
        if (p[v] > 0) h -= p[v] * Math.log(p[v]);
      }
      head.textContent = t('exSoftmaxOf', { tok: displayToken(trace.tokens[pos]), v: V });
      sums.textContent = t('exSoftmaxSum', { sum: fixed(sum, 4), max: percent(max), min: percent(min) });
      sums.dataset.sum = String(sum);
      ent.textContent = t('exSoftmaxEntropy', { h: short(h, 2), v: V, hmax: fixed(Math.log(V), 2) });
    },
  };
}
// ---- 4. RNN rows -----------------------------------------------------------------

function rows(box, ctx) {
  const prev = button('ex-prev', () => move(-1));
  const next = button('ex-next', () => move(1));
  const now = el('p', { class: 'ex-strong', 'aria-live': 'polite' });
  const values = el('p', { class: 'ex-mono' });
  const shape = el('p', { class: 'ex-note' });
  box.append(el('div', { class: 'ex-buttons' }, prev, next), now, values, shape);
  let T = 0;
  function move(d) {
    if (!T) return;
    const pos = chosen(ctx.store.state, T);
    ctx.store.set({ pos: Math.max(0, Math.min(T - 1, pos + d)), hover: null });
  }
  return {
    update(trace, state) {
      T = trace.ids.length;
      const pos = chosen(state, T);
      prev.textContent = t('exRowPrev');
      next.textContent = t('exRowNext');
      prev.disabled = pos <= 0;
      next.disabled = pos >= T - 1;
      now.textContent = t('exRowNow', { i: pos + 1, tok: displayToken(trace.tokens[pos]) });
      now.dataset.pos = String(pos);
      const hid = trace.hidden;
      if (!hid) { values.textContent = ''; shape.textContent = ''; return; }
      const [L, , D] = hid.shape;
      const base = ((L - 1) * T + pos) * D; // the top layer feeds the output
      const first = Array.from(hid.data.subarray(base, base + 6), (v) => fixed(v, 2));
      values.textContent = t('exRowValues', { v: first.join(', '), d: D });
      shape.textContent = t('exRnnShape', { t: T, d: D });
    },
  };
}

// ---- 5. what the RNN remembers: two texts, the top guesses after each ---------------

function measure(box, ctx, step) {
  const pos = step.setup.pos;
  const buttons = step.texts.map((s) => button('ex-show', () => showText(ctx, s, pos)));
  const after = el('p', { class: 'ex-strong' });
  box.append(el('div', { class: 'ex-buttons' }, buttons), after);
  return {
    update(trace, state, info) {
      const T = trace.ids.length;
      const at = chosen(state, T);
      const shown = ctx.page.input.value;
      buttons.forEach((btn, k) => {
        const s = step.texts[k];
        btn.textContent = t('exShowText', { s });
        btn.setAttribute('aria-pressed', String(shown === s));
      });
      after.textContent = t('exAfterTop', { tok: [...trace.tokens].slice(0, at + 1).map(displayToken).join(''), list: topList(probsAt(trace, at), info, 3) });
      after.dataset.top = top(probsAt(trace, at), 2).map((v) => label(info, v)).join('');
    },
  };
}

// ---- 6, 7. where each head looks ------------------------------------------------------

function heads(box, ctx) {
  const title = el('p', { class: 'ex-strong' });
  const list = el('ul', { class: 'ex-heads' });
  const uniform = el('p', { class: 'ex-note' });
  box.append(title, list, uniform);
  list.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-head]');
    if (b) ctx.store.set({ head: Number(b.dataset.head) });
  });
  return {
    update(trace, state) {
      const att = trace.attention;
      if (!att) { title.textContent = ''; list.replaceChildren(); uniform.textContent = ''; return; }
      const [, H, T] = att.shape;
      const i = chosen(state, T);
      const l = state.layer;
      title.textContent = t('exHeadsLook', { tok: displayToken(trace.tokens[i]), i: i + 1, l: l + 1 });
      const items = [];
      const targets = [];
      for (let h = 0; h < H; h++) {
        const base = ((l * H + h) * T + i) * T;
        let j = 0;
        for (let k = 1; k <= i; k++) if (att.data[base + k] > att.data[base + j]) j = k;
        targets.push(j);
        const b = el('button', {
          type: 'button', class: 'ex-head', 'data-head': h, 'aria-pressed': String(h === state.head),
        }, t('exHeadRow', { h: h + 1, to: displayToken(trace.tokens[j]), j: j + 1, w: percent(att.data[base + j]) }));
        b.style.setProperty('--c', headColor(h));
        b.title = t('exFocusHead', { h: h + 1 });
        items.push(el('li', {}, b));
      }
      list.replaceChildren(...items);
      list.dataset.targets = targets.join(',');
      uniform.textContent = t('exUniform', { n: i + 1, w: percent(1 / (i + 1)) });
    },
  };
}

// ---- 7. several heads, one at a time ----------------------------------------------------
// One button per job of the step's facts (chapter.js HEAD_JOBS): it shows that
// head alone, at the character where it matters. The numbers are the live trace's.

function jobs(box, ctx) {
  const title = el('p', { class: 'ex-strong' });
  const list = el('ul', { class: 'ex-heads ex-jobs' });
  const all = button('ex-all-heads', () => {
    const s = ctx.store.state;
    ctx.store.set({ headsOn: s.headsOn.map(() => true) });
  });
  box.append(title, list, el('div', { class: 'ex-buttons' }, all));
  list.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-job]');
    const job = b && ctx.facts()?._jobs?.[Number(b.dataset.job)];
    if (!job) return;
    const s = ctx.store.state;
    ctx.store.set({ layer: job.l, head: job.h, pos: job.i, hover: null, headsOn: s.headsOn.map((_, h) => h === job.h) });
    ctx.page.nextDraw().then(() => requestAnimationFrame(() => reveal())); // the row moved: bring it into view
  });
  return {
    update(trace, state) {
      const found = ctx.facts()?._jobs;
      const att = trace.attention;
      if (!found || !att) { title.textContent = ''; list.replaceChildren(); all.hidden = true; return; }
      const [, H, T] = att.shape;
      title.textContent = t('exJobsTitle');
      const solo = state.headsOn.filter(Boolean).length === 1;
      list.replaceChildren(...found.map((job, k) => {
        if (job.i >= T) return el('li');
        const w = att.data[((job.l * H + job.h) * T + job.i) * T + job.j];
        const b = el('button', {
          type: 'button', class: 'ex-head', 'data-job': k,
          'aria-pressed': String(solo && state.layer === job.l && state.head === job.h && chosen(state, T) === job.i),
        }, t('exJobNext', { l: job.l + 1, h: job.h + 1, at: job.at, to: displayToken(trace.tokens[job.j]), w: percent(w) }));
        b.dataset.w = String(w);
        b.style.setProperty('--c', headColor(job.h));
        return el('li', {}, b);
      }));
      all.hidden = false;
      all.textContent = t('exAllHeads');
      all.setAttribute('aria-pressed', String(state.headsOn.every(Boolean)));
    },
  };
}

// ---- 8. generation ------------------------------------------------------------------

const generator = () => window.glasswing?.generate ?? null;

function generate(box) {
  const missing = el('p', { class: 'ex-note', hidden: true });
  const step = button('ex-gen-step', () => act((g) => g.step()));
  const play = button('ex-gen-play', () => act((g) => (g.playing ? g.pause() : g.play())));
  const back = button('ex-gen-back', () => act((g) => g.back()));
  const text = el('p', { class: 'ex-strong ex-gen-text', 'aria-live': 'polite' });
  box.append(missing, el('div', { class: 'ex-buttons' }, step, play, back), text);
  function draw() {
    const g = generator();
    missing.hidden = Boolean(g);
    missing.textContent = t('exGenMissing');
    for (const b of [step, play, back]) b.hidden = !g;
    step.textContent = t('exGenStep');
    play.textContent = t(g?.playing ? 'exGenPause' : 'exGenPlay');
    play.setAttribute('aria-pressed', String(Boolean(g?.playing)));
    back.textContent = t('exGenBack');
    text.textContent = g ? t('exGenText', { s: g.text }) : '';
  }
  async function act(fn) {
    const g = generator();
    if (!g) return;
    const done = fn(g);
    draw();
    await done;
    await g.idle?.();
    draw();
  }
  // The panel's own buttons (and Play) change the text too: follow its output.
  const output = document.querySelector('#generate-panel .gen-output');
  const watch = output && new MutationObserver(() => draw());
  watch?.observe(output, { childList: true, subtree: true, characterData: true });
  return { update: draw, destroy: () => watch?.disconnect() };
}

// ---- 9. temperature and top-k ----------------------------------------------------------

/** p reshaped as the sampler does: softmax(log p / T) (= softmax(logits / T)), then top-k renormalised. */
export function reshape(p, temperature, k = null) {
  const q = Float64Array.from(p, (v) => (v > 0 ? Math.exp(Math.log(v) / temperature) : 0));
  if (k) {
    const keep = new Set(top(q, k));
    for (let v = 0; v < q.length; v++) if (!keep.has(v)) q[v] = 0;
  }
  const z = q.reduce((sum, v) => sum + v, 0);
  for (let v = 0; v < q.length; v++) q[v] /= z;
  return q;
}

function temperature(box, ctx) {
  const table = el('table', { class: 'ex-temps' });
  const buttons = el('div', { class: 'ex-buttons' });
  const now = el('p', { class: 'ex-note' });
  box.append(table, buttons, now);
  const setSampler = (patch) => ctx.store.set({ sampler: { ...(ctx.store.state.sampler ?? {}), greedy: false, ...patch } });
  const choices = [
    ...TEMPERATURES.map((x) => ({ patch: { temperature: x }, key: 'exSetTemp', vars: { t: x }, on: (s) => s.temperature === x })),
    { patch: { top_k: TOP_K }, key: 'exSetTopK', vars: { k: TOP_K }, on: (s) => s.top_k === TOP_K },
    { patch: { top_k: null }, key: 'exTopKOff', vars: {}, on: (s) => !s.top_k },
  ].map((c) => ({ ...c, btn: button('ex-sampler', () => setSampler(c.patch)) }));
  buttons.append(...choices.map((c) => c.btn));
  return {
    update(trace, state, info) {
      const T = trace.ids.length;
      const pos = T - 1; // generation continues from the last token
      const p = probsAt(trace, pos);
      const cols = top(p, 4); // reshaping keeps the order, so the same four lead every row
      const s = state.sampler;
      const rowsOut = [
        ...TEMPERATURES.map((x) => [t('exTempRow', { t: x }), reshape(p, x), s && !s.top_k && s.temperature === x]),
        [t('exTopKRow', { k: TOP_K }), reshape(p, 1, TOP_K), s && s.top_k === TOP_K && s.temperature === 1],
      ].map(([name, q, current]) => {
        const rest = 1 - cols.reduce((sum, v) => sum + q[v], 0);
        const tr = el('tr', { class: current ? 'current' : null }, el('th', { scope: 'row', text: name }),
          ...cols.map((v) => el('td', { text: percent(q[v]) })), el('td', { text: percent(Math.max(0, rest)) }));
        tr.dataset.top = String(q[cols[0]]);
        return tr;
      });
      table.replaceChildren(
        el('caption', { text: t('exTempTable', { tok: displayToken(trace.tokens[pos]) }) }),
        el('tr', {}, el('th', { scope: 'col', text: '' }), ...cols.map((v) => el('th', { scope: 'col', text: label(info, v) })),
          el('th', { scope: 'col', text: t('exOther') })),
        ...rowsOut,
      );
      buttons.hidden = !s || !generator();
      for (const c of choices) {
        c.btn.textContent = t(c.key, c.vars);
        c.btn.setAttribute('aria-pressed', String(Boolean(s && c.on(s))));
      }
      now.textContent = s ? t('exSamplerNow', { t: s.temperature, k: s.top_k ?? t('exNone') }) : '';
    },
  };
}

export const EXHIBITS = { ids, bag, softmax, rows, measure, heads, jobs, generate, temperature };

/** Mounts the exhibit a step names into `box`, or nothing. */
export function mountExhibit(name, box, ctx, step) {
  box.replaceChildren(); // (the caller destroys the previous exhibit first)
  box.dataset.exhibit = name ?? '';
  const make = name ? EXHIBITS[name] : null;
  return make ? make(box, ctx, step) : { update() {} };
}

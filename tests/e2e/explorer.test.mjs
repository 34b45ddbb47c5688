// Browser tests for the explorer page (www/index.html) in headless Chromium.
// One server and one browser for the file; each test opens its own page.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertClean as assertPageClean, canvasStats, FIXTURES, openPage, pickModel, shotPath, typeText, useBrowser, WWW } from './helpers.mjs';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));

// Tests pin the untrained GPT (the picker's first model may change as
// trained models are added); its description comes from index.json.
const INDEX = JSON.parse(readFileSync(join(WWW, 'models', 'index.json'), 'utf8'));
const UNTRAINED = INDEX.find((m) => m.file === 'gpt-untrained.safetensors');
const gptUrl = () => `${origin}/?model=gpt-untrained.safetensors`;

const assertClean = (log) => assertPageClean(log, origin);

const state = (page) => page.evaluate(() => ({ ...window.glasswing.state }));
const traceCount = (page) => page.evaluate(() => window.glasswing.traceCount);

/** The RGB of the matrix canvas at the centre of cell (i, j). */
async function matrixPixel(page, i, j) {
  return page.$eval('#matrix-canvas', (c, [i, j]) => {
    const { left, top, cell } = c.dataset;
    const dpr = c.width / parseFloat(c.style.width);
    const x = Math.floor((Number(left) + (j + 0.5) * Number(cell)) * dpr);
    const y = Math.floor((Number(top) + (i + 0.5) * Number(cell)) * dpr);
    return Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3));
  }, [i, j]);
}

describe('GPT', () => {
  test('page loads clean and every view draws the trace', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.equal(await page.getAttribute('body', 'data-arch'), 'gpt2');
    const text = await page.inputValue('#text-input');
    assert.equal(text, UNTRAINED.example);
    const T = text.length;
    assert.equal(await page.getAttribute('#tokens', 'data-t'), String(T));
    assert.equal(await page.locator('#tokens .chip').count(), T);

    // The trace crossed as flat typed arrays with the documented shapes.
    const shapes = await page.evaluate(() => {
      const tr = window.glasswing.lastTrace;
      return {
        probs: tr.probs.shape, att: tr.attention.shape, probsIsTyped: tr.probs.data instanceof Float32Array,
        attIsTyped: tr.attention.data instanceof Float32Array, ids: tr.ids instanceof Uint32Array,
      };
    });
    assert.deepEqual(shapes.probs, [T, 119]);
    assert.deepEqual(shapes.att, [2, 4, T, T]);
    assert.ok(shapes.probsIsTyped && shapes.attIsTyped && shapes.ids);

    // Canvases hold drawn pixels, not a blank rectangle.
    for (const sel of ['#heads-canvas', '#matrix-canvas', '#model-panel canvas']) {
      const s = await canvasStats(page, sel);
      assert.ok(s.inked > 0.05 && s.colours > 20, `${sel} looks blank: ${JSON.stringify(s)}`);
    }
    assert.equal(await page.locator('#model-panel button.thumb').count(), 8);

    // The matrix shows the data: cell (0,0) holds weight 1 (darkest blue),
    // cell (0,1) is the future (grey), and the matrix says what it shows.
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-layer'), '0');
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-head'), '0');
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-t'), String(T));
    assert.deepEqual(await matrixPixel(page, 0, 0), [8, 48, 107]);
    assert.deepEqual(await matrixPixel(page, 0, 1), [232, 232, 236]);

    // Bars: top-10 plus "other", the top bar is the row's maximum, entropy matches.
    const bars = await page.evaluate(() => {
      const tr = window.glasswing.lastTrace;
      const [Tn, V] = tr.probs.shape;
      const row = tr.probs.data.subarray((Tn - 1) * V, Tn * V);
      let h = 0;
      for (const p of row) if (p > 0) h -= p * Math.log(p);
      const ps = [...document.querySelectorAll('#bars-panel .bar')].map((li) => Number(li.dataset.p));
      return { max: Math.max(...row), ps, h, shown: Number(document.querySelector('#bars-panel').dataset.entropy), pos: document.querySelector('#bars-panel').dataset.pos };
    });
    assert.equal(bars.ps.length, 11);
    assert.ok(Math.abs(bars.ps[0] - bars.max) < 1e-7);
    assert.ok(Math.abs(bars.ps.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'top-k plus other sums to 1');
    assert.ok(Math.abs(bars.h - bars.shown) < 1e-6);
    assert.equal(bars.pos, String(T - 1));
    assert.match(await page.textContent('#bars-panel .entropy'), /nats = .* bits/);

    await page.screenshot({ path: shotPath('gpt-en'), fullPage: true });
    assertClean(log);
    await context.close();
  });

  test('typing retraces, keeping layer, head and position (clamped when the text shrinks)', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    await page.click('#matrix-panel .layer-picker button[data-index="1"]');
    await page.click('#matrix-panel .head-picker button[data-index="2"]');
    await page.click('#tokens .chip[data-pos="5"]');
    const probsBefore = await page.evaluate(() => Array.from(window.glasswing.lastTrace.probs.data.slice(0, 5)));
    const n = await traceCount(page);

    await page.click('#text-input');
    await page.keyboard.press('End');
    await page.keyboard.type(' and', { delay: 20 });
    await page.waitForFunction((k) => window.glasswing.traceCount > k && window.glasswing.lastTrace.ids.length === 26, n);
    await page.evaluate(() => window.glasswing.nextDraw());
    let s = await state(page);
    assert.deepEqual([s.layer, s.head, s.pos], [1, 2, 5]);
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-layer'), '1');
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-head'), '2');
    assert.equal(await page.getAttribute('#bars-panel', 'data-pos'), '5');
    assert.equal(await page.getAttribute('#tokens', 'data-t'), '26');

    await typeText(page, 'hi!');
    s = await state(page);
    assert.deepEqual([s.layer, s.head, s.pos], [1, 2, 2], 'position clamped to the last token');
    const probsAfter = await page.evaluate(() => Array.from(window.glasswing.lastTrace.probs.data.slice(0, 5)));
    assert.notDeepEqual(probsAfter, probsBefore);
    assert.deepEqual(await page.evaluate(() => window.glasswing.lastTrace.tokens), ['h', 'i', '!']);
    assertClean(log);
    await context.close();
  });

  test('clicking a model-view thumbnail focuses that layer and head everywhere', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    const before = await canvasStats(page, '#matrix-canvas');
    await page.click('#model-panel button.thumb[data-layer="1"][data-head="3"]');
    await page.evaluate(() => window.glasswing.nextDraw());
    const s = await state(page);
    assert.deepEqual([s.layer, s.head], [1, 3]);
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-layer'), '1');
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-head'), '3');
    assert.equal(await page.getAttribute('#heads-canvas', 'data-layer'), '1');
    assert.equal(await page.getAttribute('#model-panel button.thumb[data-layer="1"][data-head="3"]', 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('#model-panel button.thumb[data-layer="0"][data-head="0"]', 'aria-pressed'), 'false');
    assert.equal(await page.getAttribute('#matrix-panel .head-picker button[data-index="3"]', 'aria-pressed'), 'true');
    // The matrix now draws layer 2, head 4's weights: compare one cell with the trace.
    const [w, px] = await Promise.all([
      page.evaluate(() => { const a = window.glasswing.lastTrace.attention; const T = a.shape[2]; return a.data[(1 * 4 + 3) * T * T + 1 * T + 0]; }),
      matrixPixel(page, 1, 0),
    ]);
    const after = await canvasStats(page, '#matrix-canvas');
    assert.ok(w > 0 && w < 1);
    assert.ok(px[2] > 100, `cell (1,0) is drawn in the blue scale: ${px}`);
    assert.ok(before.colours > 20 && after.colours > 20);
    assertClean(log);
    await context.close();
  });

  test('hovering a token highlights it in every view; head toggles redraw the head view', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    const headsBefore = await canvasStats(page, '#heads-canvas');
    await page.hover('#tokens .chip[data-pos="8"]');
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.equal((await state(page)).hover, 8);
    assert.equal(await page.getAttribute('#bars-panel', 'data-pos'), '8');
    assert.ok(await page.locator('#tokens .chip[data-pos="8"].hovered').count());
    // Chips before the hovered token are shaded by its attention, those after are not.
    const att = await page.$$eval('#tokens .chip', (chips) => chips.map((c) => Number(c.style.getPropertyValue('--att'))));
    assert.ok(att.slice(0, 9).every((a) => a > 0) && att.slice(9).every((a) => a === 0), `attention shading ${att}`);
    await page.screenshot({ path: shotPath('gpt-hover'), fullPage: true });

    await page.mouse.move(5, 5);
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.equal((await state(page)).hover, null);
    await page.uncheck('#heads-panel .head-toggles input[data-head="0"]');
    await page.uncheck('#heads-panel .head-toggles input[data-head="1"]');
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.deepEqual((await state(page)).headsOn, [false, false, true, true]);
    assert.equal(await page.getAttribute('#heads-canvas', 'data-heads'), '2,3');
    const headsAfter = await canvasStats(page, '#heads-canvas');
    assert.ok(headsAfter.inked > 0.02, 'still draws the remaining heads');
    assert.notDeepEqual(headsAfter, headsBefore);
    assertClean(log);
    await context.close();
  });

  test('a 256-token input draws every view', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(6).slice(0, 256);
    await typeText(page, text);
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-t'), '256');
    for (const sel of ['#heads-canvas', '#matrix-canvas', '#model-panel canvas']) {
      const s = await canvasStats(page, sel);
      assert.ok(s.inked > 0.05, `${sel} looks blank at T=256: ${JSON.stringify(s)}`);
    }
    assert.ok(Number(await page.getAttribute('#heads-panel', 'data-group')) > 1, 'lines are grouped');
    await typeText(page, `${text}!`);
    assert.match(await page.textContent('#error'), /257 tokens is longer than the model's maximum of 256/);
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-t'), '256', 'the last good trace stays drawn');
    await page.screenshot({ path: shotPath('gpt-256'), fullPage: true });
    assertClean(log);
    await context.close();
  });
});

describe('shipped models', () => {
  test('every model in models/index.json loads and draws its example', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    for (const entry of INDEX) {
      const showing = await page.$eval('#model-select', (sel) => sel.value);
      if (showing !== `shipped:${entry.file}`) await pickModel(page, entry.file);
      assert.equal(await page.inputValue('#text-input'), entry.example, entry.file);
      assert.ok(await page.isHidden('#error'), `${entry.file}: ${await page.textContent('#error')}`);
      assert.equal(await page.getAttribute('body', 'data-arch'), entry.arch);
      const T = await page.evaluate(() => window.glasswing.lastTrace.ids.length);
      assert.equal(await page.getAttribute('#tokens', 'data-t'), String(T));
      const canvases = entry.arch === 'gpt2' ? ['#heads-canvas', '#matrix-canvas', '#model-panel canvas'] : ['#hidden-panel canvas'];
      for (const sel of canvases) {
        const s = await canvasStats(page, sel);
        assert.ok(s.inked > 0.02 && s.colours > 10, `${entry.file} ${sel} looks blank: ${JSON.stringify(s)}`);
      }
      await page.screenshot({ path: shotPath(`model-${entry.file.replace('.safetensors', '')}`), fullPage: true });
    }
    assertClean(log);
    await context.close();
  });
});

describe('RNN', () => {
  test('hidden-state heatmaps and bars draw for both shipped RNNs', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    await pickModel(page, 'rnn-untrained.safetensors');
    assert.equal(await page.getAttribute('body', 'data-arch'), 'rnn');
    assert.ok(await page.isHidden('#matrix-panel'));
    assert.ok(await page.isVisible('#hidden-panel'));
    assert.equal(await page.inputValue('#text-input'), 'hello world');
    assert.equal(await page.locator('#hidden-panel canvas').count(), 2);
    for (const l of [0, 1]) {
      const s = await canvasStats(page, `#hidden-panel canvas[data-layer="${l}"]`);
      assert.ok(s.inked > 0.3 && s.colours > 50, `layer ${l} heatmap looks blank: ${JSON.stringify(s)}`);
    }
    const shape = await page.evaluate(() => window.glasswing.lastTrace.hidden.shape);
    assert.deepEqual(shape, [2, 11, 64]);
    assert.equal(await page.locator('#bars-panel .bar').count(), 11);
    await page.click('#tokens .chip[data-pos="3"]');
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.equal(await page.getAttribute('#bars-panel', 'data-pos'), '3');
    assert.match(await page.textContent('#bars-panel .actual'), /“o”/);
    await page.screenshot({ path: shotPath('rnn-en'), fullPage: true });

    await pickModel(page, 'book-rnn-32-64.safetensors');
    assert.equal(await page.inputValue('#text-input'), '我爱你。');
    assert.deepEqual(await page.evaluate(() => window.glasswing.lastTrace.hidden.shape), [1, 4, 64]);
    assert.deepEqual(await page.evaluate(() => window.glasswing.lastTrace.probs.shape), [4, 1000]);
    // Each softmax row sums to 1, as the chapter says.
    const sums = await page.evaluate(() => {
      const { data, shape: [T, V] } = window.glasswing.lastTrace.probs;
      return Array.from({ length: T }, (_, t) => data.subarray(t * V, (t + 1) * V).reduce((a, b) => a + b, 0));
    });
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-4);
    await typeText(page, '我爱你我爱你');
    assert.equal(await page.getAttribute('#hidden-panel', 'data-t'), '6');
    assertClean(log);
    await context.close();
  });
});

describe('opening files', () => {
  test('a corrupt file shows a readable error and the page keeps working', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    await page.setInputFiles('#file-input', { name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not a checkpoint at all') });
    await page.waitForSelector('#error:not([hidden])');
    const msg = await page.textContent('#error .error-text');
    assert.match(msg, /Could not open broken\.safetensors: not a valid safetensors file/);
    assert.equal(await page.getAttribute('#error', 'role'), 'alert');
    // The shipped model is still showing and still retraces.
    assert.equal(await page.$eval('#model-select', (s) => s.value), 'shipped:gpt-untrained.safetensors');
    await typeText(page, 'still works');
    assert.equal(await page.getAttribute('#tokens', 'data-t'), '11');
    assert.ok((await canvasStats(page, '#matrix-canvas')).inked > 0.05);
    await page.screenshot({ path: shotPath('error-corrupt'), fullPage: true });
    await page.click('#error .error-close');
    assert.ok(await page.isHidden('#error'));
    // Only real failures reach the console: none here.
    assertClean(log);
    await context.close();
  });

  test('a Hugging Face GPT-2 loads with its config.json through the file input', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    const dir = join(FIXTURES, 'gpt_hf_save_pretrained');
    // Without its config the model cannot be read: a readable error.
    await page.setInputFiles('#file-input', [join(dir, 'model.safetensors')]);
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /config\.json/);

    const n = await traceCount(page);
    await page.setInputFiles('#file-input', [join(dir, 'model.safetensors'), join(dir, 'config.json')]);
    await page.waitForFunction((k) => window.glasswing.traceCount > k, n);
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.ok(await page.isHidden('#error'));
    const info = await page.evaluate(() => window.glasswing.info);
    assert.equal(info.arch, 'gpt2');
    assert.equal(info.vocab, null);
    assert.equal(info.config.n_head, 2);
    assert.match(await page.$eval('#model-select', (s) => s.selectedOptions[0].textContent), /Your file: model\.safetensors/);
    assert.equal(await page.textContent('#text-label'), 'Token ids');
    assert.equal(await page.inputValue('#text-input'), '0, 1, 2, 3');
    await typeText(page, '3, 1, 4, 1, 5');
    assert.deepEqual(await page.evaluate(() => window.glasswing.lastTrace.tokens), ['3', '1', '4', '1', '5']);
    assert.deepEqual(await page.evaluate(() => window.glasswing.lastTrace.attention.shape), [2, 2, 5, 5]);
    assert.equal(await page.locator('#model-panel button.thumb').count(), 4);
    await page.screenshot({ path: shotPath('hf-ids'), fullPage: true });

    await typeText(page, '3, x');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /“x” is not one/);
    await typeText(page, '3, 99');
    assert.match(await page.textContent('#error'), /token id 99 at position 2 is out of range/);
    assert.deepEqual(await page.evaluate(() => window.glasswing.lastTrace.tokens), ['3', '1', '4', '1', '5'], 'last good trace kept');

    // Back to a shipped model from the picker.
    await pickModel(page, 'gpt-untrained.safetensors');
    assert.equal(await page.textContent('#text-label'), 'Input text');
    assert.ok(await page.isHidden('#error'));
    assertClean(log);
    await context.close();
  });

  test('dropping a .safetensors onto the page opens it', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    const bytes = [...readFileSync(join(FIXTURES, 'gpt_l2_h4_zh.safetensors'))];
    const n = await traceCount(page);
    await page.evaluate((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'gpt_l2_h4_zh.safetensors'));
      const main = document.querySelector('main');
      main.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
      if (document.querySelector('#drop-overlay').hidden) throw new Error('no drop overlay');
      main.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await page.waitForFunction((k) => window.glasswing.traceCount > k, n);
    assert.ok(await page.isHidden('#drop-overlay'));
    assert.equal(await page.evaluate(() => window.glasswing.info.metadata.title), 'fixture gpt_l2_h4_zh');
    await typeText(page, '我喜欢在深夜的星空下');
    assert.equal(await page.getAttribute('#tokens', 'data-t'), '10');
    assert.deepEqual(await page.evaluate(() => window.glasswing.lastTrace.attention.shape), [2, 4, 10, 10]);
    assertClean(log);
    await context.close();
  });
});

describe('safety and language', () => {
  test('markup typed into the box is shown as text and runs nothing', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    const evil = '<img src=x onerror=alert(1)>';
    await typeText(page, evil);
    assert.equal(await page.getAttribute('#tokens', 'data-t'), String(evil.length));
    const shown = await page.$$eval('#tokens .chip .tok', (els) => els.map((e) => e.textContent).join(''));
    assert.equal(shown, evil.replaceAll(' ', '␣'));
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('[onerror]').count(), 0);
    assert.match(await page.textContent('#bars-panel .bars-after'), /“>”/);
    await page.waitForTimeout(200);
    assert.deepEqual(log.dialogs, []);
    assert.ok(!log.requests.some((u) => u.endsWith('/x')), 'no request for the image');
    assertClean(log);
    await context.close();
  });

  test('an unknown character is a readable error; the last trace stays until the text is fixed', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    await typeText(page, 'café');
    assert.match(await page.textContent('#input-check'), /“é” \(position 4\)/);
    assert.equal(await page.getAttribute('#tokens', 'data-t'), String(UNTRAINED.example.length), 'the previous trace is still drawn');
    assert.ok((await canvasStats(page, '#matrix-canvas')).inked > 0.05);
    await page.click('.lang-switch button[data-lang="zh"]');
    assert.match(await page.textContent('#input-check'), /“é”（位置 4）/);
    await page.click('.lang-switch button[data-lang="en"]');
    await typeText(page, 'cafe');
    assert.ok(await page.isHidden('#error'));
    assert.ok(await page.isHidden('#input-check'));
    assert.equal(await page.getAttribute('#tokens', 'data-t'), '4');
    assertClean(log);
    await context.close();
  });

  test('the language switch relabels the page', async () => {
    const { page, log, context } = await openPage(browser, gptUrl());
    assert.equal(await page.textContent('#matrix-panel h2'), 'Attention matrix');
    await page.click('.lang-switch button[data-lang="zh"]');
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.textContent('#matrix-panel h2'), '注意力矩阵');
    assert.equal(await page.textContent('#heads-panel h2'), '注意力头视图');
    assert.equal(await page.textContent('#text-label'), '输入文本');
    assert.equal(await page.$eval('#model-select', (s) => s.selectedOptions[0].textContent), UNTRAINED.title_zh);
    assert.match(await page.textContent('#bars-panel .entropy'), /熵：?.*纳特 = .*比特/);
    assert.equal(await page.getAttribute('#model-panel .thumb-row', 'title'), '第 1 层');
    assert.equal(await page.textContent('#model-desc'), UNTRAINED.description_zh);
    await page.screenshot({ path: shotPath('gpt-zh'), fullPage: true });
    // The choice survives a reload.
    await page.reload();
    await page.evaluate(() => window.glasswing.ready);
    assert.equal(await page.textContent('#matrix-panel h2'), '注意力矩阵');
    await page.click('.lang-switch button[data-lang="en"]');
    assert.equal(await page.textContent('#matrix-panel h2'), 'Attention matrix');
    assert.equal(await page.textContent('#text-label'), 'Input text');
    assertClean(log);
    await context.close();
  });

  test('a wasm that cannot start is reported in the page, not a blank screen', async () => {
    const { page, context, log } = await openPage(browser, null);
    await context.route('**/glasswing_bg.wasm', (route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: 'not wasm' }));
    await page.goto(`${origin}/`);
    await page.evaluate(() => window.glasswing.ready);
    assert.ok(await page.isVisible('#error'));
    assert.match(await page.textContent('#error'), /The model engine could not start: .+/);
    assert.equal(await page.textContent('#matrix-panel h2'), 'Attention matrix', 'labels are still there');
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });

  test('every static label has both languages', async () => {
    const { DICTS } = await import('../../www/js/i18n.js');
    assert.deepEqual(Object.keys(DICTS.zh).sort(), Object.keys(DICTS.en).sort());
    const html = readFileSync(new URL('../../www/index.html', import.meta.url), 'utf8');
    for (const [, key] of html.matchAll(/data-i18n="(\w+)"/g)) assert.ok(key in DICTS.en, `missing label ${key}`);
  });
});

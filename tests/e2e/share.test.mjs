// Tests for sharing, embedding and exports: links in the location hash
// (www/js/share/link.js, share/explorer.js), embed.html and <glasswing-view>
// (www/glasswing-view.js), the Export menu's PNG, SVG, standalone HTML and
// JSON (share/menu.js, exports.js, svg.js, tracejson.js) and the example post
// (www/examples/induction-heads.html). One server and browser for the file.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { assertClean as assertPageClean, canvasStats, openPage, ROOT, shotPath, useBrowser, WWW } from './helpers.mjs';
import { formatLink, hashKeys, intCodec, mergePatch, parseLink, registerHashKey } from '../../www/js/share/link.js';
import { f32, fillTemplate, traceJson } from '../../www/js/share/tracejson.js';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));
const CLI = join(ROOT, 'target', 'release', 'glasswing');
const TEXT = 'qxmwbkz|qxmwbk';
const INDUCTION = 'induction-gpt.safetensors';

const assertClean = (log) => assertPageClean(log, origin, { failed: false, http: false });

const hashOf = (params) => `#${new URLSearchParams(params).toString()}`;
const state = (page) => page.evaluate(() => ({ ...window.glasswing.state }));
const drawn = (page) => page.evaluate(() => window.glasswing.nextDraw());

/** The RGB at the centre of matrix cell (i, j), read from the explorer's canvas. */
function matrixPixel(page, i, j, sel = '#matrix-canvas') {
  return page.$eval(sel, (c, [i, j]) => {
    const { left, top, cell } = c.dataset;
    const dpr = c.width / parseFloat(c.style.width);
    const x = Math.floor((Number(left) + (j + 0.5) * Number(cell)) * dpr);
    const y = Math.floor((Number(top) + (i + 0.5) * Number(cell)) * dpr);
    return Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3));
  }, [i, j]);
}
const darkness = ([r, g, b]) => 765 - r - g - b;

// ---- the link format, in Node ---------------------------------------------

describe('link format', () => {
  test('a view round-trips through the hash; defaults stay out of it', () => {
    const s = {
      lang: 'zh', view: 'matrix', layer: 1, head: 2, headsOn: [true, false, true, true], pos: 8, topK: 5,
      sampler: { greedy: false, temperature: 0.7, top_k: 5, top_p: null, min_p: 0.05, seed: 42 }, lesson: 3, palette: 'contrast',
    };
    const hash = formatLink({ model: INDUCTION, text: 'a b|&中文' }, s);
    // People count from 1 in links: the store's layer 1, head 2, position 8 and step 3 are the 2nd, 3rd, 9th and 4th.
    const sp = new URLSearchParams(hash);
    assert.deepEqual([sp.get('layer'), sp.get('head'), sp.get('pos'), sp.get('lesson')], ['2', '3', '9', '4']);
    const back = parseLink(`#${hash}`);
    assert.equal(back.model, INDUCTION);
    assert.equal(back.text, 'a b|&中文');
    assert.deepEqual(back.bad, []);
    assert.deepEqual(back.patch, {
      view: 'matrix', layer: 1, head: 2, headsOn: [true, false, true, true], pos: 8, topK: 5, lang: 'zh',
      sampler: { temperature: 0.7, top_k: 5, min_p: 0.05, seed: 42 }, lesson: 3, palette: 'contrast',
    });
    const merged = mergePatch({ sampler: { greedy: true, temperature: 1, top_k: null, top_p: 0.9, min_p: null, seed: 0 } }, back.patch);
    assert.deepEqual(merged.sampler, { greedy: true, temperature: 0.7, top_k: 5, top_p: 0.9, min_p: 0.05, seed: 42 });
    // Defaults (all heads on, k 10, temperature 1, seed 0, no filters, standard palette) are left out.
    const plain = formatLink({ model: INDUCTION, text: 'ab' }, { lang: 'en', layer: 0, head: 0, headsOn: [true, true], pos: null, topK: 10,
      sampler: { greedy: false, temperature: 1, top_k: null, top_p: null, min_p: null, seed: 0 }, palette: 'standard' });
    assert.equal(plain, 'model=induction-gpt.safetensors&text=ab&layer=1&head=1&lang=en');
  });

  test('malformed fields are reported and ignored, the rest applies', () => {
    const link = parseLink('#model=../evil.js&text=ok&layer=abc&head=-1&pos=1.5&view=nope&lang=fr&k=0&heads=12&temp=99&top_p=0&seed=7&top_k=3&junk=%E0%A4%A&lesson=<b>');
    assert.equal(link.model, undefined);
    assert.equal(link.text, 'ok');
    assert.deepEqual(new Set(link.bad), new Set(['model', 'layer', 'head', 'pos', 'view', 'lang', 'k', 'heads', 'temp', 'top_p', 'lesson']));
    assert.deepEqual(link.patch, { sampler: { top_k: 3, seed: 7 } }); // the good sampler fields survive
    assert.deepEqual(parseLink('').patch, {});
    // 0 is no layer, head, position or step: they count from 1.
    assert.deepEqual(new Set(parseLink('#layer=0&head=0&pos=0&lesson=0').bad), new Set(['layer', 'head', 'pos', 'lesson']));
    assert.deepEqual(parseLink('#layer=1&head=4&pos=12&lesson=heads').patch, { layer: 0, head: 3, pos: 11, lesson: 'heads' });
    assert.deepEqual(parseLink('#%%%&&==').bad, []);
    const long = parseLink(`#text=${'a'.repeat(5000)}`);
    assert.equal(long.text.length, 4000);
    assert.deepEqual(long.bad, ['text']);
  });

  test('any store key can join links through the registry', () => {
    registerHashKey('testZoom', intCodec('zoom', { min: 1, max: 4, omit: 1 }));
    try {
      assert.ok(hashKeys().includes('testZoom'));
      assert.match(formatLink({}, { testZoom: 3 }), /(^|&)zoom=3(&|$)/);
      assert.equal(formatLink({}, { testZoom: 1 }), '');
      assert.equal(parseLink('#zoom=2').patch.testZoom, 2);
      assert.deepEqual(parseLink('#zoom=9').bad, ['zoom']);
    } finally {
      registerHashKey('testZoom', { params: [], read() { return undefined; }, write() {} });
    }
  });

  test('trace JSON writes shortest f32 numbers; the template is filled by position', () => {
    assert.deepEqual([0.1, 0.0006883446, 1 / 3, 0, 1].map((x) => f32(Math.fround(x))), ['0.1', '0.0006883446', '0.33333334', '0', '1']);
    const trace = {
      arch: 'gpt2', ids: new Uint32Array([0, 1]), tokens: ['</script>', '/*RENDERER*/'],
      probs: { data: new Float32Array([0.25, 0.75, 0.5, 0.5]), shape: [2, 2] },
      attention: { data: new Float32Array([1, 0, 0.5, 0.5]), shape: [1, 1, 2, 2] }, hidden: null,
    };
    const json = traceJson(trace, { title: 't', text: 'x', vocab: null });
    assert.deepEqual(JSON.parse(json), {
      title: 't', text: 'x', vocab: null, arch: 'gpt2', ids: [0, 1], tokens: ['</script>', '/*RENDERER*/'],
      probs: [[0.25, 0.75], [0.5, 0.5]], attention: [[[[1, 0], [0.5, 0.5]]]], hidden: null,
    });
    const html = fillTemplate('<a>/*TRACE_JSON*/</a><b>/*RENDERER*/</b>', 'R();', json);
    assert.equal((html.match(/<\/script>/g) ?? []).length, 0, 'no raw </script> from the data');
    assert.ok(html.endsWith('<b>R();</b>'));
    assert.ok(html.includes('"/*RENDERER*/"'), 'a placeholder inside the data is left alone');
  });
});

// ---- the explorer ---------------------------------------------------------

describe('explorer links', () => {
  test('a link restores model, text, layer, head, heads, position, view, k and language', async () => {
    // Layer 2, head 3, position 9, as people count: indices 1, 2 and 8.
    const hash = hashOf({ model: INDUCTION, text: TEXT, view: 'matrix', layer: 2, head: 3, heads: '1011', pos: 9, k: 5, lang: 'zh', temp: 0.5, seed: 7 });
    const { page, log, context } = await openPage(browser, `${origin}/${hash}`);
    await drawn(page);
    const s = await state(page);
    assert.equal(s.modelKey, `shipped:${INDUCTION}`);
    assert.deepEqual([s.layer, s.head, s.pos, s.topK, s.lang, s.view], [1, 2, 8, 5, 'zh', 'matrix']);
    assert.deepEqual(s.headsOn, [true, false, true, true]);
    assert.deepEqual(s.sampler, { greedy: false, temperature: 0.5, top_k: null, top_p: null, min_p: null, seed: 7 }, 'sampler settings travel too');
    assert.equal(await page.inputValue('#text-input'), TEXT);
    // Drawn data: 14 chips, the matrix of layer 2 head 3, the bars at position 8, heads 1, 3, 4 in the head view.
    assert.equal(await page.locator('#tokens .chip').count(), TEXT.length);
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-layer'), '1');
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-head'), '2');
    assert.equal(await page.getAttribute('#heads-canvas', 'data-heads'), '0,2,3');
    assert.equal(await page.getAttribute('#bars-panel', 'data-pos'), '8');
    assert.equal(await page.locator('#bars-panel .bar').count(), 6, 'top 5 and "other"');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    // Layer 2 heads attend from the second q (row 8) to x (column 1), the induction step.
    const w = await page.evaluate(() => {
      const a = window.glasswing.lastTrace.attention;
      const [, H, T] = a.shape;
      return [a.data[(1 * H + 2) * T * T + 8 * T + 1], a.data[(1 * H + 2) * T * T + 8 * T + 5]];
    });
    assert.ok(w[0] > 0.9 && w[1] < 0.05, `attention ${w}`);
    assert.ok(darkness(await matrixPixel(page, 8, 1)) > darkness(await matrixPixel(page, 8, 5)) + 300);
    // The hash was read, not rewritten into something else.
    assert.deepEqual(parseLink(await page.evaluate(() => location.hash)), parseLink(hash));
    await page.locator('#matrix-panel').screenshot({ path: shotPath('share-link-restored') });
    assertClean(log);
    await context.close();
  });

  test('a malformed link shows what it could and says what it left out', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/#model=nope.safetensors&text=zzz&layer=abc&pos=-3&lang=fr&view=x&temp=99`);
    await drawn(page);
    const s = await state(page);
    assert.ok(s.modelKey?.startsWith('shipped:'), 'a shipped model is shown');
    assert.equal(s.layer, 0);
    assert.equal(s.pos, null);
    assert.ok(['en', 'zh'].includes(s.lang));
    const note = await page.textContent('.link-note');
    for (const part of ['nope.safetensors', 'layer', 'pos', 'lang', 'view', 'temp']) assert.ok(note.includes(part), `note names ${part}: ${note}`);
    // The text belonged to the missing model: the shown model's own example is used instead.
    assert.notEqual(await page.inputValue('#text-input'), 'zzz');
    assert.ok((await canvasStats(page, '#heads-canvas')).inked > 0.01, 'the page still draws');
    await page.click('.link-note-close');
    assert.equal(await page.locator('.link-note').count(), 0);
    assertClean(log);
    await context.close();
  });

  test('changing the view rewrites the hash without adding history; a model switch adds one entry and Back returns', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/${hashOf({ model: INDUCTION, text: TEXT, lang: 'en' })}`);
    await drawn(page);
    const hist0 = await page.evaluate(() => history.length);
    const hashHas = (params) => page.waitForFunction((p) => {
      const sp = new URLSearchParams(location.hash.slice(1));
      return Object.entries(p).every(([k, v]) => sp.get(k) === v);
    }, params);

    await page.click('#matrix-panel .layer-picker button[data-index="1"]');
    await hashHas({ layer: '2', view: 'matrix' }); // the second layer: links count from 1
    await page.click('#matrix-panel .head-picker button[data-index="3"]');
    await hashHas({ head: '4' });
    await page.click('#tokens .chip[data-pos="9"]');
    await hashHas({ pos: '10' });
    await page.click('#heads-panel .head-toggles input[data-head="1"]');
    await hashHas({ heads: '1011', view: 'heads' });
    await page.fill('#text-input', 'abcd|abc');
    await hashHas({ text: 'abcd|abc' });
    await page.click('.lang-switch button[data-lang="zh"]');
    await hashHas({ lang: 'zh' });
    assert.equal(await page.evaluate(() => history.length), hist0, 'no history entries for view changes');

    // A model switch is one deliberate step: one entry, and Back brings the old model and text back.
    const before = await page.evaluate(() => window.glasswing.traceCount);
    await page.selectOption('#model-select', 'shipped:reverse-gpt.safetensors');
    await page.waitForFunction((n) => window.glasswing.traceCount > n, before);
    await hashHas({ model: 'reverse-gpt.safetensors' });
    assert.equal(await page.evaluate(() => history.length), hist0 + 1);
    await page.evaluate(() => history.back());
    await page.waitForFunction(() => window.glasswing.state.modelKey === 'shipped:induction-gpt.safetensors'
      && document.querySelector('#text-input').value === 'abcd|abc');
    await drawn(page);
    const s = await state(page);
    assert.deepEqual([s.layer, s.head, s.pos, s.lang], [1, 3, 7, 'zh'], 'the view comes back, position clamped to the shorter text');
    assert.equal(await page.getAttribute('#tokens', 'data-t'), '8');
    assertClean(log);
    await context.close();
  });
  test('a model from the user\'s own file stays out of the link, and the menu says so', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/${hashOf({ model: INDUCTION, text: TEXT, layer: 1, lang: 'en' })}`);
    await drawn(page);
    const before = await page.evaluate(() => window.glasswing.traceCount);
    await page.setInputFiles('#file-input', join(ROOT, 'tests', 'fixtures', 'gpt_l2_h4_zh.safetensors'));
    await page.waitForFunction((n) => window.glasswing.traceCount > n && window.glasswing.state.modelKey.startsWith('user:'), before);
    await page.waitForFunction(() => !new URLSearchParams(location.hash.slice(1)).has('model'));
    await page.click('#share-menu summary');
    assert.equal(await page.isVisible('#share-menu .share-note'), true);
    assert.match(await page.textContent('#share-menu .share-note'), /your own file/);
    assert.ok(!(await page.inputValue('#share-link')).includes('model='));
    assert.ok(!(await page.inputValue('#share-element')).includes('model='));
    // Shipped again: the note goes away and the model is back in the link.
    await page.selectOption('#model-select', `shipped:${INDUCTION}`);
    await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get('model') === 'induction-gpt.safetensors');
    await page.click('#share-menu summary');
    await page.click('#share-menu summary');
    assert.equal(await page.isVisible('#share-menu .share-note'), false);
    assertClean(log);
    await context.close();
  });
});

// ---- exports --------------------------------------------------------------

/** Opens the Share menu, picks `view`, clicks the export button, returns the downloaded file. */
async function exportFile(page, kind, view) {
  if (!(await page.evaluate(() => document.querySelector('#share-menu').open))) await page.click('#share-menu summary');
  if (view) await page.selectOption('#share-view', view);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#share-menu button[data-act="${kind}"]`)]);
  const path = await download.path();
  return { name: download.suggestedFilename(), path, bytes: readFileSync(path) };
}

/** Parses SVG text in the page; -> counts, texts and a few attributes. */
function inspectSvg(page, svg) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const err = doc.querySelector('parsererror');
    return {
      error: err ? err.textContent : null,
      root: doc.documentElement.nodeName,
      width: Number(doc.documentElement.getAttribute('width')),
      height: Number(doc.documentElement.getAttribute('height')),
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
      tokTexts: [...doc.querySelectorAll('text.tok')].map((t) => t.textContent),
      lines: [...doc.querySelectorAll('line')].map((l) => ({
        head: l.getAttribute('data-head'), o: Number(l.getAttribute('stroke-opacity')), group: l.parentNode.getAttribute('class'),
      })),
      rects: doc.querySelectorAll('rect').length,
      bars: [...doc.querySelectorAll('rect[data-p]')].map((r) => Number(r.getAttribute('data-p'))),
    };
  }, svg);
}

describe('exports', () => {
  test('SVG of the head view, matrix and bars: tokens as text, one line per visible weight, one rect per cell', async () => {
    // Layer 2, head 2, position 9 (indices 1, 1, 8): the chosen position stays in focus in the figures.
    const { page, log, context } = await openPage(browser, `${origin}/${hashOf({ model: INDUCTION, text: TEXT, layer: 2, head: 2, heads: '1101', pos: 9, lang: 'en' })}`);
    await drawn(page);
    const expected = await page.evaluate(() => {
      const a = window.glasswing.lastTrace.attention;
      const [, H, T] = a.shape;
      const per = [0, 0, 0, 0];
      for (let h = 0; h < H; h++) for (let i = 0; i < T; i++) for (let j = 0; j <= i; j++) if (a.data[(1 * H + h) * T * T + i * T + j] >= 0.01) per[h]++;
      return per;
    });
    const heads = await exportFile(page, 'svg', 'heads');
    assert.match(heads.name, /^induction-gpt-heads-L2-P9\.svg$/);
    const h = await inspectSvg(page, heads.bytes.toString('utf8'));
    assert.equal(h.error, null);
    assert.equal(h.root, 'svg');
    for (const ch of new Set(TEXT)) assert.ok(h.tokTexts.includes(ch), `token ${ch} is text`);
    assert.equal(h.tokTexts.length, 2 * TEXT.length, 'both columns');
    const count = [0, 1, 2, 3].map((k) => h.lines.filter((l) => l.head === String(k) && l.group === 'lines').length);
    assert.deepEqual(count, [expected[0], expected[1], 0, expected[3]], 'head 3 is toggled off');

    const matrix = await inspectSvg(page, (await exportFile(page, 'svg', 'matrix')).bytes.toString('utf8'));
    assert.equal(matrix.error, null);
    const T = TEXT.length;
    assert.ok(matrix.rects >= (T * (T + 1)) / 2 && matrix.rects < (T * (T + 1)) / 2 + 10, `${matrix.rects} rects`);
    assert.ok(matrix.texts.some((s) => s.includes('Layer 2, head 2')));

    const bars = await inspectSvg(page, (await exportFile(page, 'svg', 'bars')).bytes.toString('utf8'));
    const p = await page.evaluate(() => {
      const pr = window.glasswing.lastTrace.probs;
      return pr.data[8 * pr.shape[1] + window.glasswing.info.vocab.indexOf('x')];
    });
    assert.ok(Math.abs(bars.bars[0] - p) < 1e-6, 'the first bar is p(x | ..q)');
    assert.equal(bars.bars.length, 11, 'top 10 and "other"');
    assert.ok(bars.texts.includes('x'));

    // PNG: the same picture at twice the size (head view lines drawn by LineRaster, in colour).
    const decode = (bytes) => page.evaluate(async (b64) => {
      const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext('2d');
      ctx.drawImage(bmp, 0, 0);
      const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
      let ink = 0;
      let colour = 0;
      for (let k = 0; k < d.length; k += 4) {
        if (d[k] < 200 || d[k + 1] < 200) ink++;
        if (Math.max(d[k], d[k + 1], d[k + 2]) - Math.min(d[k], d[k + 1], d[k + 2]) > 60) colour++;
      }
      return { w: bmp.width, h: bmp.height, ink: ink / (d.length / 4), colour: colour / (d.length / 4) };
    }, bytes.toString('base64'));
    const headsPng = await decode((await exportFile(page, 'png', 'heads')).bytes);
    assert.deepEqual([headsPng.w, headsPng.h], [2 * h.width, 2 * h.height]);
    // (The chosen position's lines at full strength, the others faint: less colour than with every line.)
    assert.ok(headsPng.colour > 0.002, `head-coloured lines in the PNG: ${headsPng.colour}`);
    const png = await exportFile(page, 'png', 'matrix');
    assert.equal(png.bytes.subarray(1, 4).toString('latin1'), 'PNG');
    const img = await decode(png.bytes);
    assert.equal(img.w, 2 * matrix.width);
    assert.equal(img.h, 2 * matrix.height);
    assert.ok(img.ink > 0.05, `PNG ink ${img.ink}`);
    writeFileSync(shotPath('share-export-matrix'), png.bytes);
    writeFileSync(shotPath('share-export-heads').replace(/png$/, 'svg'), heads.bytes);
    assert.match(await page.textContent('.share-status'), /Saved induction-gpt-matrix-L2H2-P9\.png/);
    assertClean(log);
    await context.close();
  });

  test('SVG escapes markup in tokens (RNN hidden state and bars)', async () => {
    const text = 'a<b&"c\'</text>';
    const { page, log, context } = await openPage(browser, `${origin}/${hashOf({ model: 'book-rnn-32-64.safetensors', text, lang: 'en' })}`);
    await drawn(page);
    assert.equal(await page.getAttribute('body', 'data-arch'), 'rnn');
    const hidden = await inspectSvg(page, (await exportFile(page, 'svg', 'hidden')).bytes.toString('utf8'));
    assert.equal(hidden.error, null);
    assert.deepEqual(hidden.tokTexts, [...text], 'every token, unescaped by the parser');
    const [L, T, D] = await page.evaluate(() => window.glasswing.lastTrace.hidden.shape);
    assert.ok(hidden.rects >= L * T * D && hidden.rects < L * T * D + 10, `one rect per step and unit: ${hidden.rects}`);
    const bars = await inspectSvg(page, (await exportFile(page, 'svg', 'bars')).bytes.toString('utf8'));
    assert.equal(bars.error, null);
    assert.ok(bars.texts.some((s) => s.includes('“>”')), 'the bars title names the last token');
    assertClean(log);
    await context.close();
  });

  test('JSON equals the CLI\'s trace --json; the standalone HTML opens from disk with the network blocked and responds', async () => {
    const text = 'a/*RENDERER*/</script>b';
    const model = 'book-rnn-32-64.safetensors';
    const { page, log, context } = await openPage(browser, `${origin}/${hashOf({ model, text, lang: 'en' })}`);
    await drawn(page);
    const json = JSON.parse((await exportFile(page, 'json')).bytes.toString('utf8'));
    assert.deepEqual(Object.keys(json), ['arch', 'ids', 'tokens', 'token_bytes', 'probs', 'attention', 'hidden']);
    assert.equal(json.tokens.join(''), text);
    if (existsSync(CLI)) {
      const cli = JSON.parse(execFileSync(CLI, ['trace', '--model', join(WWW, 'models', model), '--text', text, '--json'], { maxBuffer: 1 << 28 }));
      assert.deepEqual(json.ids, cli.ids);
      assert.deepEqual(json.tokens, cli.tokens);
      assert.deepEqual(json.token_bytes, cli.token_bytes);
      let worst = 0;
      json.probs.forEach((row, t) => row.forEach((p, v) => { worst = Math.max(worst, Math.abs(p - cli.probs[t][v])); }));
      json.hidden.flat(2).forEach((x, k) => { worst = Math.max(worst, Math.abs(x - cli.hidden.flat(2)[k])); });
      assert.ok(worst < 1e-5, `wasm and native differ by ${worst}`);
    }

    const html = await exportFile(page, 'html');
    assert.match(html.name, /\.html$/);
    const dir = mkdtempSync(join(tmpdir(), 'glasswing-'));
    const file = join(dir, 'trace.html');
    writeFileSync(file, html.bytes);
    await context.close();
    await openStandalone(file, { text, tokens: json.tokens, rnn: true });
  });

  test('the standalone HTML of a GPT trace redraws on hover and head toggles, offline', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/${hashOf({ model: INDUCTION, text: TEXT, lang: 'en' })}`);
    await drawn(page);
    const html = await exportFile(page, 'html');
    const file = join(mkdtempSync(join(tmpdir(), 'glasswing-')), 'gpt.html');
    writeFileSync(file, html.bytes);
    assertClean(log);
    await context.close();
    await openStandalone(file, { text: TEXT, tokens: [...TEXT], rnn: false });
  });
});

/** Opens an exported page from disk with every network request aborted; checks it draws and responds. */
async function openStandalone(file, { text, tokens, rnn }) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const requests = [];
  await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
  const page = await context.newPage();
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => window.glasswingStandalone);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'no network');
  const data = await page.evaluate(() => ({ tokens: window.glasswingStandalone.trace.tokens, text: window.glasswingStandalone.trace.text }));
  assert.deepEqual(data.tokens, tokens);
  assert.equal(data.text, text);
  assert.equal(await page.locator('.chip').count(), tokens.length);
  const canvas = rnn ? '#hidden' : '#heads';
  const pixels = () => page.$eval(canvas, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let k = 0; k < d.length; k += 7) h = (h * 31 + d[k]) % 1e9;
    return h;
  });
  assert.ok((await canvasStats(page, canvas)).inked > 0.02, 'the trace is drawn');
  const p0 = await pixels();
  await page.hover('.chip[data-pos="2"]');
  assert.equal(await page.evaluate(() => window.glasswingStandalone.state.hover), 2);
  assert.notEqual(await pixels(), p0, 'hover redraws');
  assert.match(await page.textContent('#bars-title'), /position 3/);
  if (!rnn) {
    await page.mouse.move(0, 0);
    await page.locator('.chip').first().dispatchEvent('mouseleave');
    const p1 = await pixels();
    await page.uncheck('input[data-head="0"]');
    assert.equal(await page.evaluate(() => window.glasswingStandalone.state.heads[0]), false);
    assert.notEqual(await pixels(), p1, 'a head toggle redraws');
  }
  await page.screenshot({ path: shotPath(`share-standalone-${rnn ? 'rnn' : 'gpt'}`) });
  await context.close();
}

// ---- embedding ------------------------------------------------------------

const viewOf = (page, sel = 'glasswing-view') => page.$eval(sel, (el) => ({
  ...el.state, drawCount: el.drawCount, error: el.error, t: el.trace?.ids.length, view: el.dataset.view,
}));

describe('embedding', () => {
  test('embed.html fills its frame with the hash\'s view, links back with the same state, and follows clicks', async () => {
    const context = await browser.newContext({ viewport: { width: 720, height: 470 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const hash = hashOf({ model: INDUCTION, text: TEXT, view: 'heads', layer: 2, pos: 9, lang: 'zh' }); // indices 1 and 8
    await page.goto(`${origin}/embed.html${hash}`);
    await page.waitForFunction(() => document.querySelector('glasswing-view').drawCount > 0);
    const s = await viewOf(page);
    assert.deepEqual([s.layer, s.pos, s.view, s.lang, s.t], [1, 8, 'heads', 'zh', TEXT.length]);
    const stats = await canvasStats(page, 'glasswing-view .gv-heads canvas');
    assert.ok(stats.inked > 0.03 && stats.colours > 20, `head view drawn: ${JSON.stringify(stats)}`);
    const fit = await page.evaluate(() => ({ doc: document.documentElement.scrollHeight, win: innerHeight, docW: document.documentElement.scrollWidth, winW: innerWidth }));
    assert.ok(fit.doc <= fit.win && fit.docW <= fit.winW, `no page scrollbars: ${JSON.stringify(fit)}`);
    const scroller = await page.$eval('glasswing-view .gv-heads .scroller', (e) => e.scrollHeight - e.clientHeight);
    assert.ok(scroller <= 1, `the head view fits without scrolling (${scroller}px over)`);
    const link = await page.$eval('glasswing-view .gv-open', (a) => ({ href: a.href, text: a.textContent }));
    assert.match(link.text, /在 Glasswing 中打开/);
    assert.equal(new URL(link.href).pathname, '/index.html');
    assert.deepEqual(parseLink(new URL(link.href).hash), parseLink(`${hash}&head=1`), 'the same view (head 1 spelled out)');
    await page.screenshot({ path: shotPath('share-embed-heads') });

    // A reader's click goes into the frame's hash and the link, without history entries.
    const h0 = await page.evaluate(() => history.length);
    await page.click('glasswing-view .layer-picker button[data-index="0"]');
    await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get('layer') === '1');
    assert.equal(await page.evaluate(() => history.length), h0);
    assert.equal(new URLSearchParams(new URL(await page.$eval('glasswing-view .gv-open', (a) => a.href)).hash.slice(1)).get('layer'), '1');

    // Matrix view: the square shrinks to the frame's height.
    await page.goto(`${origin}/embed.html${hashOf({ model: INDUCTION, text: TEXT, view: 'matrix', layer: 2, head: 2 })}`);
    await page.waitForFunction(() => document.querySelector('glasswing-view').drawCount > 1);
    const box = await page.$eval('glasswing-view .matrix-box', (b) => ({ over: b.scrollHeight - b.clientHeight, canvas: b.querySelector('canvas').dataset.head }));
    assert.equal(box.canvas, '1');
    assert.ok(box.over <= 1, `matrix fits (${box.over}px over)`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('<glasswing-view> from another folder: several elements share one worker, draw, react to attributes and show errors', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
    const page = await context.newPage();
    const requests = [];
    const errors = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(String(e)));
    // A page two folders down, loading the module and pointing one element at the models by `src`.
    await page.route(`${origin}/deep/er/page.html`, (route) => route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><script type="module" src="../../glasswing-view.js"></script>
        <glasswing-view id="a" model="${INDUCTION}" text="${TEXT}" view="heads" layer="2"></glasswing-view>
        <glasswing-view id="b" model="${INDUCTION}" src="../../models/" text="abc|ab" view="matrix" layer="1" head="3"></glasswing-view>
        <glasswing-view id="c" model="toy-rnn.safetensors" text="我看见了。" view="hidden" lang="zh"></glasswing-view>
        <glasswing-view id="d" model="missing.safetensors" view="bars"></glasswing-view>`,
    }));
    await page.goto(`${origin}/deep/er/page.html`);
    await page.waitForFunction(() => ['a', 'b', 'c', 'd'].every((id) => { const el = document.getElementById(id); return el.drawCount > 0 || el.error; }));
    assert.equal(page.workers().length, 1, 'one model worker for the whole page');
    assert.equal(requests.filter((u) => u.endsWith(`/models/${INDUCTION}`)).length, 1, 'the shared model is fetched once');
    for (const [sel, canvas] of [['#a', '#a .gv-heads canvas'], ['#b', '#b .gv-matrix canvas'], ['#c', '#c .hidden-layer canvas']]) {
      const stats = await canvasStats(page, canvas);
      assert.ok(stats.inked > 0.03 && stats.colours > 10, `${sel} draws: ${JSON.stringify(stats)}`);
    }
    const b = await viewOf(page, '#b');
    assert.deepEqual([b.layer, b.head, b.t], [0, 2, 6]);
    assert.equal(await page.getAttribute('#b .gv-matrix canvas', 'data-head'), '2');
    assert.match(await page.textContent('#c .hidden-layer figcaption'), /第 1 层/);
    const d = await viewOf(page, '#d');
    assert.match(d.error, /missing\.safetensors/);
    assert.equal(await page.getAttribute('#d', 'data-state'), 'error');

    // Attribute changes: layer, then text (retraced), then a bad text (error, last trace kept).
    await page.$eval('#a', (el) => el.setAttribute('layer', '1')); // the first layer: attributes count from 1
    await page.waitForFunction(() => document.getElementById('a').shadowRoot.querySelector('.gv-heads canvas').dataset.layer === '0');
    const n = await page.$eval('#a', (el) => el.drawCount);
    await page.$eval('#a', (el) => el.setAttribute('text', 'abcdef|abc'));
    await page.waitForFunction((k) => { const el = document.getElementById('a'); return el.drawCount > k && el.trace.ids.length === 10; }, n);
    assert.equal(await page.locator('#a .chip').count(), 10);
    await page.$eval('#a', (el) => el.setAttribute('text', 'ABC'));
    await page.waitForFunction(() => document.getElementById('a').error);
    assert.match(await page.textContent('#a .gv-error'), /unknown character 'A' \(U\+0041\) at position 1/);
    assert.equal(await page.locator('#a .chip').count(), 10, 'the last good trace stays');
    await page.$eval('#a', (el) => el.setAttribute('text', 'xy|x'));
    await page.waitForFunction(() => !document.getElementById('a').error && document.getElementById('a').trace.ids.length === 4);
    assert.equal(await page.isHidden('#a .gv-error'), true);
    // Keyboard: the chips are buttons; arrows move the position.
    await page.focus('#a .chip[data-pos="0"]');
    await page.keyboard.press('ArrowRight');
    assert.equal((await viewOf(page, '#a')).pos, 1);
    assert.equal(page.workers().length, 1);
    assert.deepEqual(requests.filter((u) => !u.startsWith(`${origin}/`)), []);
    assert.deepEqual(errors, []);
    await page.screenshot({ path: shotPath('share-elements'), fullPage: true });
    await context.close();
  });

  test('the example post works with every other origin blocked', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const blocked = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${origin}/examples/induction-heads.html`);
    await page.waitForFunction(() => [...document.querySelectorAll('glasswing-view')].every((v) => v.drawCount > 0));
    const frame = page.frames().find((f) => f.url().includes('/embed.html'));
    assert.ok(frame, 'the iframe loaded');
    await frame.waitForFunction(() => document.querySelector('glasswing-view')?.drawCount > 0);
    assert.ok((await canvasStats(frame, 'glasswing-view .gv-heads canvas')).inked > 0.03, 'the iframe draws');
    const views = await page.$$eval('glasswing-view', (els) => els.map((el) => ({ view: el.dataset.view, error: el.error, t: el.trace.ids.length })));
    assert.deepEqual(views.map((v) => v.view), ['matrix', 'matrix', 'bars', 'model']);
    assert.ok(views.every((v) => v.error === null));
    for (const sel of ['figure:nth-of-type(2) .gv-matrix canvas', 'figure:nth-of-type(3) .gv-matrix canvas', '#try-view .thumb canvas']) {
      assert.ok((await canvasStats(page, sel)).inked > 0.05, `${sel} draws`);
    }
    // The post's claims hold in the drawn data: second layer, head 2, from the second q to x.
    const w = await page.$eval('glasswing-view', (el) => { const a = el.trace.attention; const [, H, T] = a.shape; return a.data[(1 * H + 1) * T * T + 8 * T + 1]; });
    assert.ok(w > 0.9, `induction weight ${w}`);
    assert.equal(await page.$eval('glasswing-view[view="bars"]', (el) => el.shadowRoot.querySelector('.bars .bar-tok').textContent.trim().startsWith('x')), true);
    // "Try your own" retraces the last figure.
    await page.fill('#try-text', 'abcde|abc');
    await page.waitForFunction(() => document.querySelector('#try-view').trace.ids.length === 9);
    assert.equal(await page.locator('#try-view .thumb').count(), 8);
    assert.deepEqual(blocked, [], 'nothing asked for another origin');
    assert.deepEqual(errors, []);
    await page.screenshot({ path: shotPath('share-post'), fullPage: true });
    await context.close();
  });
});

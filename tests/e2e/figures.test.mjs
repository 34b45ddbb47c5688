// Figures for papers and posts (issue 10, item 9): a clicked token keeps its
// lines in focus in the head view; one head can be shown alone; heads are
// composited without a fixed order; exports keep the focus (hover or chosen
// position), so "one token's attention across heads" can be exported; the
// matrix SVG has axis titles; the standalone HTML opens on the exported view.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { assertClean, exportFile, openPage, shotPath, useBrowser } from './helpers.mjs';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));

const INDUCTION = 'induction-gpt.safetensors';
const TEXT = 'qxmwbkz|qxmwbk';
const Q2 = 8; // the second q (position 9 as people count): the induction step
const drawn = (page) => page.evaluate(() => window.glasswing.nextDraw());
const open = (hash, viewport) => openPage(browser, `${origin}/#model=${INDUCTION}&text=${encodeURIComponent(TEXT)}&lang=en${hash}`, viewport ? { viewport } : undefined);

/** A cheap fingerprint of a canvas's pixels. */
const pixels = (page, sel) => page.$eval(sel, (c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let k = 0; k < d.length; k += 3) h = (h * 31 + d[k]) % 1e9;
  return h;
});

/** An SVG's line groups, texts and marked rects, parsed in the page. */
const inspect = (page, svg) => page.evaluate((text) => {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const lines = (cls) => [...doc.querySelectorAll(`g.${cls} line`)].map((l) => ({
    head: Number(l.getAttribute('data-head')), o: Number(l.getAttribute('stroke-opacity')),
    y1: Number(l.getAttribute('y1')), y2: Number(l.getAttribute('y2')),
  }));
  return {
    error: doc.querySelector('parsererror')?.textContent ?? null,
    title: doc.querySelector('text').textContent, // the figure's heading
    lines: lines('lines'), focus: lines('focus-lines'),
    axes: [...doc.querySelectorAll('text.axis-title')].map((t) => t.textContent),
    focusRects: [...doc.querySelectorAll('rect.focus-row, rect.focus-col, rect.focus-band')].map((r) => r.getAttribute('class')),
  };
}, svg);

describe('focus on a token, a head alone', () => {
  test('clicking a token keeps its lines in the head view until it is clicked again', async () => {
    const { page, log, context } = await open('&view=heads&layer=2');
    await drawn(page);
    const all = await pixels(page, '#heads-canvas');
    assert.equal(await page.getAttribute('#heads-canvas', 'data-focus'), '');
    await page.click(`#tokens .chip[data-pos="${Q2}"]`);
    await page.mouse.move(1, 1); // the pointer leaves: the chosen token keeps the focus
    await drawn(page);
    assert.equal(await page.getAttribute('#heads-canvas', 'data-focus'), String(Q2));
    assert.notEqual(await pixels(page, '#heads-canvas'), all, 'the head view shows that token\'s lines');
    assert.equal(await page.isVisible('#heads-panel .head-focus'), true);
    assert.equal(await page.textContent('#heads-panel .head-focus span'), 'Showing the lines of “q” (position 9) at full strength.');
    // The chips shade what the chosen token attends to (x, the induction target), with no pointer on them.
    const att = await page.$eval('#tokens .chip[data-pos="1"]', (c) => Number(c.style.getPropertyValue('--att')));
    assert.ok(att > 0.9, `x is shaded: ${att}`);
    await page.locator('#heads-panel').screenshot({ path: shotPath('figures-focus') });
    // Clicking it again lets go; so does "Show every line".
    await page.click(`#tokens .chip[data-pos="${Q2}"]`);
    await page.mouse.move(1, 1);
    await drawn(page);
    assert.equal(await page.getAttribute('#heads-canvas', 'data-focus'), '');
    assert.equal(await pixels(page, '#heads-canvas'), all);
    await page.click('#tokens .chip[data-pos="3"]');
    await page.mouse.move(1, 1);
    await page.click('#heads-panel .head-unfocus');
    await drawn(page);
    assert.equal(await page.evaluate(() => window.glasswing.state.pos), null);
    assert.equal(await page.getAttribute('#heads-canvas', 'data-focus'), '');
    assertClean(log, origin);
    await context.close();
  });

  test('one head alone; it follows the focused head; all heads again', async () => {
    const { page, log, context } = await open('&view=heads&layer=2&head=2');
    await drawn(page);
    assert.equal(await page.textContent('#heads-panel .head-solo'), 'Only head 2');
    await page.click('#heads-panel .head-solo');
    await drawn(page);
    assert.deepEqual(await page.evaluate(() => window.glasswing.state.headsOn), [false, true, false, false]);
    assert.equal(await page.getAttribute('#heads-canvas', 'data-heads'), '1');
    await page.waitForFunction(() => /heads=0100/.test(location.hash)); // a link keeps it
    assert.equal(await page.textContent('#heads-panel .head-solo'), 'All heads');
    // Another head, from the matrix's picker: the head view shows that one alone.
    await page.click('#matrix-panel .head-picker button[data-index="3"]');
    await drawn(page);
    assert.deepEqual(await page.evaluate(() => window.glasswing.state.headsOn), [false, false, false, true]);
    await page.locator('#heads-panel').screenshot({ path: shotPath('figures-head-alone') });
    await page.click('#heads-panel .head-solo');
    await drawn(page);
    assert.deepEqual(await page.evaluate(() => window.glasswing.state.headsOn), [true, true, true, true]);
    assert.equal(await page.textContent('#heads-panel .head-solo'), 'Only head 4');
    assertClean(log, origin);
    await context.close();
  });

  test('head colours are composited without a fixed order', async () => {
    const { page, log, context } = await open('');
    const same = await page.evaluate(async () => {
      const { LineRaster } = await import('./js/lines.js');
      const draw = (order) => {
        const r = new LineRaster(40, 20);
        for (const [rgb, a] of order) { r.begin(rgb); r.line(0, 10, 40, 10, a, 4); }
        return Array.from(r.toImageData().data.slice((10 * 40 + 20) * 4, (10 * 40 + 20) * 4 + 4));
      };
      const blue = [[0, 114, 178], 0.9];
      const orange = [[230, 159, 0], 0.6];
      return { ab: draw([blue, orange]), ba: draw([orange, blue]) };
    });
    for (let c = 0; c < 4; c++) assert.ok(Math.abs(same.ab[c] - same.ba[c]) <= 1, `same pixel either way: ${same.ab} vs ${same.ba}`);
    assert.ok(same.ab[2] > same.ab[0], 'the stronger (blue) line weighs more');
    assertClean(log, origin);
    await context.close();
  });
});

describe('exports keep the focus', () => {
  test('one token\'s attention across heads: SVG and PNG of the head view; the matrix with its row, column and axis titles', async () => {
    const { page, log, context } = await open('&view=heads&layer=2');
    await drawn(page);
    await page.click(`#tokens .chip[data-pos="${Q2}"]`);
    await page.mouse.move(1, 1);
    await drawn(page);
    const heads = await exportFile(page, 'svg', 'heads');
    assert.equal(heads.name, 'induction-gpt-heads-L2-P9.svg');
    const h = await inspect(page, heads.text);
    assert.equal(h.error, null);
    assert.match(h.title, /Layer 2 · focus on “q” \(position 9\)/);
    assert.deepEqual(h.focusRects, ['focus-band', 'focus-band']);
    // Every head's lines out of and into the second q, at full strength; the rest faint.
    const att = await page.evaluate((q) => {
      const a = window.glasswing.lastTrace.attention;
      const [, H, T] = a.shape;
      const out = [];
      for (let hh = 0; hh < H; hh++) {
        let n = 0;
        for (let j = 0; j <= q; j++) if (a.data[(1 * H + hh) * T * T + q * T + j] >= 0.01) n++;
        for (let i = q + 1; i < T; i++) if (a.data[(1 * H + hh) * T * T + i * T + q] >= 0.01) n++;
        out.push(n);
      }
      return out;
    }, Q2);
    assert.deepEqual([0, 1, 2, 3].map((k) => h.focus.filter((l) => l.head === k).length), att, 'every head has its own focus lines');
    assert.ok(Math.max(...h.lines.map((l) => l.o)) <= 0.13, 'the other lines are dimmed');
    assert.ok(Math.max(...h.focus.map((l) => l.o)) > 0.9);
    // Lines that coincide are laid side by side: the heads' lines to x start at different heights.
    const toX = h.focus.filter((l) => l.o > 0.5 && l.y1 < l.y2 + 1e9).map((l) => l.y1);
    assert.ok(new Set(toX.map((y) => y.toFixed(1))).size >= 2, `focus lines apart: ${toX}`);
    // Weakest first across heads: no head is always on top.
    const order = h.lines.map((l) => l.o);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    writeFileSync(shotPath('figures-export-heads').replace(/png$/, 'svg'), heads.bytes);

    const png = await exportFile(page, 'png', 'heads');
    assert.equal(png.name, 'induction-gpt-heads-L2-P9.png');
    writeFileSync(shotPath('figures-export-heads'), png.bytes);

    const matrix = await exportFile(page, 'svg', 'matrix');
    const m = await inspect(page, matrix.text);
    assert.deepEqual(m.axes, ['Columns: the token looked at (key) →', 'Rows: the token that looks (query) →']);
    assert.deepEqual(m.focusRects.sort(), ['focus-col', 'focus-row']);
    writeFileSync(shotPath('figures-export-matrix').replace(/png$/, 'svg'), matrix.bytes);
    await page.click('.lang-switch button[data-lang="zh"]');
    const zh = await inspect(page, (await exportFile(page, 'svg', 'matrix')).text);
    assert.deepEqual(zh.axes, ['列：被看的词元（键 key） →', '行：正在“看”的词元（查询 query） →']);
    assertClean(log, origin);
    await context.close();
  });

  test('a hovered token is kept too; without a focus the figure is the plain one', async () => {
    const { page, log, context } = await open('&view=matrix&layer=2&head=2');
    await drawn(page);
    const plain = await inspect(page, (await exportFile(page, 'svg', 'heads')).text);
    assert.deepEqual([plain.focus.length, plain.focusRects.length], [0, 0]);
    assert.ok(Math.max(...plain.lines.map((l) => l.o)) > 0.9, 'full-strength lines without a focus');
    await page.click('#share-menu summary'); // closed
    await page.evaluate(() => window.glasswing.store.set({ hover: 3 })); // as a pointer or a focused chip leaves it
    const hovered = await exportFile(page, 'svg', 'matrix');
    assert.equal(hovered.name, 'induction-gpt-matrix-L2H2-P4.svg');
    assert.match((await inspect(page, hovered.text)).title, /focus on “w” \(position 4\)/);
    assertClean(log, origin);
    await context.close();
  });

  test('the standalone HTML opens on the exported layer, heads and position, counting from 1', async () => {
    const { page, log, context } = await open('&view=heads&layer=2&heads=1011');
    await drawn(page);
    await page.click(`#tokens .chip[data-pos="${Q2}"]`);
    await page.mouse.move(1, 1);
    const html = await exportFile(page, 'html');
    assertClean(log, origin);
    await context.close();

    const file = join(mkdtempSync(join(tmpdir(), 'glasswing-')), 'figure.html');
    writeFileSync(file, html.bytes);
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    await ctx.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    const standalone = await ctx.newPage();
    const errors = [];
    standalone.on('pageerror', (e) => errors.push(String(e)));
    await standalone.goto(pathToFileURL(file).href);
    await standalone.waitForFunction(() => window.glasswingStandalone);
    const s = await standalone.evaluate(() => ({ ...window.glasswingStandalone.state }));
    assert.deepEqual([s.layer, s.heads, s.selected, s.focus], [1, [true, false, true, true], Q2, Q2]);
    assert.equal(await standalone.$eval('#layer', (sel) => sel.selectedOptions[0].textContent), '2');
    assert.deepEqual(await standalone.$$eval('#layer option', (os) => os.map((o) => o.textContent)), ['1', '2']);
    assert.deepEqual(await standalone.$$eval('#controls label', (ls) => ls.map((l) => l.textContent.trim())), ['Layer 12', 'head 1', 'head 2', 'head 3', 'head 4']);
    assert.match(await standalone.textContent('#bars-title'), /“q” \(position 9\)/);
    assert.equal(await standalone.getAttribute(`.chip[data-pos="${Q2}"]`, 'aria-pressed'), 'true');
    await standalone.screenshot({ path: shotPath('figures-standalone') });
    assert.deepEqual(errors, []);
    await ctx.close();
  });
});

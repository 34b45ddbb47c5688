// One numbering for people (issue 10, item 3): positions, layers, heads and
// hidden units count from 1 wherever people read or write them: token chips,
// readouts, the bars, screen-reader labels, the Generate panel, links,
// <glasswing-view> attributes and the embed code. Machine formats (trace
// JSON, data-* attributes, the store) keep 0-based indices. The standalone
// HTML and SVG exports are checked in figures.test.mjs, errors in
// hardening*.test.mjs and explorer.test.mjs.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClean, openPage, useBrowser } from './helpers.mjs';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));

const INDUCTION = 'induction-gpt.safetensors';
const TEXT = 'qxmwbkz|qxmwbk';
const drawn = (page) => page.evaluate(() => window.glasswing.nextDraw());

/** Moves the pointer over matrix cell (i, j) of `sel` (0-based), from the canvas's own geometry. */
async function hoverCell(page, i, j, sel = '#matrix-canvas') {
  const at = await page.$eval(sel, (c, [i, j]) => {
    const r = c.getBoundingClientRect();
    const { left, top, cell } = c.dataset;
    return [r.left + Number(left) + (j + 0.5) * Number(cell), r.top + Number(top) + (i + 0.5) * Number(cell)];
  }, [i, j]);
  await page.mouse.move(at[0], at[1]);
  await drawn(page);
}

describe('the explorer counts from 1', () => {
  test('chips, the bars, the matrix readout, screen-reader labels and the Generate panel', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/#model=${INDUCTION}&text=${encodeURIComponent(TEXT)}&layer=2&head=2&lang=en`);
    await drawn(page);
    assert.deepEqual(await page.$$eval('#tokens .chip .idx', (xs) => xs.map((x) => x.textContent)), Array.from({ length: 14 }, (_, i) => String(i + 1)));
    assert.deepEqual(await page.$$eval('#tokens .chip', (xs) => xs.map((x) => x.dataset.pos).slice(0, 2)), ['0', '1'], 'data attributes stay indices');
    assert.equal(await page.textContent('#bars-panel .bars-after'), 'After “k” (position 14) the model predicts:');
    await hoverCell(page, 8, 1);
    assert.match(await page.textContent('#matrix-panel .readout'), /^“q” \(position 9\) → “x” \(position 2\): 0\.\d{3}$/);
    await page.mouse.move(1, 1);
    await drawn(page);
    assert.match(await page.getAttribute('#matrix-canvas', 'aria-label'), /^Attention matrix, layer 2, head 2, 14 by 14\. Row “k” \(position 14\) attends most to “.” \(position \d+, /);
    const detail = await page.getAttribute('#heads-canvas', 'aria-label');
    assert.ok(!/\(position 0[,)]/.test(detail), detail);
    // The Generate panel: the new token's position and where each head looks.
    await page.waitForFunction(() => document.querySelector('.gen-step-summary li'));
    assert.match(await page.textContent('.gen-step-title'), /\(position 14\)/);
    const most = await page.$$eval('.gen-step-summary li', (ls) => ls.map((l) => [l.textContent, Number(l.dataset.best)]));
    for (const [text, best] of most) assert.ok(text.includes(`@${best + 1} `), `${text} names position ${best + 1}`);
    assertClean(log, origin);
    await context.close();
  });

  test('the hidden state: steps and units from 1', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/#model=book-rnn-32-64.safetensors&text=${encodeURIComponent('我爱你。')}&lang=en`);
    await drawn(page);
    const at = await page.$eval('#hidden-panel canvas[data-layer="0"]', (c) => {
      const r = c.getBoundingClientRect();
      return [r.left + r.width - 14, r.top + 30]; // the first row, the last unit
    });
    await page.mouse.move(at[0], at[1]);
    await drawn(page);
    assert.match(await page.textContent('#hidden-panel .readout'), /^Step 1 “我”, unit 64: -?\d\.\d{3}$/);
    assert.match(await page.getAttribute('#hidden-panel canvas', 'aria-label'), /After “。” \(step 4\)/);
    assertClean(log, origin);
    await context.close();
  });

  test('links count from 1: layer=1 is the first layer; the view is written back the same way', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/#model=${INDUCTION}&text=${encodeURIComponent(TEXT)}&layer=1&head=1&pos=1&lang=en`);
    await drawn(page);
    let s = await page.evaluate(() => ({ ...window.glasswing.state }));
    assert.deepEqual([s.layer, s.head, s.pos], [0, 0, 0]);
    assert.equal(await page.textContent('#bars-panel .bars-after'), 'After “q” (position 1) the model predicts:');
    await page.click('#matrix-panel .layer-picker button[data-index="1"]');
    await page.click('#matrix-panel .head-picker button[data-index="3"]');
    await page.click('#tokens .chip[data-pos="13"]');
    await page.waitForFunction(() => { const p = new URLSearchParams(location.hash.slice(1)); return p.get('layer') === '2' && p.get('head') === '4' && p.get('pos') === '14'; });
    s = await page.evaluate(() => ({ ...window.glasswing.state }));
    assert.deepEqual([s.layer, s.head, s.pos], [1, 3, 13]);
    // The embed code says the same, as attributes people write.
    await page.click('#share-menu summary');
    const element = await page.inputValue('#share-element');
    assert.match(element, / layer="2" head="4" pos="14"/);
    assert.match(await page.inputValue('#share-iframe'), /layer=2&amp;head=4&amp;pos=14/);
    await context.close();

    // layer=0 is no layer: reported, and the rest of the link applies.
    const bad = await openPage(browser, `${origin}/#model=${INDUCTION}&text=${encodeURIComponent(TEXT)}&layer=0&head=3&lang=en`);
    await drawn(bad.page);
    assert.equal(await bad.page.evaluate(() => window.glasswing.state.head), 2);
    assert.match(await bad.page.textContent('.link-note'), /layer/);
    assertClean(log, origin);
    await bad.context.close();
  });
});

describe('<glasswing-view> counts from 1', () => {
  test('layer, head and pos attributes; its link; embed.html', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.route(`${origin}/post/numbers.html`, (route) => route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><script type="module" src="../glasswing-view.js"></script>
        <glasswing-view id="first" model="${INDUCTION}" text="${TEXT}" view="matrix" layer="1" head="1" pos="1"></glasswing-view>
        <glasswing-view id="second" model="${INDUCTION}" text="${TEXT}" view="matrix" layer="2" head="4" pos="9"></glasswing-view>`,
    }));
    await page.goto(`${origin}/post/numbers.html`);
    await page.waitForFunction(() => ['first', 'second'].every((id) => document.getElementById(id).drawCount > 0));
    const state = (id) => page.$eval(`#${id}`, (el) => [el.state.layer, el.state.head, el.state.pos]);
    assert.deepEqual(await state('first'), [0, 0, 0]);
    assert.deepEqual(await state('second'), [1, 3, 8]);
    assert.equal(await page.$eval('#second', (el) => el.shadowRoot.querySelector('.gv-matrix canvas').dataset.layer), '1');
    const link = new URLSearchParams(await page.$eval('#second', (el) => el.linkHash));
    assert.deepEqual([link.get('layer'), link.get('head'), link.get('pos')], ['2', '4', '9']);
    assert.deepEqual(errors, []);

    // embed.html reads the explorer's link: layer=2 is the second layer.
    await page.goto(`${origin}/embed.html#model=${INDUCTION}&text=${encodeURIComponent(TEXT)}&view=heads&layer=2&pos=9`);
    await page.waitForFunction(() => document.querySelector('glasswing-view').drawCount > 0);
    assert.deepEqual(await page.$eval('glasswing-view', (el) => [el.state.layer, el.state.pos, el.getAttribute('layer'), el.getAttribute('pos')]), [1, 8, '2', '9']);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

// Drawing only what changed and what shows (issue 13 goal 3): a retrace
// draws the views on screen in its frame and leaves the others for after it
// (www/js/later.js); the head view draws the bands of rows on screen first
// and goes on from a kept prefix when only the last tokens changed; token
// chips for an unchanged start stay the same DOM nodes. Each shortcut must
// give the very pixels and text that drawing everything afresh gives.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClean, openPage, useBrowser } from './helpers.mjs';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));

const TEXT = 'The quick brown fox jumps over the lazy dog. '.repeat(6).slice(0, 255); // 255 tokens
const url = () => `${origin}/?model=gpt-untrained.safetensors`;
// 256 chips push the views down: the head view shows its first rows, the thumbnails none.
const WINDOW = { width: 1600, height: 1000 };

/** The head view's and the thumbnails' pixels, and the chips' text. */
function pictures(page) {
  return page.evaluate(() => ({
    heads: document.querySelector('#heads-canvas').toDataURL(),
    thumbs: [...document.querySelectorAll('#model-panel canvas')].map((c) => c.toDataURL()),
    matrix: document.querySelector('#matrix-canvas').toDataURL(),
    chips: [...document.querySelectorAll('#tokens .chip')].map((c) => `${c.dataset.pos}:${c.textContent}:${c.title}`).join('|'),
  }));
}

/** A page that draws `text` from nothing (its first trace is the model's example). */
async function fresh(text, viewport = WINDOW) {
  const opened = await openPage(browser, url(), { viewport });
  await opened.page.evaluate((s) => window.glasswing.retrace(s), text);
  return opened;
}

describe('drawing what shows and what changed', () => {
  test('a view off screen is drawn after the frame, the same as on screen', async () => {
    const { page, log, context } = await openPage(browser, url(), { viewport: WINDOW });
    // 255 tokens first, so the page is laid out as it will be (the views seen off screen).
    await page.evaluate(async (s) => {
      await window.glasswing.retrace(s);
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
    }, TEXT);
    // Right after the frame (before idle time): the thumbnails are not drawn yet.
    const frame = await page.evaluate(async (s) => {
      const input = document.querySelector('#text-input');
      input.value = s;
      const before = document.querySelector('#model-panel .thumb-grid').dataset.t; // 255
      const retraced = window.glasswing.retrace();
      // The frame that draws the new trace: the one after the trace arrives.
      while (window.glasswing.lastTrace.ids.length !== 256) await window.glasswing.nextFrame();
      const now = { deferred: window.glasswing.deferred, before, t: document.querySelector('#model-panel .thumb-grid').dataset.t, bands: document.querySelector('#heads-panel').dataset.bands };
      await retraced;
      return { ...now, after: document.querySelector('#model-panel .thumb-grid').dataset.t, bandsAfter: document.querySelector('#heads-panel').dataset.bands };
    }, `${TEXT}x`);
    // The interpretability view is always drawn in the frame (it changes the other views).
    assert.deepEqual(frame.deferred, ['model'], 'the thumbnails are off screen: left for after the frame');
    assert.equal(frame.t, frame.before, 'not drawn in the frame');
    assert.equal(frame.after, '256', 'drawn after it');
    const [drawn, all] = frame.bands.split('/').map(Number);
    assert.ok(drawn > 0 && drawn < all, `the head view's rows on screen only, in the frame (${frame.bands} bands)`);
    assert.equal(frame.bandsAfter, `${all}/${all}`, 'the other rows after it');
    const later = await pictures(page);

    // Scrolled into view, the thumbnails are drawn in the frame, and the same.
    await page.locator('#model-panel').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => !window.glasswing.deferred.includes('model'));
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.ok((await pictures(page)).thumbs.every((x, i) => x === later.thumbs[i]), 'drawn on screen as they were off screen');

    // A window tall enough to show everything draws it all in the frame: the same pictures.
    const tall = await fresh(`${TEXT}x`, { width: WINDOW.width, height: 3000 });
    assert.deepEqual(await tall.page.evaluate(() => window.glasswing.deferred), []);
    assert.equal(await tall.page.getAttribute('#heads-panel', 'data-reused'), '0');
    const whole = await pictures(tall.page);
    assert.ok(later.heads === whole.heads, 'the head view, drawn in bands, is the head view drawn at once');
    assert.ok(later.thumbs.every((x, i) => x === whole.thumbs[i]), 'the thumbnails drawn later are the thumbnails drawn at once');
    assertClean(log, origin);
    assertClean(tall.log, origin);
    await tall.context.close();
    await context.close();
  });

  test('typing at the end redraws only what changed: the same pixels, the same chips', async () => {
    const { page, log, context } = await openPage(browser, url(), { viewport: WINDOW });
    // Every state the head view draws in (bands going on from a prefix, or not);
    // the model reads at most 256 tokens.
    // 250 -> 253 tokens adds a group of lines (6 tokens a group): bands go on
    // from their prefix and keep a new one further on.
    const steps = [`${TEXT}`, `${TEXT}x`, `${TEXT}y`, `${TEXT.slice(0, 253)}ab`, TEXT.slice(0, 250), TEXT.slice(0, 253), `Q${TEXT.slice(1)}`];
    for (const [k, text] of steps.entries()) {
      const r = await page.evaluate(async (s) => {
        const chips = [...document.querySelectorAll('#tokens .chip')];
        chips.forEach((c, i) => { c.marked = i; }); // an expando survives only on the same node
        await window.glasswing.retrace(s);
        const now = [...document.querySelectorAll('#tokens .chip')];
        return {
          kept: now.filter((c, i) => c.marked === i).length,
          reused: Number(document.querySelector('#heads-panel').dataset.reused),
          T: now.length,
        };
      }, text);
      const mine = await pictures(page);
      const other = await fresh(text);
      const theirs = await pictures(other.page);
      assert.equal(r.T, text.length, `step ${k}: traced`);
      // (Compared as booleans: the pictures are long data URLs.)
      assert.ok(mine.chips === theirs.chips, `step ${k}: the chips are the chips of a fresh page`);
      assert.ok(mine.heads === theirs.heads, `step ${k}: the head view is drawn as by a fresh page`);
      assert.ok(mine.matrix === theirs.matrix, `step ${k}: the matrix too`);
      assert.ok(mine.thumbs.every((x, i) => x === theirs.thumbs[i]), `step ${k}: and the thumbnails`);
      await other.context.close();
      // What was kept: the chips and head-view bands the change left alone.
      const unchanged = { 1: 255, 2: 255, 3: 253, 5: 250 }[k]; // chips before the first change
      if (unchanged) {
        assert.equal(r.kept, unchanged, `step ${k}: the unchanged chips are the same nodes`);
        assert.ok(r.reused > 0, `step ${k}: the head view went on from its prefixes (${r.reused} bands)`);
      }
      if (k === 6) {
        assert.equal(r.kept, 0, 'a change at the start keeps no chip');
        assert.equal(r.reused, 0, 'nor any prefix');
      }
    }
    assertClean(log, origin);
    await context.close();
  });

  test("a hovered token's lines, drawn where the last hover's were, are a fresh hover's", async () => {
    // A trained model's peaked heads: a token's lines reach a few rows, so
    // each hover touches other rows than the last.
    const text = 'qxmwzbtr|qxmwzbtr';
    const open = async () => {
      const opened = await openPage(browser, `${origin}/?model=induction-gpt.safetensors`, { viewport: WINDOW });
      await opened.page.evaluate((s) => window.glasswing.retrace(s), text);
      return opened;
    };
    const hover = (page, seq) => page.evaluate(async (positions) => {
      for (const hover of positions) {
        window.glasswing.store.set({ hover });
        await window.glasswing.nextDraw();
      }
      return document.querySelector('#heads-canvas').toDataURL();
    }, seq);
    const { page, log, context } = await open();
    const walked = await hover(page, [15, 2, null, 16, 11]); // 11 reaches fewer rows than 2 and 16
    const other = await open();
    const direct = await hover(other.page, [11]);
    assert.ok(walked === direct, 'no line of an earlier hover is left');
    assert.ok(await hover(page, [null]) === await hover(other.page, [null]), 'and none once the pointer leaves');
    assertClean(log, origin);
    await other.context.close();
    await context.close();
  });
});

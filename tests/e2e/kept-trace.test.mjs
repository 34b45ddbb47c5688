// Traces the worker keeps (issue 11 item 5): above a size, the attention
// [L,H,T,T] and probabilities [T,V] stay in the worker and the views ask for
// the layer and the distribution they draw (www/js/tracedata.js). Here every
// trace is kept (keepAbove = 0) on a shipped model, so the small suite runs
// the path GPT-2 small takes at 512 tokens: every view draws the same pixels
// as from the whole trace, a layer switch fetches and redraws, exports equal
// the whole trace's, and a replaced trace is freed in the worker.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClean, exportFile, openPage, useBrowser } from './helpers.mjs';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));

const TEXT = 'glasswing|glass';

/** Every view's pixels and text, once nothing is on its way from the worker and two frames agree. */
async function views(page) {
  let last = null;
  for (let k = 0; k < 6; k++) {
    await page.waitForFunction(() => !document.querySelector('[data-loading="true"]'));
    const now = await drawn(page);
    if (last && JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  return last;
}

function drawn(page) {
  return page.evaluate(async () => {
    await window.glasswing.nextDraw();
    const url = (sel) => document.querySelector(sel).toDataURL();
    return {
      heads: url('#heads-canvas'),
      matrix: url('#matrix-canvas'),
      thumbs: [...document.querySelectorAll('#model-panel canvas')].map((c) => c.toDataURL()),
      bars: document.querySelector('#bars-panel .bars').textContent,
      shaded: [...document.querySelectorAll('#tokens .chip')].map((c) => c.getAttribute('style') ?? '').join('|'),
      a11y: document.querySelector('#matrix-canvas').getAttribute('aria-label'),
    };
  });
}

/** Retraces TEXT with traces kept above `bytes` (0: every trace is kept). */
async function retrace(page, bytes) {
  await page.evaluate(async ([b, text]) => {
    window.glasswing.keepAbove = b;
    await window.glasswing.retrace(`${text}x`);
    await window.glasswing.retrace(text);
  }, [bytes, TEXT]);
}

describe('a trace the worker keeps', () => {
  test('draws, exports and frees exactly as a whole trace', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/#model=induction-gpt.safetensors&text=${encodeURIComponent(TEXT)}&lang=en`);
    const states = [{ layer: 0, head: 0, pos: null, hover: null }, { layer: 1, head: 2, pos: 9, hover: null }, { layer: 1, head: 3, pos: 9, hover: 12 }];
    const whole = [];
    const kept = [];
    for (const [mode, out] of [[Infinity, whole], [0, kept]]) {
      await retrace(page, mode);
      const trace = await page.evaluate(() => ({ kept: window.glasswing.lastTrace.kept ?? null, data: Boolean(window.glasswing.lastTrace.attention.data) }));
      assert.equal(trace.data, mode === Infinity, 'a kept trace has no attention array on the page');
      assert.equal(trace.kept !== null, mode === 0);
      for (const s of states) {
        await page.evaluate((st) => window.glasswing.store.set(st), s);
        out.push({ ...(await views(page)), svg: (await exportFile(page, 'svg', 'heads')).text, bars: (await exportFile(page, 'svg', 'bars')).text });
      }
      out.push({ json: (await exportFile(page, 'json')).text, model: (await exportFile(page, 'svg', 'model')).text });
      await page.evaluate(() => window.glasswing.store.set({ layer: 0, head: 0, pos: null, hover: null }));
    }
    for (const [k, w] of whole.entries()) {
      for (const key of Object.keys(w)) assert.deepEqual(kept[k][key], w[key], `state ${k}: ${key} differs between a kept and a whole trace`);
    }
    assert.ok(whole[0].heads !== whole[1].heads, 'the states draw different pictures');

    // The trace a retrace replaces is gone from the worker; the new one answers.
    const freed = await page.evaluate(async () => {
      const old = window.glasswing.lastTrace.kept;
      await window.glasswing.retrace('glasswing|gla');
      const now = window.glasswing.lastTrace.kept;
      const ask = (traceId) => window.glasswing.engine.call('traceSlice', { traceId, layer: 0 }).then(() => 'ok', (e) => e.message);
      return { old: await ask(old), now: await ask(now), differ: old !== now };
    });
    assert.ok(freed.differ);
    assert.match(freed.old, /no kept trace/);
    assert.equal(freed.now, 'ok');
    assertClean(log, origin);
    await context.close();
  });
});

// Common screen sizes (issue 10, item 8): a phone (390×844), a projector
// (1024×768, 1280×720) and a laptop (1366×768). At each, every panel fits the
// screen and every element fits its panel, except inside a box that scrolls
// and says so (js/overflow.js: a fade and a line of text, since phones and
// many desktops hide scrollbars); the page is never wider than the screen.
// Checked for a GPT (with the Generate panel), a 12-head GPT (the all-heads
// grid cannot fit a phone), an RNN, and the Train panel after training on
// pasted text. At 1280×720 the first screen reaches the views.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClean, openOwnModel, openPage, shotPath, tinyGpt, useBrowser } from './helpers.mjs';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));

const SIZES = [[390, 844], [1024, 768], [1280, 720], [1366, 768]];
const drawn = (page) => page.evaluate(() => window.glasswing.nextDraw());

/** Everything that sticks out of its panel or the screen, and every box that scrolls without saying so. */
function layoutProblems(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const out = [];
    const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const says = (box) => {
      const hint = box.nextElementSibling;
      return box.dataset.overflow && hint?.classList.contains('scroll-hint') && !hint.hidden && hint.getBoundingClientRect().height > 0;
    };
    if (document.documentElement.scrollWidth > vw + 1) out.push(`the page is ${document.documentElement.scrollWidth}px wide on a ${vw}px screen`);
    const panels = [...document.querySelectorAll('main .panel')].filter(shown);
    for (const panel of panels) {
      const p = panel.getBoundingClientRect();
      if (p.right > vw + 1 || p.left < -1) out.push(`${name(panel)} is off the screen (${Math.round(p.left)}..${Math.round(p.right)})`);
      for (const el of panel.querySelectorAll('*')) {
        if (!shown(el)) continue;
        const b = el.getBoundingClientRect();
        if (b.width === 0 || b.height === 0 || (b.right <= p.right + 1 && b.left >= p.left - 1)) continue;
        // Inside a box that clips (fine) or scrolls (fine if it says so)?
        let ok = false;
        for (let a = el.parentElement; a && a !== panel; a = a.parentElement) {
          const ox = getComputedStyle(a).overflowX;
          if (ox === 'hidden' || ox === 'clip') { ok = true; break; }
          if (ox === 'auto' || ox === 'scroll') { ok = says(a); break; }
        }
        if (!ok && getComputedStyle(el).position === 'absolute' && getComputedStyle(el).clip !== 'auto') ok = true; // screen-reader-only text
        if (!ok) out.push(`${name(el)} sticks out of ${name(panel)}: ${Math.round(b.left)}..${Math.round(b.right)}, panel ${Math.round(p.left)}..${Math.round(p.right)}`);
      }
      // Boxes that scroll, either way, say so.
      for (const box of [panel, ...panel.querySelectorAll('*')]) {
        if (!shown(box) || ['TEXTAREA', 'SELECT', 'INPUT'].includes(box.tagName)) continue;
        const cs = getComputedStyle(box);
        const sx = /auto|scroll/.test(cs.overflowX) && box.scrollWidth > box.clientWidth + 1;
        const sy = /auto|scroll/.test(cs.overflowY) && box.scrollHeight > box.clientHeight + 1;
        if ((sx || sy) && !says(box)) out.push(`${name(box)} scrolls (${box.scrollWidth}×${box.scrollHeight} in ${box.clientWidth}×${box.clientHeight}) without saying so`);
      }
    }
    return out;
  });
}

async function checkSize(page, label) {
  await page.waitForTimeout(150); // overflow hints follow ResizeObserver callbacks
  const problems = await layoutProblems(page);
  await page.screenshot({ path: shotPath(`sizes-${label}`), fullPage: true });
  assert.deepEqual(problems, [], `${label}: ${problems.join('\n')}`);
}

describe('every view fits or visibly scrolls', () => {
  for (const [w, h] of SIZES) {
    test(`${w}×${h}: a GPT with the Generate panel, a 12-head GPT, an RNN`, async () => {
      const { page, log, context } = await openPage(browser, `${origin}/#model=induction-gpt.safetensors&lang=en`, { viewport: { width: w, height: h } });
      await drawn(page);
      await page.waitForFunction(() => document.querySelector('.gen-step-summary li'));
      await checkSize(page, `${w}x${h}-gpt`);
      // The all-heads grid fits its column: its last head is inside the panel, or the grid says it scrolls.
      const grid = await page.$eval('#model-panel .thumb-grid', (g) => ({ over: g.scrollWidth - g.clientWidth, says: g.dataset.overflow }));
      assert.ok(grid.over <= 1, `4 heads fit at ${w}: ${JSON.stringify(grid)}`);
      // The Share menu's pop-up opens on the screen, wherever its button sits in the top bar.
      await page.click('#share-menu summary');
      const pop = await page.$eval('#share-menu .share-pop', (p) => { const r = p.getBoundingClientRect(); return [r.left, r.right, innerWidth]; });
      assert.ok(pop[0] >= 0 && pop[1] <= pop[2], `the Share pop-up is on the screen: ${pop}`);
      await page.screenshot({ path: shotPath(`sizes-${w}x${h}-share`) });
      await page.click('#share-menu summary');

      // Twelve heads cannot fit a phone's column: the grid scrolls, and says so.
      await openOwnModel(page, 'twelve-heads.safetensors', tinyGpt({ vocab: [...'abcdefghij '], L: 2, H: 12, E: 24 }));
      await checkSize(page, `${w}x${h}-12-heads`);
      if (w === 390) {
        assert.equal(await page.getAttribute('#model-panel .thumb-grid', 'data-overflow'), 'x');
        assert.equal(await page.textContent('#model-panel .scroll-hint'), 'Scroll sideways for the rest →');
      }

      await page.selectOption('#model-select', 'shipped:toy-rnn.safetensors');
      await page.waitForFunction(() => document.body.dataset.arch === 'rnn' && window.glasswing.lastTrace?.hidden);
      await drawn(page);
      await checkSize(page, `${w}x${h}-rnn`);
      assertClean(log, origin);
      await context.close();
    });
  }

  for (const [w, h] of SIZES) {
    test(`${w}×${h}: the Train panel after training on pasted text`, async () => {
      const { page, log, context } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors`, { viewport: { width: w, height: h } });
      await page.locator('#train-panel').scrollIntoViewIfNeeded();
      await page.waitForFunction(() => window.glasswing.train.status === 'idle' && window.glasswing.train.preview, null, { timeout: 30000 });
      await page.selectOption('#train-task', 'text');
      await page.fill('#train-text', 'The quick brown fox jumps over the lazy dog while the cat sleeps in the warm afternoon sun. 我喜欢在深夜的星空下伴随着月亮轻轻地想你。');
      await page.click('.train-go');
      await page.waitForFunction(() => window.glasswing.train.step >= 60 && window.glasswing.train.liveData, null, { timeout: 60000 });
      await page.click('.train-go'); // pause, so the figures hold still
      await page.waitForFunction(() => window.glasswing.train.status === 'paused');
      await page.waitForTimeout(200);
      await checkSize(page, `${w}x${h}-train-text`);
      const box = await page.$eval('#train-panel .live-guess-scroller', (b) => ({ over: b.scrollWidth - b.clientWidth, says: b.dataset.overflow }));
      assert.ok(box.over > 0 && box.says === 'x', `the long example scrolls in its own box: ${JSON.stringify(box)}`);
      assertClean(log, origin);
      await context.close();
    });
  }

  test('1280×720: the first screen reaches the views, not only forms', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/#model=induction-gpt.safetensors&lang=en`, { viewport: { width: 1280, height: 720 } });
    await drawn(page);
    const seen = await page.evaluate(() => {
      const visible = (sel) => {
        const r = document.querySelector(sel).getBoundingClientRect();
        return Math.max(0, Math.min(innerHeight, r.bottom) - Math.max(0, r.top));
      };
      return { matrix: visible('#matrix-canvas'), heads: visible('#heads-canvas'), bars: document.querySelectorAll('#bars-panel .bar').length
        ? [...document.querySelectorAll('#bars-panel .bar')].filter((b) => b.getBoundingClientRect().bottom <= innerHeight).length : 0 };
    });
    assert.ok(Math.max(seen.matrix, seen.heads) >= 80, `at least 80px of a drawn attention view on the first screen: ${JSON.stringify(seen)}`);
    assert.ok(seen.bars >= 3, `the first next-token bars on the first screen: ${JSON.stringify(seen)}`);
    await page.screenshot({ path: shotPath('sizes-1280x720-first-screen') });
    assertClean(log, origin);
    await context.close();
  });
});

// The sampler's pipeline (Generate panel) as the lesson's generation step shows
// it: beside the docked lesson on a projector, and on a phone. Every stage keeps
// a bar, every number stays inside its own cell (no "50.9%0.9%…"), the stage
// names wrap by words (not one character a line) and the last column is inside
// the panel and the screen.
describe('the sampler pipeline reads at every size', () => {
  const CASES = [[1280, 720, true], [1280, 720, false], [1024, 768, true], [390, 844, false]];
  for (const [w, h, presenter] of CASES) {
    test(`${w}×${h}${presenter ? ', presenter mode' : ''}: lesson step "generate"`, async () => {
      const { page, log, context } = await openPage(browser, null, { viewport: { width: w, height: h } });
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto(`${origin}/#lang=zh${presenter ? '&presenter=1' : ''}&lesson=generate`);
      await page.evaluate(() => window.glasswing.ready);
      await page.waitForFunction(() => document.querySelector('#lesson')?.dataset.ready === 'true'
        && document.querySelector('#generate-panel .gen-pipeline button.gen-row'));
      await page.locator('#generate-panel .gen-pipeline').scrollIntoViewIfNeeded();
      await page.waitForTimeout(150);
      const problems = await page.evaluate(() => {
        const out = [];
        const pipe = document.querySelector('#generate-panel .gen-pipeline');
        const panel = document.querySelector('#generate-panel').getBoundingClientRect();
        const lesson = document.querySelector('#lesson').getBoundingClientRect();
        const right = Math.min(panel.right, document.documentElement.clientWidth, lesson.left > 0 ? lesson.left : Infinity);
        for (const cell of pipe.querySelectorAll('.gen-cell')) {
          const c = cell.getBoundingClientRect();
          const n = cell.querySelector('.gen-p');
          const r = n.getBoundingClientRect();
          const track = cell.querySelector('.bar-track').getBoundingClientRect();
          if (r.left < c.left - 1 || r.right > c.right + 1 || n.scrollWidth > n.clientWidth + 1) out.push(`number ${n.textContent} out of its cell (${Math.round(r.left)}..${Math.round(r.right)} in ${Math.round(c.left)}..${Math.round(c.right)})`);
          if (track.width < 16) out.push(`a bar ${Math.round(track.width)} px long`);
          if (c.right > right + 1) out.push(`a cell ends at ${Math.round(c.right)}, past ${Math.round(right)}`);
        }
        for (const title of pipe.querySelectorAll('.gen-stage-title')) {
          const lh = parseFloat(getComputedStyle(title).lineHeight) || 16;
          const lines = Math.round(title.getBoundingClientRect().height / lh);
          const chars = [...title.textContent.replace(/\s/g, '')].length;
          if (lines > 3 || (lines > 1 && chars / lines < 2.5)) out.push(`stage name “${title.textContent}” on ${lines} lines`);
        }
        return [...new Set(out)];
      });
      await page.locator('#generate-panel .gen-body').screenshot({ path: shotPath(`sizes-pipeline-${w}x${h}${presenter ? '-presenter' : ''}`) });
      assert.deepEqual(problems, []);
      assertClean(log, origin);
      await context.close();
    });
  }
});

// The Share menu's pop-up fits the screen at every size: on a phone the top bar
// wraps and the button sits low, so the pop-up is as tall as the window leaves
// below it and scrolls inside, its last section reachable.
describe('the Share menu fits the screen', () => {
  for (const [w, h] of [...SIZES, [360, 640]]) {
    test(`${w}×${h}`, async () => {
      const { page, log, context } = await openPage(browser, `${origin}/#model=induction-gpt.safetensors&lang=zh`, { viewport: { width: w, height: h } });
      await drawn(page);
      await page.click('#share-menu summary');
      await page.waitForTimeout(100);
      const m = await page.$eval('#share-menu .share-pop', (p) => {
        const r = p.getBoundingClientRect();
        const cs = getComputedStyle(p);
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, vw: innerWidth, vh: innerHeight, scrolls: /auto|scroll/.test(cs.overflowY), more: p.scrollHeight - p.clientHeight };
      });
      await page.screenshot({ path: shotPath(`sizes-${w}x${h}-share-open`) });
      assert.ok(m.left >= 0 && m.right <= m.vw && m.top >= 0 && m.bottom <= m.vh, `the pop-up is on the screen: ${JSON.stringify(m)}`);
      assert.ok(m.more <= 1 || m.scrolls, `what does not fit scrolls inside: ${JSON.stringify(m)}`);
      // The last thing in it (the element code) can be scrolled to and is then on the screen.
      await page.locator('#share-element').scrollIntoViewIfNeeded();
      const last = await page.$eval('#share-element', (e) => { const r = e.getBoundingClientRect(); return [r.top, r.bottom, innerHeight]; });
      assert.ok(last[0] >= 0 && last[1] <= last[2], `the element code reachable: ${last}`);
      assertClean(log, origin);
      await context.close();
    });
  }
});

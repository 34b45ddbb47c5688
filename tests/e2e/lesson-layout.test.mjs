// The lesson on a classroom projector (issue 10, item 1): at 1024×768,
// 1280×720 and 1920×1080, in Chinese and English, with and without presenter
// mode, every step shows what it talks about (its `focus` in chapter.js: the
// matrix row the prose reads, the top bars, the token chips, the Generate
// panel's output...) inside the window and outside the lesson panel, and the
// panel's Previous / Next / fold buttons are whole, on screen and the topmost
// thing where they are (a click there reaches them). Screenshots of every step
// in Chinese presenter mode go to tests/e2e/screenshots/lesson-<size>-<step>.png.
//
// It also records which steps' text needs scrolling inside the panel (printed,
// and never more than a few lines' worth in presenter mode, where the panel
// has the least room).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { startServer } from '../../tools/serve.mjs';
import { WWW, assertClean, launch, openPage, shotPath } from './helpers.mjs';

// LESSON_WWW=<another copy of www/> runs the same checks on it (an older
// lesson without `focus` is held to its `target`s).
const PAGE = process.env.LESSON_WWW ?? WWW;
const { STEPS } = await import(join(PAGE, 'js/classroom/chapter.js'));
const FOCUS = STEPS.map((s) => ({ id: s.id, focus: s.focus ?? s.target })); // what crosses into the page

let server;
let origin;
let browser;
before(async () => {
  server = await startServer(PAGE, 0);
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

const SIZES = [[1024, 768], [1280, 720], [1920, 1080]];

/** In the page: what the open step shows where. */
function measure(page) {
  return page.evaluate((steps) => {
    const state = window.glasswing.state;
    const step = steps[state.lesson];
    const W = window.innerWidth;
    const H = window.innerHeight;
    const panel = document.querySelector('#lesson').getBoundingClientRect();
    const coversBottom = panel.left <= 0 && panel.right >= W;
    // The part of the window the panel leaves free.
    const free = coversBottom ? { left: 0, right: W, top: 0, bottom: panel.top } : { left: 0, right: panel.left, top: 0, bottom: H };
    const rects = [];
    for (const item of step.focus) {
      if (typeof item === 'string') {
        const sel = item.split('||').map((x) => x.trim()).find((x) => document.querySelector(x));
        const els = sel ? [...document.querySelectorAll(sel)].filter((e) => e.getClientRects().length) : [];
        if (!els.length) rects.push({ item, missing: true });
        for (const e of els) rects.push({ item, ...e.getBoundingClientRect().toJSON() });
      } else if (item.cell) {
        // The matrix from its top (column labels) to the bottom of the selected position's row.
        const c = document.querySelector('#matrix-canvas');
        const r = c.getBoundingClientRect();
        const pos = state.pos ?? Number(c.dataset.t) - 1;
        const row = { item: `matrix row ${pos + 1}`, left: r.left, right: r.left + Number(c.dataset.left) + Number(c.dataset.t) * Number(c.dataset.cell), top: r.top, bottom: r.top + Number(c.dataset.top) + (pos + 1) * Number(c.dataset.cell) };
        // Not cut by the matrix's own scrolling box either.
        const box = c.closest('.matrix-box').getBoundingClientRect();
        if (row.right > box.right + 1) Object.assign(row, { item: `${row.item} (cut by its box, which scrolls sideways)`, left: -Infinity });
        rects.push(row);
      }
    }
    const hidden = rects.filter((r) => r.missing || r.top < free.top - 1 || r.bottom > free.bottom + 1 || r.left < free.left - 1 || r.right > free.right + 1)
      .map((r) => `${r.item}: ${r.missing ? 'not on the page' : `[${Math.round(r.left)}, ${Math.round(r.top)}]–[${Math.round(r.right)}, ${Math.round(r.bottom)}]`}`);
    // The buttons: whole, in the window, and what a click at their centre reaches.
    const buttons = ['.lesson-prev', '.lesson-next', '.lesson-fold'].map((sel) => {
      const b = document.querySelector(sel);
      const r = b.getBoundingClientRect();
      const inside = r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= W && r.bottom <= H;
      const hit = inside && b.contains(document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2));
      const at = (fx, fy) => b.contains(document.elementFromPoint(r.left + fx * r.width, r.top + fy * r.height));
      const corners = inside && at(0.15, 0.2) && at(0.85, 0.8); // (not the very corners: they are rounded)
      return { sel, ok: Boolean(hit && corners), rect: [r.left, r.top, r.right, r.bottom].map(Math.round) };
    });
    const main = document.querySelector('.lesson-main') ?? document.querySelector('#lesson'); // (an older panel scrolled as a whole)
    return {
      step: step.id,
      free: [free.left, free.top, free.right, free.bottom].map(Math.round),
      focus: rects.length,
      hidden,
      buttons: buttons.filter((b) => !b.ok),
      textOverflow: Math.max(0, main.scrollHeight - main.clientHeight),
      lineHeight: parseFloat(getComputedStyle(document.querySelector('.lesson-body')).lineHeight),
    };
  }, FOCUS);
}

for (const [w, h] of SIZES) {
  describe(`lesson at ${w}×${h}`, () => {
    for (const presenter of [true, false]) {
      for (const lang of ['zh', 'en']) {
        test(`${lang}${presenter ? ', presenter mode' : ''}: every step's focus in view, its buttons whole`, async () => {
          const { page, context, log } = await openPage(browser, null, { viewport: { width: w, height: h } });
          await page.emulateMedia({ reducedMotion: 'reduce' });
          await page.goto(`${origin}/#lang=${lang}${presenter ? '&presenter=1' : ''}`);
          await page.evaluate(() => window.glasswing.ready);
          const problems = [];
          const scrolls = [];
          for (let k = 0; k < STEPS.length; k++) {
            // A clicker's Page Down (the first step opens with L).
            await page.keyboard.press(k === 0 ? 'l' : 'PageDown');
            await page.waitForFunction((want) => window.glasswing.state.lesson === want
              && document.querySelector('#lesson')?.dataset.ready === 'true', k);
            await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
            const m = await measure(page);
            assert.equal(m.step, STEPS[k].id);
            if (FOCUS[k].focus.length) assert.ok(m.focus > 0, `${m.step}: nothing to show`);
            if (m.hidden.length) problems.push(`${m.step}: not in view (free area ${m.free}): ${m.hidden.join('; ')}`);
            if (m.buttons.length) problems.push(`${m.step}: buttons cut off or covered: ${JSON.stringify(m.buttons)}`);
            if (m.textOverflow > 0) scrolls.push(`${m.step} +${m.textOverflow}px`);
            if (presenter && m.textOverflow > 4 * m.lineHeight) problems.push(`${m.step}: the panel hides ${m.textOverflow}px of the step (more than 4 lines)`);
            if (presenter && lang === 'zh') await page.screenshot({ path: shotPath(`lesson-${w}x${h}-${k + 1}-${STEPS[k].id}`) });
          }
          if (scrolls.length) console.log(`${w}×${h} ${lang}${presenter ? ' presenter' : ''}: text scrolls in ${scrolls.join(', ')}`);
          assert.deepEqual(problems, []);
          assertClean(log, origin);
          await context.close();
        });
      }
    }
  });
}

// A still pointer does not take over the views: a teacher leaves the mouse
// where they clicked (Lesson, Next), and a step that scrolls the page slides a
// token chip under it; the browser then sends pointerover to that chip. Only a
// pointer that moves may hover, so every step shows its own position (the
// bars, the matrix row, the chips' shading), not the chip under the mouse.
describe('a still pointer during the lesson', () => {
  /** Every step's chips in the free part of the window, as the step leaves the page (no pointer on it). */
  async function chipsPerStep(page) {
    const out = [];
    for (let k = 0; k < STEPS.length; k++) {
      await page.keyboard.press(k === 0 ? 'l' : 'PageDown');
      await page.waitForFunction((want) => window.glasswing.state.lesson === want
        && document.querySelector('#lesson')?.dataset.ready === 'true', k);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      out.push(await page.evaluate(() => {
        const panel = document.querySelector('#lesson').getBoundingClientRect();
        const side = !(panel.left <= 0 && panel.right >= window.innerWidth);
        const pos = window.glasswing.state.pos;
        return [...document.querySelectorAll('#tokens .chip')].map((c) => ({ i: Number(c.dataset.pos), r: c.getBoundingClientRect() }))
          .filter(({ i, r }) => i !== pos && r.top > 4 && r.bottom < (side ? window.innerHeight : panel.top) - 4
            && r.left > 4 && r.right < (side ? panel.left : window.innerWidth) - 4)
          .map(({ i, r }) => ({ i, x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2 }));
      }));
    }
    return out;
  }

  for (const [w, h, presenter] of [[1280, 720, false], [1024, 768, false], [1280, 720, true]]) {
    test(`${w}×${h}${presenter ? ', presenter mode' : ''}: a chip scrolled under a still pointer does not change what a step shows`, async () => {
      const url = `${origin}/#lang=zh${presenter ? '&presenter=1' : ''}`;
      const first = await openPage(browser, null, { viewport: { width: w, height: h } });
      await first.page.emulateMedia({ reducedMotion: 'reduce' });
      await first.page.goto(url);
      await first.page.evaluate(() => window.glasswing.ready);
      const chips = await chipsPerStep(first.page);
      await first.context.close();

      const { page, context, log } = await openPage(browser, null, { viewport: { width: w, height: h } });
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto(url);
      await page.evaluate(() => window.glasswing.ready);
      const problems = [];
      let tried = 0;
      for (let k = 0; k < STEPS.length; k++) {
        // The pointer is parked where one of the next step's chips will be, then the clicker steps.
        const target = chips[k][Math.floor(chips[k].length / 2)];
        if (target) await page.mouse.move(target.x, target.y);
        await page.keyboard.press(k === 0 ? 'l' : 'PageDown');
        await page.waitForFunction((want) => window.glasswing.state.lesson === want
          && document.querySelector('#lesson')?.dataset.ready === 'true', k);
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        await page.waitForTimeout(150); // the browser's hover update after a scroll
        await page.evaluate(() => window.glasswing.nextDraw());
        if (!target) continue;
        const m = await page.evaluate(([x, y]) => {
          const under = document.elementFromPoint(x, y)?.closest('#tokens .chip');
          const s = window.glasswing.state;
          return { under: under ? Number(under.dataset.pos) : null, hover: s.hover, pos: s.pos, bars: Number(document.querySelector('#bars-panel').dataset.pos), T: document.querySelectorAll('#tokens .chip').length };
        }, [target.x, target.y]);
        if (m.under === null) continue; // the page did not end where it did without the pointer
        tried++;
        const want = m.pos ?? m.T - 1;
        if (m.hover !== null || (m.T && m.bars !== want)) problems.push(`${STEPS[k].id}: the pointer on chip ${m.under + 1} set hover ${m.hover === null ? '-' : m.hover + 1}, the bars show position ${m.bars + 1} (the step's is ${want + 1})`);
      }
      assert.ok(tried >= 3, `only ${tried} steps put a chip under the pointer`);
      assert.deepEqual(problems, []);
      // A real move still hovers.
      const chip = await page.evaluate(() => {
        const c = [...document.querySelectorAll('#tokens .chip')].find((e) => { const r = e.getBoundingClientRect(); return r.top > 0 && r.bottom < innerHeight && r.right < document.querySelector('#lesson').getBoundingClientRect().left; });
        if (!c) return null;
        const r = c.getBoundingClientRect();
        return { i: Number(c.dataset.pos), x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2 };
      });
      if (chip) {
        await page.mouse.move(chip.x + 3, chip.y + 2);
        await page.waitForFunction((i) => window.glasswing.state.hover === i, chip.i);
      }
      assertClean(log, origin);
      await context.close();
    });
  }
});

// The multi-head step shows one head alone, at the character where it matters:
// for each of its head buttons, both ends of that head's lit line (the query's
// row on the left, the key's row on the right of the head view) and the top
// bar (what the model then predicts) are on screen, outside the panel and not
// cut by the head view's own scrolling box, at every projector size.
describe('the multi-head step', () => {
  for (const [w, h] of SIZES) {
    for (const presenter of [false, true]) {
      test(`${w}×${h}${presenter ? ', presenter mode' : ''}: every head button shows its whole line and the top bar`, async () => {
        const { page, context, log } = await openPage(browser, null, { viewport: { width: w, height: h } });
        await page.emulateMedia({ reducedMotion: 'reduce' });
        const k = STEPS.findIndex((s) => s.id === 'heads');
        await page.goto(`${origin}/#lang=zh${presenter ? '&presenter=1' : ''}&lesson=${k + 1}`);
        await page.evaluate(() => window.glasswing.ready);
        await page.waitForFunction((want) => window.glasswing.state.lesson === want && document.querySelector('#lesson')?.dataset.ready === 'true', k);
        const jobs = await page.$$eval('#lesson .ex-jobs button[data-job]', (bs) => bs.length);
        assert.equal(jobs, 4);
        const problems = [];
        for (let b = 0; b < jobs; b++) {
          await page.click(`#lesson .ex-jobs button[data-job="${b}"]`);
          await page.evaluate(() => window.glasswing.nextDraw());
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          const m = await page.evaluate((b) => {
            const job = JSON.parse(document.querySelector('#lesson').dataset.facts)._jobs[b];
            const s = window.glasswing.state;
            const panel = document.querySelector('#lesson').getBoundingClientRect();
            const side = !(panel.left <= 0 && panel.right >= innerWidth);
            const free = { left: 0, top: 0, right: side ? panel.left : innerWidth, bottom: side ? innerHeight : panel.top };
            const c = document.querySelector('#heads-canvas');
            const r = c.getBoundingClientRect();
            const box = c.closest('.scroller').getBoundingClientRect();
            const T = Number(c.dataset.t);
            const rowH = (r.height - 12) / T; // 6 px above and below the rows
            const row = (i) => r.top + 6 + (i + 0.5) * rowH;
            const ends = { [`${job.at} (left)`]: [r.left + 4, row(job.i)], [`${job.to} (right)`]: [r.right - 4, row(job.j)] };
            const out = [];
            const inside = (x, y, z) => x >= z.left && x <= z.right && y >= z.top && y <= z.bottom;
            for (const [name, [x, y]] of Object.entries(ends)) {
              if (!inside(x, y - rowH / 2, free) || !inside(x, y + rowH / 2, free)) out.push(`${name} at (${Math.round(x)}, ${Math.round(y)}) off screen or under the panel`);
              else if (!inside(x, y, box)) out.push(`${name} cut by the head view's scrolling box`);
            }
            const bar = document.querySelector('#bars-panel .bars > li:first-child')?.getBoundingClientRect();
            if (!bar || bar.top < free.top || bar.bottom > free.bottom || bar.left < free.left || bar.right > free.right + 1) out.push(`top bar at ${bar && [bar.left, bar.top, bar.right, bar.bottom].map(Math.round)}`);
            const alone = s.headsOn.filter(Boolean).length === 1 && s.headsOn[job.h] && s.layer === job.l && s.pos === job.i;
            if (!alone) out.push('not that head alone at its character');
            return out.map((x) => `button ${b + 1} (${job.at} → ${job.to}): ${x}`);
          }, b);
          problems.push(...m);
        }
        if (presenter) await page.screenshot({ path: shotPath(`lesson-heads-${w}x${h}`) });
        assert.deepEqual(problems, []);
        assertClean(log, origin);
        await context.close();
      });
    }
  }
});

// The attention matrix on a projector: in presenter mode its token labels are at
// least 14 px (readable from the back of a room); where the cells are smaller,
// fewer labels are drawn, but always the selected row's and the column the
// step talks about (at 着, the 星 its head looks at).
describe('matrix labels in presenter mode', () => {
  for (const [w, h] of [[1024, 768], [1280, 720]]) {
    test(`${w}×${h}: labels of 14 px or more, the selected row and the key it looks at labelled`, async () => {
      const { page, context, log } = await openPage(browser, null, { viewport: { width: w, height: h } });
      await page.emulateMedia({ reducedMotion: 'reduce' });
      const k = STEPS.findIndex((s) => s.id === 'attention');
      await page.goto(`${origin}/#lang=zh&presenter=1&lesson=${k + 1}`);
      await page.evaluate(() => window.glasswing.ready);
      await page.waitForFunction((want) => window.glasswing.state.lesson === want && document.querySelector('#lesson')?.dataset.ready === 'true', k);
      const m = await page.evaluate(() => {
        const c = document.querySelector('#matrix-canvas');
        const facts = JSON.parse(document.querySelector('#lesson').dataset.facts);
        return { font: Number(c.dataset.font), cols: (c.dataset.colLabels ?? '').split(',').filter(Boolean).map(Number), i: facts._i, j: facts._i - facts.back };
      });
      await page.locator('#matrix-panel').screenshot({ path: shotPath(`lesson-matrix-presenter-${w}x${h}`) });
      assert.ok(m.font >= 14, `matrix labels ${m.font} px`);
      assert.ok(m.cols.includes(m.i) && m.cols.includes(m.j), `columns ${m.i + 1} (着) and ${m.j + 1} (星) labelled: ${m.cols.map((c) => c + 1)}`);
      assertClean(log, origin);
      await context.close();
    });
  }
});

// The bars' "actual next" badge (原文的下一个词元) on a projector: whole (not cut
// to "原文的下…"), inside its own row, over no bar, and the bars still start at
// one edge (the badge does not push its bar aside).
describe('the actual-next badge on the bars', () => {
  for (const [w, h] of [[1280, 720], [1024, 768]]) {
    test(`${w}×${h}, presenter mode: whole, in its row, over no bar`, async () => {
      const { page, context, log } = await openPage(browser, null, { viewport: { width: w, height: h } });
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto(`${origin}/#lang=zh&presenter=1`);
      await page.evaluate(() => window.glasswing.ready);
      const problems = [];
      for (const id of ['lm', 'rnn']) {
        const k = STEPS.findIndex((s) => s.id === id);
        await page.evaluate((k) => window.glasswing.store.set({ lesson: k }), k);
        await page.waitForFunction((want) => window.glasswing.state.lesson === want && document.querySelector('#lesson')?.dataset.ready === 'true', k);
        await page.evaluate(() => window.glasswing.nextDraw());
        const m = await page.evaluate(() => {
          const out = [];
          const tag = document.querySelector('#bars-panel .bars .tag');
          if (!tag) return ['no badge'];
          const word = tag.textContent;
          const r = tag.getBoundingClientRect();
          const row = tag.closest('.bar').getBoundingClientRect();
          if (tag.scrollWidth > tag.clientWidth + 1 || getComputedStyle(tag.parentElement).textOverflow === 'ellipsis' && tag.parentElement.scrollWidth > tag.parentElement.clientWidth + 1) out.push(`“${word}” is cut`);
          if (r.top < row.top - 1 || r.bottom > row.bottom + 1) out.push(`“${word}” sticks out of its row`);
          const tracks = [...document.querySelectorAll('#bars-panel .bars .bar-track')].map((e) => e.getBoundingClientRect());
          if (tracks.some((t) => r.left < t.right && r.right > t.left && r.top < t.bottom && r.bottom > t.top)) out.push(`“${word}” covers a bar`);
          const lefts = new Set(tracks.filter((_, i) => !document.querySelectorAll('#bars-panel .bars .bar')[i].classList.contains('other')).map((t) => Math.round(t.left)));
          if (lefts.size > 1) out.push(`the bars start at ${[...lefts]}`);
          return out;
        });
        problems.push(...m.map((x) => `${id}: ${x}`));
        await page.locator('#bars-panel').screenshot({ path: shotPath(`lesson-badge-${w}x${h}-${id}`) });
      }
      assert.deepEqual(problems, []);
      assertClean(log, origin);
      await context.close();
    });
  }
});

// H folds the lesson text. Docked at the side, folding gives the page its width
// back (the panel becomes a slim column with the title and the buttons; the
// window keeps its whole height for the views) instead of a blank column; every step's focus stays in view and its
// buttons whole; H again docks it at the side as before.
describe('folding the lesson (H) beside the page', () => {
  for (const [w, h, presenter] of [[1280, 720, true], [1024, 768, false], [1920, 1080, true]]) {
    test(`${w}×${h}${presenter ? ', presenter mode' : ''}: the views get the panel's room`, async () => {
      const { page, context, log } = await openPage(browser, null, { viewport: { width: w, height: h } });
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto(`${origin}/#lang=zh${presenter ? '&presenter=1' : ''}`);
      await page.evaluate(() => window.glasswing.ready);
      const size = () => page.evaluate(() => {
        const panel = document.querySelector('#lesson').getBoundingClientRect();
        return { main: document.querySelector('main').getBoundingClientRect().width, panel: panel.toJSON() };
      });
      const settle = async () => {
        await page.evaluate(() => window.glasswing.nextDraw());
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        await page.waitForTimeout(200);
      };
      const problems = [];
      for (let k = 0; k < STEPS.length; k++) {
        await page.keyboard.press(k === 0 ? 'l' : 'PageDown');
        await page.waitForFunction((want) => window.glasswing.state.lesson === want
          && document.querySelector('#lesson')?.dataset.ready === 'true', k);
        await settle();
        const open = await size();
        if (k === 0) assert.ok(open.panel.left > w / 2 && open.panel.height >= h - 1, `docked at the side: ${JSON.stringify(open.panel)}`);
        await page.keyboard.press('h');
        await settle();
        const folded = await size();
        const m = await measure(page);
        if (folded.main < 0.8 * w || folded.panel.width > 0.2 * w) problems.push(`${m.step}: folded, the page is ${Math.round(folded.main)} px wide (open: ${Math.round(open.main)}), the panel ${Math.round(folded.panel.width)}`);
        if (m.hidden.length) problems.push(`${m.step}: folded, not in view: ${m.hidden.join('; ')}`);
        if (m.buttons.length) problems.push(`${m.step}: folded, buttons cut off or covered: ${JSON.stringify(m.buttons)}`);
        if (k === 5 && presenter) await page.screenshot({ path: shotPath(`lesson-folded-${w}x${h}`) });
        await page.keyboard.press('h');
        await settle();
        const again = await size();
        if (Math.abs(again.main - open.main) > 1 || Math.abs(again.panel.left - open.panel.left) > 1) problems.push(`${m.step}: unfolded, not back as it was`);
      }
      assert.deepEqual(problems, []);
      assertClean(log, origin);
      await context.close();
    });
  }
});

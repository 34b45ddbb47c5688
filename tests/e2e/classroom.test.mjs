// Browser tests for the classroom (www/js/classroom/): the guided lesson in
// both languages (buttons, arrow keys, dots, the page set up by each step,
// the spotlight, the live exhibits and the claims the prose makes about the
// shipped models), the shortcuts overlay, presenter mode, the high-contrast
// palette, a whole lesson from the keyboard alone, and an accessibility
// sanity check over Chromium's own accessibility tree.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DICTS } from '../../www/js/i18n.js';
import { assertClean as assertPageClean, canvasStats, openPage, shotPath, useBrowser } from './helpers.mjs';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));

const { STEPS, STARRY } = await import('../../www/js/classroom/chapter.js');
const N = STEPS.length;
const stepIndex = (id) => STEPS.findIndex((s) => s.id === id);

/** A page on the untrained GPT, with motion reduced (the spotlight scrolls instantly). */
async function open(lang = 'en', viewport) {
  const opened = await openPage(browser, null, viewport ? { viewport } : undefined);
  await opened.page.emulateMedia({ reducedMotion: 'reduce' });
  await opened.page.goto(`${origin}/?model=gpt-untrained.safetensors&lang=${lang}`);
  await opened.page.evaluate(() => window.glasswing.ready);
  return opened;
}

const assertClean = (log) => assertPageClean(log, origin, { failed: false, http: false });

/** Waits until lesson step k is open and its setup has finished. */
async function atStep(page, k) {
  await page.waitForFunction((want) => window.glasswing.state.lesson === want
    && document.querySelector('#lesson')?.dataset.ready === 'true', k);
}

/** What the lesson shows and what the page around it is set to. */
function snapshot(page) {
  return page.evaluate(() => {
    const lesson = document.querySelector('#lesson');
    const s = window.glasswing.state;
    return {
      lesson: s.lesson,
      step: lesson.dataset.step,
      visible: !lesson.hidden,
      progress: lesson.querySelector('.lesson-progress').textContent,
      title: lesson.querySelector('h2').textContent,
      body: lesson.querySelector('.lesson-body').textContent,
      current: [...lesson.querySelectorAll('.lesson-dot')].findIndex((d) => d.getAttribute('aria-current') === 'step'),
      lit: [...document.querySelectorAll('.lesson-target')].map((e) => e.id || [...e.classList].find((c) => c !== 'panel' && c !== 'lesson-target')),
      model: s.modelKey,
      text: document.querySelector('#text-input').value,
      traced: window.glasswing.lastTrace.tokens.join(''),
      layer: s.layer,
      head: s.head,
      pos: s.pos,
      status: lesson.querySelector('.lesson-status').textContent,
      next: lesson.querySelector('.lesson-next').textContent,
    };
  });
}

const barsTop = (page) => page.$$eval('#bars-panel .bar:not(.other) .bar-tok', (els) => els.map((e) => e.firstChild.textContent));

describe('lesson', () => {
  test('buttons, arrow keys and dots walk the steps; each step sets the page up and lights its target', async () => {
    const { page, log, context } = await open('en');
    assert.equal(await page.isVisible('#lesson'), false);
    assert.equal(await page.evaluate(() => window.glasswing.state.lesson), null);

    await page.click('[data-classroom="lesson"]');
    await atStep(page, 0);
    let s = await snapshot(page);
    assert.equal(s.visible, true);
    assert.equal(s.step, 'ids');
    assert.match(s.progress, new RegExp(`Step 1 of ${N}$`));
    assert.equal(s.title, 'Text becomes numbers');
    assert.equal(s.current, 0);
    assert.deepEqual(s.lit, ['tokens-panel']);
    assert.equal(s.model, 'shipped:chapter-rnn.safetensors');
    assert.equal(s.text, '我爱你。');
    assert.equal(s.traced, '我爱你。');
    assert.equal(await page.getAttribute('[data-classroom="lesson"]', 'aria-pressed'), 'true');
    assert.equal(await page.isDisabled('.lesson-prev'), true);
    // The ids shown are the trace's ids: four characters, four numbers.
    const ids = await page.evaluate(() => Array.from(window.glasswing.lastTrace.ids).join(','));
    assert.equal(await page.getAttribute('.lesson-exhibit .ex-ids', 'data-ids'), ids);
    assert.equal(ids.split(',').length, 4);
    assert.deepEqual(await page.$$eval('.ex-ids .ex-id', (tds) => tds.map((td) => td.textContent)), ids.split(','));

    // Next (button): the bag of words.
    await page.click('.lesson-next');
    await atStep(page, 1);
    s = await snapshot(page);
    assert.equal(s.step, 'bag');
    assert.equal(s.current, 1);
    assert.deepEqual(s.lit.sort(), ['bars-panel', 'tokens-panel']);
    assert.equal(s.text, '我爱你，');
    // Same counts in both rows...
    const counts = await page.$$eval('.ex-counts tr', (rows) => rows.slice(1).map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(counts, [['1', '1', '1', '1'], ['1', '1', '1', '1']]);
    // ...but the live bars differ between the two orders.
    const barsA = await barsTop(page);
    await page.click('.ex-show >> nth=1');
    await page.waitForFunction(() => window.glasswing.lastTrace.tokens.join('') === '你爱我，');
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.equal(await page.inputValue('#text-input'), '你爱我，');
    assert.equal(await page.getAttribute('.ex-show >> nth=1', 'aria-pressed'), 'true');
    assert.notDeepEqual(await barsTop(page), barsA);
    await page.waitForFunction(() => Number(document.querySelector('.ex-diff')?.dataset.tv) > 0);

    // Arrow keys: right, right, left (focus is on a lesson button, not a text field).
    await page.keyboard.press('ArrowRight');
    await atStep(page, 2);
    await page.keyboard.press('ArrowRight');
    await atStep(page, 3);
    await page.keyboard.press('ArrowLeft');
    await atStep(page, 2);
    s = await snapshot(page);
    assert.equal(s.step, 'lm');
    assert.deepEqual(s.lit, ['bars-panel']);
    assert.equal(s.text, '我爱你。', 'the step put its own text back');
    assert.ok(Math.abs(Number(await page.getAttribute('.lesson-exhibit .ex-mono', 'data-sum')) - 1) < 1e-4, 'a softmax row sums to 1');

    // A dot: straight to the RNN step; its buttons walk the hidden-state rows and the bars follow.
    await page.click(`.lesson-dot[data-step="${stepIndex('rnn')}"]`);
    await atStep(page, stepIndex('rnn'));
    s = await snapshot(page);
    assert.deepEqual(s.lit.sort(), ['bars-panel', 'hidden-panel']);
    assert.equal(s.pos, 0);
    assert.equal(await page.getAttribute('#bars-panel', 'data-pos'), '0');
    await page.click('.ex-next');
    await page.click('.ex-next');
    assert.equal(await page.evaluate(() => window.glasswing.state.pos), 2);
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.equal(await page.getAttribute('#bars-panel', 'data-pos'), '2');
    assert.match(await page.textContent('.lesson-exhibit'), /Row 3: the hidden state after reading “你”/); // rows count from 1
    assert.match(await page.textContent('.lesson-exhibit'), /output: 4 × 64/);

    await page.screenshot({ path: shotPath('lesson-en') });

    // Esc closes; nothing stays lit.
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => window.glasswing.state.lesson === null);
    assert.equal(await page.isVisible('#lesson'), false);
    assert.equal(await page.locator('.lesson-target').count(), 0);
    assert.equal(await page.getAttribute('[data-classroom="lesson"]', 'aria-pressed'), 'false');
    assertClean(log);
    await context.close();
  });

  test('each step sets the page up where its prose looks (the numbers themselves: lesson-facts.test.mjs)', async () => {
    const { page, log, context } = await open('en');
    const goTo = async (id) => {
      await page.evaluate((k) => window.glasswing.store.set({ lesson: k }), stepIndex(id));
      await atStep(page, stepIndex(id));
      await page.evaluate(() => window.glasswing.nextDraw());
    };
    const facts = () => page.evaluate(() => JSON.parse(document.querySelector('#lesson').dataset.facts));
    // What the trained RNN remembers: the first character, six back, decides the next.
    await goTo('memory');
    let s = await snapshot(page);
    assert.equal(s.model, 'shipped:chapter-rnn.safetensors');
    assert.equal(s.text, '我爱你，你也爱');
    assert.equal((await barsTop(page))[0], '我');
    await page.click('.ex-show >> nth=1');
    await page.waitForFunction(() => window.glasswing.lastTrace.tokens.join('') === '他爱你，你也爱');
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.equal((await barsTop(page))[0], '他');
    assert.match(await page.textContent('.lesson-exhibit'), /After “他爱你，你也爱”: “他” 99\.\d%/);

    // Self-attention on the chapter's sentence: at 着, the head the prose names is the one on screen.
    await goTo('attention');
    s = await snapshot(page);
    let f = await facts();
    assert.equal(s.model, 'shipped:chapter-gpt.safetensors');
    assert.equal(s.traced, STARRY);
    assert.deepEqual(s.lit.sort(), ['bars-panel', 'matrix-panel']);
    assert.deepEqual([s.layer + 1, s.head + 1, s.pos], [f.l, f.h, [...STARRY].indexOf('着')]);
    assert.match(s.body, new RegExp(`In layer ${f.l}, head ${f.h} puts [\\d.]+% of its attention on 星, ${f.back} characters back`));
    assert.equal((await page.getAttribute('.ex-heads', 'data-targets')).split(',').map(Number)[f.h - 1], [...STARRY].indexOf('星'));
    assert.equal((await barsTop(page))[0], '月');
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-head'), String(f.h - 1));

    // How far back: at 想, the head on 我.
    await goTo('far');
    s = await snapshot(page);
    f = await facts();
    assert.deepEqual([s.layer + 1, s.head + 1, s.pos], [f.l, f.h, [...STARRY].indexOf('想')]);
    assert.equal((await barsTop(page))[0], '你');

    // Several heads: the first job's head alone in the head view, at its character.
    await goTo('heads');
    s = await snapshot(page);
    f = await facts();
    assert.deepEqual(s.lit.sort(), ['bars-panel', 'heads-panel']); // the head's lines and what the model then predicts
    assert.deepEqual([s.layer + 1, s.head + 1, s.pos], [f.l1, f.h1, [...STARRY].indexOf('想')]);
    assert.equal(await page.getAttribute('#heads-canvas', 'data-heads'), String(f.h1 - 1), 'one head alone');
    assert.equal(await page.locator('.ex-jobs .ex-head').count(), 4);
    // A head row focuses that head in the views.
    await page.click('.ex-head[data-job="2"]');
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.equal(await page.getAttribute('#matrix-canvas', 'data-head'), String(f.h3 - 1));
    assert.equal(await page.evaluate(() => window.glasswing.state.pos), [...STARRY].indexOf('着'));
    assertClean(log);
    await context.close();
  });

  test('in Chinese: labels, prose and exhibits; arrow keys; every step has both languages', async () => {
    for (const step of STEPS) {
      for (const lang of ['en', 'zh']) {
        assert.ok(step.title[lang]?.length > 3 && step.body[lang]?.length > 80, `${step.id} ${lang}`);
      }
      assert.match(step.body.zh, /[\u4e00-\u9fff].*[，。]/, `${step.id}: Chinese prose`);
    }
    const { page, log, context } = await open('zh');
    await page.keyboard.press('l');
    await atStep(page, 0);
    let s = await snapshot(page);
    assert.match(s.progress, new RegExp(`第 1 步，共 ${N} 步$`));
    assert.equal(s.title, STEPS[0].title.zh);
    assert.equal(s.next, '下一步 ▸');
    assert.match(await page.textContent('.lesson-exhibit'), /4 个词元，4 个 ID/);
    assert.equal(await page.getAttribute('.lesson-target', 'data-lesson-tag'), '看这里');
    await page.keyboard.press('ArrowRight');
    await atStep(page, 1);
    s = await snapshot(page);
    assert.equal(s.title, '词袋模型记不住顺序');
    assert.match(await page.textContent('.lesson-exhibit'), /次数完全一样/);
    assert.equal(await page.getAttribute('.lesson-dot[aria-current="step"]', 'aria-label'), '第 2 步：词袋模型记不住顺序');

    await page.evaluate((k) => window.glasswing.store.set({ lesson: k }), stepIndex('attention'));
    await atStep(page, stepIndex('attention'));
    assert.match(await page.textContent('.lesson-exhibit'), /“着”（位置 13）在第 2 层看向哪里/); // positions count from 1
    assert.match((await snapshot(page)).body, /第 2 层的第 1 个头把 [\d.]+% 的注意力放在 5 个字之前的“星”上/);
    await page.screenshot({ path: shotPath('lesson-zh') });

    // Switching language relabels the open step in place, facts included.
    await page.click('.lang-switch button[data-lang="en"]');
    s = await snapshot(page);
    assert.equal(s.title, 'Self-attention: every token looks back');
    assert.match(await page.textContent('.lesson-exhibit'), /Where “着” \(position 13\) looks in layer 2/);
    assert.match(s.body, /In layer 2, head 1 puts [\d.]+% of its attention on 星, 5 characters back/);
    assertClean(log);
    await context.close();
  });

  // Words for a secondary-school class: one term for the token that really came
  // next (词元, as everywhere on the page: badge and note alike), the Generate
  // panel's own button names in the prose and the lesson's buttons, and no
  // unexplained jargon (纳特, 比特, |p − q|, ln; 熵 only with what it means).
  test('in Chinese: one term for the actual next token, the panel\'s button names, no unexplained jargon', async () => {
    const { page, log, context } = await open('zh');
    const problems = [];
    for (let k = 0; k < N; k++) {
      await page.evaluate((n) => window.glasswing.store.set({ lesson: n }), k);
      await atStep(page, k);
      await page.evaluate(() => window.glasswing.nextDraw());
      const text = await page.evaluate(() => `${document.querySelector('#lesson .lesson-main').innerText}\n${document.querySelector('#bars-panel').innerText}`);
      const jargon = text.match(/纳特|比特|\|\s*p\s*[−-]\s*q\s*\||\bln\b/g);
      if (jargon) problems.push(`${STEPS[k].id}: ${[...new Set(jargon)].join(', ')}`);
      if (text.includes('熵') && !text.includes('拿不准')) problems.push(`${STEPS[k].id}: 熵 without what it means`);
    }
    assert.deepEqual(problems, []);

    await page.evaluate((n) => window.glasswing.store.set({ lesson: n }), stepIndex('lm'));
    await atStep(page, stepIndex('lm'));
    await page.evaluate(() => window.glasswing.nextDraw());
    const badge = await page.textContent('#bars-panel .bars .tag');
    assert.equal(badge, '原文的下一个词元');
    assert.ok((await page.textContent('#bars-panel p.actual')).startsWith(badge), 'the note under the bars uses the same term');

    if (await page.evaluate(() => Boolean(window.glasswing.generate))) {
      await page.evaluate((n) => window.glasswing.store.set({ lesson: n }), stepIndex('generate'));
      await atStep(page, stepIndex('generate'));
      const words = await page.evaluate(() => ({
        body: document.querySelector('.lesson-body').textContent,
        panel: ['step', 'back'].map((b) => document.querySelector(`#generate-panel [data-gen="${b}"]`).textContent.replace(/[^\p{L}\p{N} ]/gu, '').trim()),
        lesson: ['.ex-gen-step', '.ex-gen-back'].map((b) => document.querySelector(b).textContent.trim()),
      }));
      assert.deepEqual(words.lesson, words.panel, 'the lesson\'s buttons are named as the Generate panel\'s');
      for (const name of words.panel) assert.ok(words.body.includes(`“${name}”`), `the prose names the button “${name}”: ${words.body}`);
    }
    assertClean(log);
    await context.close();
  });

  test('a step whose model cannot load says so; the lesson and the page keep working', async () => {
    const { page, log, context } = await open('en');
    await context.route('**/models/chapter-rnn.safetensors', (route) => route.fulfill({ status: 200, body: 'not a model' }));
    await page.evaluate((k) => window.glasswing.store.set({ lesson: k }), stepIndex('memory'));
    await atStep(page, stepIndex('memory'));
    assert.match(await page.textContent('.lesson-status'), /^Could not set up this step: .+/);
    assert.ok(await page.isVisible('#error'), 'the page says it too');
    // The next step still sets itself up.
    await page.click('.lesson-next');
    await atStep(page, stepIndex('attention'));
    const s = await snapshot(page);
    assert.equal(s.status, '');
    assert.equal(s.traced, STARRY);
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });

  test('Generate steps drive the Generate panel: one token at a time, temperature and top-k', async (t) => {
    const { page, log, context } = await open('en');
    if (!(await page.evaluate(() => Boolean(window.glasswing.generate)))) {
      t.skip('no Generate panel on this page');
      await context.close();
      return;
    }
    await page.evaluate((k) => window.glasswing.store.set({ lesson: k }), stepIndex('generate'));
    await atStep(page, stepIndex('generate'));
    let s = await snapshot(page);
    assert.equal(s.model, 'shipped:chapter-gpt.safetensors');
    assert.equal(s.text, '我');
    assert.ok(s.lit.length >= 1 && s.lit.every((id) => /gen|generate/.test(id)), `lit: ${s.lit}`);
    const before = await page.evaluate(() => window.glasswing.generate.ids.length);
    await page.click('.ex-gen-step');
    await page.waitForFunction((n) => window.glasswing.generate.ids.length === n + 1, before);
    await page.evaluate(() => window.glasswing.generate.idle());
    const written = await page.evaluate(() => window.glasswing.generate.text);
    assert.ok(written.startsWith('我') && [...written].length === 2, written);
    await page.waitForFunction((w) => document.querySelector('.ex-gen-text')?.textContent.endsWith(w), written);
    // The panel's own Step button: the lesson's text follows it.
    await page.click('#generate-panel [data-gen="step"]');
    await page.waitForFunction(() => [...window.glasswing.generate.text].length === 3);
    await page.waitForFunction(() => [...document.querySelector('.ex-gen-text').textContent.split(/: /)[1]].length === 3);
    // Space plays and pauses when no button has focus.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press(' ');
    assert.equal(await page.evaluate(() => window.glasswing.generate.playing), true);
    await page.keyboard.press(' ');
    assert.equal(await page.evaluate(() => window.glasswing.generate.playing), false);
    await page.evaluate(() => window.glasswing.generate.idle());

    await page.click('.lesson-next');
    await atStep(page, stepIndex('sampling'));
    s = await snapshot(page);
    // The table reshapes the real distribution: a lower temperature sharpens it, a higher one flattens it.
    const tops = await page.$$eval('.ex-temps tr[data-top]', (rows) => rows.map((r) => Number(r.dataset.top)));
    assert.equal(tops.length, 4);
    assert.ok(tops[0] > tops[1] && tops[1] > tops[2], `T = 0.5, 1, 2: ${tops}`);
    assert.ok(tops[3] > tops[1], 'top-k 3 puts more on the top token');
    await page.click('.ex-sampler >> text=Temperature 2');
    assert.equal(await page.evaluate(() => window.glasswing.state.sampler.temperature), 2);
    await page.click('.ex-sampler >> text=Top-k 3');
    assert.equal(await page.evaluate(() => window.glasswing.state.sampler.top_k), 3);
    await page.click('.ex-sampler >> text=Temperature 1');
    await page.waitForFunction(() => document.querySelector('.ex-temps tr.current')?.textContent.startsWith('Top-k 3'));
    assertClean(log);
    await context.close();
  });
});

describe('classroom', () => {
  test('"?" lists every shortcut in the current language; Esc closes it; keys typed in the text box are text', async () => {
    const { page, log, context } = await open('en');
    await page.keyboard.press('?');
    await page.waitForFunction(() => document.querySelector('#shortcuts')?.open);
    const rowsEn = await page.$$eval('#shortcuts td', (tds) => tds.map((td) => td.textContent));
    for (const key of ['keyHelp', 'keyEsc', 'keyLesson', 'keyLessonSteps', 'keyPresenter', 'keyPalette', 'keyLayer', 'keyHead', 'keyText', 'keyFold', 'keyTab', 'keyChips']) {
      assert.ok(rowsEn.includes(DICTS.en[key]), `lists ${key}`);
    }
    assert.equal(await page.textContent('#shortcuts h2'), 'Keyboard shortcuts');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('#shortcuts').open);
    assert.equal(await page.evaluate(() => window.glasswing.state.lesson), null, 'Esc closed only the list');

    await page.click('.lang-switch button[data-lang="zh"]');
    await page.click('[data-classroom="help"]');
    await page.waitForFunction(() => document.querySelector('#shortcuts')?.open);
    const rowsZh = await page.$$eval('#shortcuts td', (tds) => tds.map((td) => td.textContent));
    assert.ok(rowsZh.includes('打开或关闭课程') && rowsZh.includes('打开或关闭演示模式') && rowsZh.includes('上一层或下一层'));
    assert.equal(await page.textContent('#shortcuts h2'), '键盘快捷键');
    await page.screenshot({ path: shotPath('shortcuts-zh') });
    await page.keyboard.press('?'); // "?" toggles it shut too
    await page.waitForFunction(() => !document.querySelector('#shortcuts').open);

    // [ ] and , . move the layer and head.
    await page.keyboard.press(']');
    await page.keyboard.press('.');
    await page.keyboard.press('.');
    assert.deepEqual(await page.evaluate(() => [window.glasswing.state.layer, window.glasswing.state.head]), [1, 2]);
    await page.keyboard.press(',');
    assert.equal(await page.evaluate(() => window.glasswing.state.head), 1);

    // In the text box the same keys are just text.
    await page.click('#text-input');
    await page.keyboard.press('End');
    const before = await page.inputValue('#text-input');
    await page.keyboard.type('?lp[.');
    assert.equal(await page.inputValue('#text-input'), `${before}?lp[.`);
    const s = await page.evaluate(() => ({ ...window.glasswing.state, open: document.querySelector('#shortcuts').open }));
    assert.deepEqual([s.open, s.lesson, s.presenter, s.layer, s.head], [false, null, false, 1, 1]);
    assertClean(log);
    await context.close();
  });

  test('a clicker: Page Down / Page Up step the lesson (closed, they scroll the page); H folds, and the hint says how to unfold', async () => {
    const { page, log, context } = await open('zh', { width: 1280, height: 720 });
    // No lesson open: Page Down scrolls as usual.
    await page.keyboard.press('PageDown');
    await page.waitForFunction(() => window.scrollY > 100);
    assert.equal(await page.evaluate(() => window.glasswing.state.lesson), null);
    await page.keyboard.press('l');
    await atStep(page, 0);
    await page.keyboard.press('PageDown');
    await atStep(page, 1);
    await page.keyboard.press('PageDown');
    await atStep(page, 2);
    await page.keyboard.press('PageUp');
    await atStep(page, 1);
    // Wherever focus is (a lesson button, the page), except a text field.
    await page.focus('.lesson-next');
    await page.keyboard.press('PageDown');
    await atStep(page, 2);
    await page.focus('#text-input');
    await page.keyboard.press('PageDown');
    assert.equal(await page.evaluate(() => window.glasswing.state.lesson), 2, 'typing is never taken over');
    await page.evaluate(() => document.activeElement.blur());
    // The shortcuts list names the clicker's keys.
    await page.keyboard.press('?');
    await page.waitForFunction(() => document.querySelector('#shortcuts')?.open);
    assert.match(await page.textContent('#shortcuts tr[data-key="ArrowLeft"] th'), /PgUp.*PgDn/);
    await page.keyboard.press('Escape');
    // H folds the text; the hint then says H shows it again (and back).
    assert.match(await page.textContent('.lesson-keys'), /H 收起文字/);
    await page.keyboard.press('h');
    assert.equal(await page.isVisible('.lesson-body'), false);
    assert.match(await page.textContent('.lesson-keys'), /H 展开文字/);
    assert.doesNotMatch(await page.textContent('.lesson-keys'), /收起/);
    await page.keyboard.press('h');
    assert.match(await page.textContent('.lesson-keys'), /H 收起文字/);
    assertClean(log);
    await context.close();
  });

  test('presenter mode: larger type and larger views, still drawn; off again restores them', async () => {
    const { page, log, context } = await open('en');
    await page.evaluate((text) => window.glasswing.retrace(text), STARRY);
    const measure = () => page.evaluate(() => {
      const px = (sel) => parseFloat(getComputedStyle(document.querySelector(sel)).fontSize);
      const m = document.querySelector('#matrix-canvas');
      return {
        h2: px('#matrix-panel h2'), chip: px('#tokens .chip'), bar: px('#bars-panel .bar-tok'),
        cell: Number(m.dataset.cell), heads: parseFloat(document.querySelector('#heads-canvas').style.height),
        thumb: parseFloat(document.querySelector('#model-panel .thumb canvas').style.width),
      };
    });
    const normal = await measure();
    await page.keyboard.press('p');
    await page.waitForFunction(() => document.body.classList.contains('presenter'));
    await page.evaluate(() => window.glasswing.nextDraw());
    const big = await measure();
    assert.equal(await page.evaluate(() => window.glasswing.state.presenter), true);
    for (const k of ['h2', 'chip', 'bar']) assert.ok(big[k] >= normal[k] * 1.3, `${k}: ${normal[k]} -> ${big[k]}`);
    assert.ok(big.cell > normal.cell, `matrix cells ${normal.cell} -> ${big.cell}`);
    assert.ok(big.heads > normal.heads * 1.3, `head view ${normal.heads} -> ${big.heads}`);
    for (const sel of ['#heads-canvas', '#matrix-canvas', '#model-panel canvas']) {
      const st = await canvasStats(page, sel);
      assert.ok(st.inked > 0.05 && st.colours > 20, `${sel} drawn in presenter mode: ${JSON.stringify(st)}`);
    }
    assert.equal(await page.getAttribute('[data-classroom="presenter"]', 'aria-pressed'), 'true');
    assert.equal(await page.textContent('#classroom-status'), 'Presenter mode on');
    // With the lesson open, as a class would see it.
    await page.keyboard.press('l');
    await atStep(page, 0);
    await page.evaluate((k) => window.glasswing.store.set({ lesson: k }), stepIndex('attention'));
    await atStep(page, stepIndex('attention'));
    await page.screenshot({ path: shotPath('presenter') });
    await page.keyboard.press('h'); // fold the text away: more room for the views
    assert.equal(await page.isVisible('.lesson-body'), false);
    assert.equal(await page.getAttribute('.lesson-fold', 'aria-expanded'), 'false');
    await page.screenshot({ path: shotPath('presenter-folded') });
    await page.keyboard.press('h');
    assert.equal(await page.isVisible('.lesson-body'), true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('p');
    await page.waitForFunction(() => !document.body.classList.contains('presenter'));
    await page.evaluate(() => window.glasswing.nextDraw());
    const back = await measure();
    assert.deepEqual(back, normal);
    assertClean(log);
    await context.close();
  });

  test('high-contrast palette: heatmaps redrawn in a greyscale-ordered scale, remembered across reloads', async () => {
    const { buildLut } = await import('../../www/js/colors.js');
    const { PALETTES } = await import('../../www/js/classroom/palette.js');
    // Lightness alone orders the attention scale (it survives greyscale printing and colour blindness).
    const lut = buildLut(PALETTES.contrast.sequential);
    const lum = (i) => 0.2126 * lut[i * 3] + 0.7152 * lut[i * 3 + 1] + 0.0722 * lut[i * 3 + 2];
    for (let i = 1; i < 256; i++) assert.ok(lum(i) < lum(i - 1), `luminance falls at ${i}`);

    const { page, log, context } = await open('en');
    const pixel = () => page.$eval('#matrix-canvas', (c) => {
      const { left, top, cell } = c.dataset;
      const dpr = c.width / parseFloat(c.style.width);
      const x = Math.floor((Number(left) + 0.5 * Number(cell)) * dpr);
      const y = Math.floor((Number(top) + 0.5 * Number(cell)) * dpr);
      return Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3));
    });
    assert.deepEqual(await pixel(), [8, 48, 107], 'weight 1 in Blues');
    const legend = await page.$eval('.seq-legend .legend-bar', (e) => e.style.background);
    await page.selectOption('#palette-select', 'contrast');
    await page.waitForFunction(() => document.body.dataset.palette === 'contrast');
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.deepEqual(await pixel(), [0, 0, 4], 'weight 1 is black in high contrast');
    assert.notEqual(await page.$eval('.seq-legend .legend-bar', (e) => e.style.background), legend);
    await page.reload();
    await page.evaluate(() => window.glasswing.ready);
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.equal(await page.inputValue('#palette-select'), 'contrast');
    assert.deepEqual(await pixel(), [0, 0, 4]);
    await page.keyboard.press('c'); // back to the standard colours
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.deepEqual(await pixel(), [8, 48, 107]);
    assertClean(log);
    await context.close();
  });

  test('a whole lesson from the keyboard alone: Tab to the Lesson button, Enter, arrows, Tab, Enter', async () => {
    const { page, log, context } = await open('en');
    // Tab from the top of the page to the Lesson button.
    let tabs = 0;
    while (!(await page.evaluate(() => document.activeElement?.dataset?.classroom === 'lesson'))) {
      await page.keyboard.press('Tab');
      assert.ok(++tabs < 20, 'the Lesson button is near the top of the tab order');
    }
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(ring, 'none', 'a visible focus ring');
    await page.keyboard.press('Enter');
    await atStep(page, 0);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lesson-title', 'focus moves into the lesson');
    for (let k = 1; k < N; k++) {
      await page.keyboard.press('ArrowRight');
      await atStep(page, k);
      const s = await snapshot(page);
      assert.equal(s.current, k);
      assert.match(s.progress, new RegExp(`Step ${k + 1} of ${N}$`));
      if (STEPS[k].id === 'bag') {
        // Tab into the step's own buttons and press one.
        let guard = 0;
        while (!(await page.evaluate(() => document.activeElement?.textContent === 'Show “你爱我，”'))) {
          await page.keyboard.press('Tab');
          assert.ok(++guard < 10);
        }
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => window.glasswing.lastTrace.tokens.join('') === '你爱我，');
      }
    }
    assert.equal(await page.textContent('.lesson-next'), 'Finish');
    // Tab to Finish and press it: the lesson closes and focus returns to the Lesson button.
    let guard = 0;
    while (!(await page.evaluate(() => document.activeElement?.classList.contains('lesson-next')))) {
      await page.keyboard.press('Tab');
      assert.ok(++guard < 30);
    }
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.glasswing.state.lesson === null);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.classroom), 'lesson');
    assertClean(log);
    await context.close();
  });

  test('accessibility: every control has a name, canvases say what they show, the lesson is a live region', async () => {
    const { page, log, context } = await open('en');
    const cdp = await context.newCDPSession(page);
    const NAMED = new Set(['button', 'textbox', 'combobox', 'checkbox', 'spinbutton', 'slider', 'link', 'listbox', 'radio', 'switch', 'tab', 'menuitem', 'searchbox']);
    /** Controls Chromium exposes with no accessible name, and images (canvases) without a label. */
    async function unnamed() {
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      const bad = [];
      for (const n of nodes) {
        if (n.ignored) continue;
        const role = n.role?.value;
        const name = (n.name?.value ?? '').trim();
        if ((NAMED.has(role) || role === 'image' || role === 'img') && !name) {
          const { node } = await cdp.send('DOM.describeNode', { backendNodeId: n.backendDOMNodeId });
          bad.push(`${role} <${node.localName} ${(node.attributes ?? []).join(' ')}>`);
        }
      }
      return bad;
    }
    const describeBad = async (bad) => bad.join(', ');
    const canvases = () => page.$$eval('canvas', (cs) => cs.filter((c) => c.getClientRects().length)
      .map((c) => ({ role: c.getAttribute('role'), label: c.getAttribute('aria-label') ?? '' })));

    // GPT page, lesson open on the attention step.
    await page.evaluate((k) => window.glasswing.store.set({ lesson: k }), stepIndex('heads'));
    await atStep(page, stepIndex('heads'));
    await page.evaluate(() => window.glasswing.nextDraw());
    let bad = await unnamed();
    assert.deepEqual(bad, [], `unnamed: ${await describeBad(bad)}`);
    const gptCanvases = await canvases();
    assert.ok(gptCanvases.length >= 10);
    for (const c of gptCanvases) assert.ok(c.role === 'img' && c.label.length > 10, JSON.stringify(c));
    const matrixLabel = await page.getAttribute('#matrix-canvas', 'aria-label');
    assert.match(matrixLabel, /^Attention matrix, layer 1, head 3, 20 by 20\. Row “想” \(position 19\) attends most to “我” \(position 1, 99\.\d%\)\.$/); // positions count from 1
    assert.equal(await page.getAttribute('.lesson-text', 'aria-live'), 'polite');
    assert.equal(await page.getAttribute('#lesson', 'aria-labelledby'), 'lesson-title');

    // RNN page: the hidden-state canvas, in Chinese.
    await page.click('.lang-switch button[data-lang="zh"]');
    await page.evaluate((k) => window.glasswing.store.set({ lesson: k }), stepIndex('rnn'));
    await atStep(page, stepIndex('rnn'));
    await page.evaluate(() => window.glasswing.nextDraw());
    bad = await unnamed();
    assert.deepEqual(bad, [], `unnamed: ${await describeBad(bad)}`);
    const hiddenLabel = await page.getAttribute('#hidden-panel canvas', 'aria-label');
    assert.match(hiddenLabel, /^隐藏状态，第 1 层：4 步 × 64 个单元，取值从 -?\d\.\d\d 到 -?\d\.\d\d。读完“我”（第 1 步）后/);
    // The shortcuts dialog, opened, is named too.
    await page.keyboard.press('?');
    await page.waitForFunction(() => document.querySelector('#shortcuts')?.open);
    bad = await unnamed();
    assert.deepEqual(bad, [], `unnamed with the dialog open: ${await describeBad(bad)}`);
    assertClean(log);
    await context.close();
  });
});

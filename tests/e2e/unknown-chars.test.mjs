// A student's own sentence (issue 10, item 6): every character the model
// cannot read is marked in the text (with its position, from 1), not only
// the first; the model's alphabet is there on request (a click types a
// character); views that still show the previous text say so and look it;
// a model with <unk> reads unknown characters as <unk>, and those are marked.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClean, openOwnModel, openPage, shotPath, tinyGpt, typeText, useBrowser } from './helpers.mjs';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));

const check = (page) => page.evaluate(() => {
  const box = document.querySelector('#input-check');
  return {
    hidden: box.hidden,
    text: box.querySelector('.input-check-text')?.textContent ?? '',
    marked: [...box.querySelectorAll('mark.unk')].map((m) => [m.textContent, Number(m.dataset.pos)]),
    copy: box.querySelector('.input-check-marked')?.textContent ?? '',
    stale: document.body.dataset.stale,
    staleNote: document.querySelector('#stale-note').hidden ? null : document.querySelector('#stale-note').textContent,
    invalid: document.querySelector('#text-input').getAttribute('aria-invalid'),
    chips: document.querySelectorAll('#tokens .chip').length,
    error: document.querySelector('#error').hidden ? null : document.querySelector('#error').textContent.trim(),
  };
});

describe('a text the model cannot read', () => {
  test('every unknown character is marked with its position; the views say they show the previous text', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors`, { viewport: { width: 1280, height: 900 } });
    const example = await page.inputValue('#text-input');
    let c = await check(page);
    assert.equal(c.hidden, true);
    assert.equal(c.stale, 'false');

    await typeText(page, '今天天气很好 the cat');
    c = await check(page);
    assert.equal(c.hidden, false);
    assert.deepEqual(c.marked, [['今', 0], ['天', 1], ['天', 2], ['气', 3], ['很', 4], ['好', 5]], 'all six, not only the first');
    assert.equal(c.copy, '今天天气很好 the cat', 'the whole text, with the unknown characters marked in place');
    assert.equal(c.text, '6 characters of this text are not in the model’s vocabulary: “今” (position 1), “天” (positions 2, 3), “气” (position 4), '
      + '“很” (position 5), “好” (position 6). Remove or replace them, or look at the model’s alphabet.');
    assert.equal(c.error, null, 'one message, not two');
    assert.equal(c.invalid, 'true');
    assert.equal(c.stale, 'true');
    assert.equal(c.staleNote, `Not updated: the views below still show the previous text, “${example}”.`);
    assert.equal(c.chips, example.length, 'the previous trace is still drawn');
    const dim = await page.$eval('#matrix-panel canvas', (el) => Number(getComputedStyle(el.closest('.matrix-box')).opacity));
    assert.ok(dim < 0.8, `the stale views are dimmed (opacity ${dim})`);
    await page.screenshot({ path: shotPath('unknown-chars-en'), clip: { x: 0, y: 0, width: 1280, height: 700 } });

    await page.click('.lang-switch button[data-lang="zh"]');
    c = await check(page);
    assert.equal(c.text, '这段文字里有 6 个字符不在模型的词表里：“今”（位置 1）、“天”（位置 2, 3）、“气”（位置 4）、“很”（位置 5）、“好”（位置 6）。'
      + '请删掉或换掉它们，也可以查看模型认识哪些字符。');
    assert.equal(c.staleNote, `尚未更新：下面的视图显示的仍是上一段文字“${example}”。`);
    await page.screenshot({ path: shotPath('unknown-chars-zh'), clip: { x: 0, y: 0, width: 1280, height: 700 } });
    await page.click('.lang-switch button[data-lang="en"]');

    // The model's alphabet, on request; a click types a character at the cursor.
    const vocab = await page.evaluate(() => window.glasswing.info.vocab);
    const singles = vocab.filter((s) => [...s].length === 1);
    assert.equal(await page.isHidden('#alphabet'), true);
    assert.equal(await page.textContent('#alphabet-toggle'), `Show the model’s alphabet (${singles.length} characters)`);
    await page.click('#alphabet-toggle');
    assert.equal(await page.getAttribute('#alphabet-toggle', 'aria-expanded'), 'true');
    assert.deepEqual(await page.$$eval('#alphabet button[data-char]', (bs) => bs.map((b) => b.dataset.char)), singles);
    await page.fill('#text-input', 'the ');
    await page.$eval('#text-input', (i) => i.setSelectionRange(4, 4));
    const before = await page.evaluate(() => window.glasswing.attempts);
    await page.click('#alphabet button[data-char="d"]');
    await page.click('#alphabet button[data-char="o"]');
    await page.click('#alphabet button[data-char="g"]');
    assert.equal(await page.inputValue('#text-input'), 'the dog');
    await page.waitForFunction((n) => window.glasswing.attempts > n && window.glasswing.lastTrace.ids.length === 7, before);
    await page.evaluate(() => window.glasswing.nextDraw());
    c = await check(page);
    assert.deepEqual([c.hidden, c.stale, c.staleNote, c.invalid, c.chips], [true, 'false', null, 'false', 7], 'a good text clears it all');
    await page.click('#alphabet-toggle');
    assert.equal(await page.isHidden('#alphabet'), true);
    assertClean(log, origin);
    await context.close();
  });

  test('any failed retrace marks the views stale, not only unknown characters', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/?model=induction-gpt.safetensors`);
    const example = await page.inputValue('#text-input');
    const max = await page.evaluate(() => window.glasswing.info.max_len);
    await typeText(page, 'a'.repeat(max + 3));
    const c = await check(page);
    assert.equal(c.stale, 'true');
    assert.match(c.staleNote, new RegExp(`“${example.replace(/[|]/g, '\\|')}”`));
    assert.match(c.error, /longer than the model's maximum/);
    assertClean(log, origin);
    await context.close();
  });

  test('a model with <unk> reads unknown characters as <unk>: traced, and marked in the text and the chips', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors`);
    const vocab = ['<unk>', ...'abcdefghijklmnopqrstuvwxyz .'];
    await openOwnModel(page, 'unk-gpt.safetensors', tinyGpt({ vocab, title: 'a model with <unk>' }));
    await typeText(page, 'a café, b');
    const c = await check(page);
    assert.equal(c.hidden, false);
    assert.deepEqual(c.marked, [['é', 5], [',', 6]]);
    assert.equal(c.text, '2 characters are not in the model’s vocabulary: “é” (position 6), “,” (position 7). The model reads each of them as <unk>.');
    assert.equal(c.stale, 'false', 'the trace went through');
    assert.equal(c.invalid, 'false');
    const tokens = await page.evaluate(() => window.glasswing.lastTrace.tokens);
    assert.deepEqual(tokens, ['a', ' ', 'c', 'a', 'f', '<unk>', '<unk>', ' ', 'b']);
    assert.deepEqual(await page.$$eval('#tokens .chip.unk', (cs) => cs.map((ch) => Number(ch.dataset.pos))), [5, 6]);
    assert.equal(await page.getAttribute('#alphabet-toggle', 'hidden'), null);
    await page.click('#alphabet-toggle');
    assert.match(await page.textContent('#alphabet'), /Special tokens, which no text produces: <unk>/);
    await page.screenshot({ path: shotPath('unknown-chars-unk'), clip: { x: 0, y: 0, width: 1600, height: 700 } });
    assertClean(log, origin);
    await context.close();
  });
});

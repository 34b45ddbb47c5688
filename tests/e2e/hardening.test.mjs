// Issue 9 (hardening), the page's side: no wedged explorer whatever the order
// of clicks, errors worded by code in both languages, special tokens kept
// out of sample text, <glasswing-view> and embed.html refusing what is not
// theirs, links of bounded length. One server and browser for the file.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertClean, FIXTURES, openPage, pickModel, serve, shotPath, typeText, useBrowser, WWW } from './helpers.mjs';
import { memoryBudget } from '../../www/js/budget.js';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));

/**
 * Serves a model worker the test can steer: after the page posts
 * {slowTraces: ms} to it, every trace blocks the worker for that long first,
 * as a big model would; {budgetBytes: n} sets the wasm's memory budget. The
 * real worker.js runs inside it, unchanged (same wasm module instance).
 */
async function testWorker(context) {
  await context.route(/\/js\/worker\.js$/, (route) => route.fulfill({
    contentType: 'text/javascript; charset=utf-8',
    body: `import './worker.js?real';
import * as glasswing from '../pkg/glasswing.js';
const real = self.onmessage;
let delay = 0;
self.onmessage = (ev) => {
  if (ev.data && ev.data.slowTraces !== undefined) { delay = ev.data.slowTraces; return; }
  if (ev.data && ev.data.budgetBytes !== undefined) { glasswing.setMemoryBudget(ev.data.budgetBytes); return; }
  if (ev.data && ev.data.op === 'trace' && delay) { const end = performance.now() + delay; while (performance.now() < end); }
  real(ev);
};`,
  }));
}
const slowWorker = testWorker;
const setSlow = (page, ms) => page.evaluate((ms) => window.glasswing.engine.worker.postMessage({ slowTraces: ms }), ms);
const tracedText = (page) => page.evaluate(() => window.glasswing.lastTrace?.tokens.join('') ?? null);

describe('the trace queue never wedges', () => {
  test('switching to a model already loaded while a trace runs: the new model is traced, and typing still retraces', async () => {
    const { page, context, log } = await openPage(browser, null);
    await slowWorker(context);
    await page.goto(`${origin}/#model=gpt-untrained.safetensors`);
    await page.evaluate(() => window.glasswing.ready);
    await pickModel(page, 'reverse-gpt.safetensors'); // loaded once: switching back needs no load
    await pickModel(page, 'gpt-untrained.safetensors');
    await setSlow(page, 1500);
    const before = await page.evaluate(() => window.glasswing.traceCount);
    await page.fill('#text-input', 'the cat sat'); // a slow trace starts after the debounce
    await page.waitForTimeout(500);
    await setSlow(page, 0); // (read by the worker after the slow trace)
    await page.selectOption('#model-select', 'shipped:reverse-gpt.safetensors');
    await page.waitForFunction((n) => window.glasswing.traceCount > n, before, { timeout: 10000 });
    assert.equal(await page.$eval('#model-select', (s) => s.value), 'shipped:reverse-gpt.safetensors');
    assert.equal(await tracedText(page), 'hgfedc>', 'the new model traces its example');
    await typeText(page, 'abc>');
    assert.equal(await tracedText(page), 'abc>');
    assert.equal(await page.getAttribute('#tokens', 'data-t'), '4');
    assertClean(log, origin);
    await context.close();
  });

  test('arrow keys through the lesson faster than the traces: the page still traces the text in its box', async () => {
    const { page, context, log } = await openPage(browser, null);
    await slowWorker(context);
    await page.goto(`${origin}/`);
    await page.evaluate(() => window.glasswing.ready);
    await setSlow(page, 250);
    await page.keyboard.press('l');
    await page.waitForSelector('.lesson:not([hidden])');
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(40);
    }
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('ArrowLeft');
      await page.waitForTimeout(40);
    }
    await setSlow(page, 0);
    await page.keyboard.press('l'); // close the lesson
    await page.waitForSelector('.lesson', { state: 'hidden' });
    // A model no lesson step uses, then the reader's own text.
    await page.selectOption('#model-select', 'shipped:sort-gpt.safetensors');
    await page.waitForFunction(() => window.glasswing.lastTrace?.tokens.join('') === '3141592>', null, { timeout: 15000 });
    await page.fill('#text-input', '2718>');
    await page.waitForFunction(() => window.glasswing.lastTrace?.tokens.join('') === '2718>', null, { timeout: 15000 });
    assertClean(log, origin);
    await context.close();
  });
});

// ---- errors in the reader's language, by code ------------------------------

const errorText = (page) => page.textContent('#error .error-text');
const setLang = async (page, lang) => {
  await page.click(`.lang-switch button[data-lang="${lang}"]`);
  await page.waitForFunction((l) => document.documentElement.lang.startsWith(l), lang);
};

describe('errors are worded by their code, in English and Chinese', () => {
  test('unknown character, too long, over the memory budget: traced text errors', async () => {
    const { page, context, log } = await openPage(browser, null);
    await testWorker(context);
    await page.goto(`${origin}/#model=gpt-untrained.safetensors`);
    await page.evaluate(() => window.glasswing.ready);
    // The core's errors reach the page with their code and fields.
    const e = await page.evaluate(() => window.glasswing.engine.traceText(1, 'café').catch((err) => ({ message: err.message, code: err.code, fields: err.fields })));
    assert.deepEqual({ code: e.code, fields: e.fields }, { code: 'unknown_char', fields: { char: 'é', code: 0xe9, pos: 3 } });

    // The page marks every unknown character under the text box (positions from 1),
    // instead of a line naming the first one.
    await typeText(page, 'café');
    assert.equal(await page.textContent('#input-check .input-check-text'),
      '1 character of this text is not in the model’s vocabulary: “é” (position 4). Remove or replace it, or look at the model’s alphabet.');
    assert.ok(await page.isHidden('#error'), 'no second message for the same problem');
    await setLang(page, 'zh');
    assert.equal(await page.textContent('#input-check .input-check-text'),
      '这段文字里有 1 个字符不在模型的词表里：“é”（位置 4）。请删掉或换掉它，也可以查看模型认识哪些字符。');

    const max = await page.evaluate(() => window.glasswing.info.max_len);
    await typeText(page, 'a'.repeat(max + 5));
    assert.equal(await errorText(page), `输入有 ${(max + 5).toLocaleString('en-US')} 个词元，超过了模型的上限 ${max.toLocaleString('en-US')} 个`);
    await setLang(page, 'en');
    assert.equal(await errorText(page), `sequence of ${(max + 5).toLocaleString('en-US')} tokens is longer than the model's maximum of ${max.toLocaleString('en-US')}`);

    // The smallest budget the core takes (1 MB), and a 200-token text that
    // needs more: the core refuses before allocating, and says how far to cut.
    await page.evaluate(() => window.glasswing.engine.worker.postMessage({ budgetBytes: 1e6 }));
    const long = 'the cat sat on the mat. '.repeat(9).slice(0, 200);
    await typeText(page, long);
    const over = await page.evaluate((text) => window.glasswing.engine.traceText(1, text).catch((err) => ({ code: err.code, fields: err.fields })), long);
    assert.equal(over.code, 'over_budget');
    assert.equal(over.fields.what, 'trace');
    assert.equal(over.fields.unit, 'tokens');
    assert.equal(over.fields.limit_bytes, 1e6);
    assert.ok(over.fields.max >= 1 && over.fields.max < 200, JSON.stringify(over.fields));
    assert.match(await errorText(page), new RegExp(`^tracing this text would need about [\\d.]+ MB of memory, more than the 1.0 MB this page allows: use at most ${over.fields.max} tokens$`));
    await setLang(page, 'zh');
    assert.match(await errorText(page), new RegExp(`^计算这段输入需要约 [\\d.]+ MB 内存，超过了本页允许的 1.0 MB：请把输入减到最多 ${over.fields.max} 个词元$`));
    await page.screenshot({ path: shotPath('hardening-over-budget-zh'), clip: { x: 0, y: 0, width: 1600, height: 400 } });
    // Within the budget again, the text traces.
    await typeText(page, 'the cat');
    assert.ok(await page.isHidden('#error'));
    assert.equal(await page.getAttribute('#tokens', 'data-t'), '7');
    assertClean(log, origin);
    await context.close();
  });

  test('a file that is not a model, and one cut short: load errors in both languages', async () => {
    const { page, context, log } = await openPage(browser, `${origin}/#model=gpt-untrained.safetensors`);
    await page.setInputFiles('#file-input', { name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not a checkpoint at all') });
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await errorText(page), /^Could not open broken\.safetensors: not a valid safetensors file: .+/);
    await setLang(page, 'zh');
    assert.match(await errorText(page), /^无法打开 broken\.safetensors：这不是有效的 safetensors 文件（.+）$/);

    // A shipped model with its last 1000 bytes cut off: the header promises more than the file holds.
    const whole = readFileSync(join(WWW, 'models', 'reverse-gpt.safetensors'));
    const cut = whole.subarray(0, whole.length - 1000);
    await page.setInputFiles('#file-input', { name: 'cut.safetensors', mimeType: 'application/octet-stream', buffer: cut });
    await page.waitForFunction(() => document.querySelector('#error .error-text').textContent.includes('cut.safetensors'));
    const zh = await errorText(page);
    assert.match(zh, /^无法打开 cut\.safetensors：文件不完整：文件头说数据有 [\d,]+ 字节，但文件只有 [\d,]+ 字节$/);
    assert.ok(zh.includes(`${whole.length.toLocaleString('en-US')} 字节，但文件只有 ${cut.length.toLocaleString('en-US')} 字节`), zh);
    await setLang(page, 'en');
    assert.match(await errorText(page), /^Could not open cut\.safetensors: the file is truncated: its header describes [\d,]+ bytes but the file has [\d,]+$/);
    // The page keeps working.
    await typeText(page, 'the cat');
    assert.equal(await page.getAttribute('#tokens', 'data-t'), '7');
    assertClean(log, origin);
    await context.close();
  });
});

// ---- the memory budget -----------------------------------------------------

describe('memory budget', () => {
  test('the formula: a quarter of the device, at most 2 GiB, at least 256 MiB, else the core\'s 1.5 GiB', () => {
    const GiB = 2 ** 30;
    assert.equal(memoryBudget(undefined), 1.5 * GiB);
    assert.equal(memoryBudget(Number.NaN), 1.5 * GiB);
    assert.equal(memoryBudget(8), 2 * GiB);
    assert.equal(memoryBudget(4), 1 * GiB);
    assert.equal(memoryBudget(2), 0.5 * GiB);
    assert.equal(memoryBudget(0.25), 256 * 2 ** 20);
    assert.equal(memoryBudget(64), 2 * GiB);
  });

  test('both workers set their wasm instance\'s budget from the browser once they start', async () => {
    const { page, context, log } = await openPage(browser, `${origin}/`);
    const deviceMemory = await page.evaluate(() => navigator.deviceMemory);
    const want = memoryBudget(deviceMemory);
    const engine = await page.evaluate(() => window.glasswing.engine.call('budget'));
    assert.deepEqual(engine, { bytes: want, core: want });
    const train = await page.evaluate(async () => {
      await window.glasswing.train.ensureWorker();
      return window.glasswing.train.client.call('budget');
    });
    assert.deepEqual(train, { bytes: want, core: want });
    assertClean(log, origin);
    await context.close();
  });
});

// ---- special tokens stay out of the sample text ----------------------------

/** A safetensors file (f32) from [{name, shape}] with small deterministic weights and string metadata. */
function safetensors(tensors, metadata) {
  const header = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1) * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json);
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  for (let i = 0, p = 8 + headerBytes.length; p < out.length; i++, p += 4) out.writeFloatLE(0.3 * Math.sin(i * 1.7), p);
  return out;
}

/** A one-layer RNN whose vocabulary starts with special tokens (and has no <unk>). */
function specialTokensRnn() {
  const vocab = ['<pad>', '<bos>', '<eos>', 'x', 'y', 'z', 'w', 'q'];
  const [v, e, h] = [vocab.length, 4, 6];
  return safetensors([
    { name: 'embed.weight', shape: [v, e] }, { name: 'rnn.weight_ih_l0', shape: [h, e] },
    { name: 'rnn.weight_hh_l0', shape: [h, h] }, { name: 'rnn.bias_ih_l0', shape: [h] },
    { name: 'rnn.bias_hh_l0', shape: [h] }, { name: 'head.weight', shape: [v, h] }, { name: 'head.bias', shape: [v] },
  ], {
    arch: 'rnn',
    config: JSON.stringify({ vocab_size: v, embed_dim: e, hidden_size: h, num_layers: 1, nonlinearity: 'tanh' }),
    vocab: JSON.stringify(vocab),
    title: 'special tokens first',
  });
}

describe('a vocabulary that starts with special tokens', () => {
  test('the explorer starts from its one-character tokens and traces them', async () => {
    const { page, context, log } = await openPage(browser, `${origin}/#model=gpt-untrained.safetensors`);
    const before = await page.evaluate(() => window.glasswing.attempts);
    await page.setInputFiles('#file-input', { name: 'special.safetensors', mimeType: 'application/octet-stream', buffer: specialTokensRnn() });
    await page.waitForFunction((n) => window.glasswing.attempts > n && window.glasswing.state.modelKey?.startsWith('user:'), before);
    await page.evaluate(() => window.glasswing.nextDraw());
    assert.equal(await page.inputValue('#text-input'), 'xyzwq');
    assert.ok(await page.isHidden('#error'), await page.textContent('#error'));
    assert.equal(await tracedText(page), 'xyzwq');
    assertClean(log, origin);
    await context.close();
  });

  test('<glasswing-view> (embed.html) without a text does the same', async () => {
    const { page, context, log } = await openPage(browser, null);
    await context.route(`${origin}/models/special.safetensors`, (route) => route.fulfill({ contentType: 'application/octet-stream', body: specialTokensRnn() }));
    await page.goto(`${origin}/embed.html#model=special.safetensors&lang=en`);
    await page.evaluate(() => document.querySelector('glasswing-view').ready);
    const state = await page.$eval('glasswing-view', (v) => ({ error: v.error, tokens: v.trace?.tokens.join('') ?? null }));
    assert.deepEqual(state, { error: null, tokens: 'xyzwq' });
    assertClean(log, origin);
    await context.close();
  });
});

// ---- embed.html and <glasswing-view> refuse what is not theirs -------------

const viewState = (page, sel = 'glasswing-view') => page.$eval(sel, (v) => ({
  error: v.error, state: v.dataset.state, tokens: v.trace?.tokens.join('') ?? null, shown: v.shadowRoot.querySelector('.gv-error').hidden ? null : v.shadowRoot.querySelector('.gv-error').textContent,
}));

describe('embed.html with a model name that is not a model file', () => {
  test('says the name is not a usable model file, in English and Chinese', async () => {
    const { page, context, log } = await openPage(browser, null);
    const cases = [
      ['../x', 'en', '“../x” is not a usable model file: name one of the .safetensors files in the models folder, such as induction-gpt.safetensors.'],
      ['../x', 'zh', '“../x”不是可用的模型文件：请填写 models 文件夹里某个 .safetensors 文件的名字，例如 induction-gpt.safetensors。'],
      ['http://evil.example/x.safetensors', 'en', '“http://evil.example/x.safetensors” is not a usable model file: name one of the .safetensors files in the models folder, such as induction-gpt.safetensors.'],
      ['index.json', 'en', '“index.json” is not a usable model file: name one of the .safetensors files in the models folder, such as induction-gpt.safetensors.'],
    ];
    const open = async (hash) => {
      await page.goto('about:blank'); // a new document each time, not a hash change
      await page.goto(`${origin}/embed.html#${hash}`);
      await page.evaluate(() => document.querySelector('glasswing-view').ready);
    };
    for (const [model, lang, want] of cases) {
      await page.goto('about:blank');
      await page.goto(`${origin}/embed.html#${new URLSearchParams({ model, text: 'abc', lang })}`);
      await page.evaluate(() => document.querySelector('glasswing-view').ready);
      const s = await viewState(page);
      assert.equal(s.shown, want, model);
      assert.equal(s.state, 'error');
    }
    // A plain .safetensors name that is not there: the server has no such file.
    await open('model=nope.safetensors&lang=en');
    assert.equal((await viewState(page)).shown, `Could not open nope.safetensors: there is no such file on the server (${origin}/models/nope.safetensors, HTTP 404)`);
    await open('model=nope.safetensors&lang=zh');
    assert.equal((await viewState(page)).shown, `无法打开 nope.safetensors：服务器上没有这个文件（${origin}/models/nope.safetensors，HTTP 404）`);
    await page.screenshot({ path: shotPath('hardening-embed-nope-zh') });
    // No model at all still says so; a good name after a bad one draws.
    await open('lang=en');
    assert.match((await viewState(page)).shown, /^No model chosen/);
    await page.evaluate(() => { location.hash = '#model=..%2Fx&lang=en'; });
    await page.waitForFunction(() => /not a usable model file/.test(document.querySelector('glasswing-view').error ?? ''));
    await page.evaluate(() => { location.hash = '#model=induction-gpt.safetensors&text=qxmw|qxm&lang=en'; });
    await page.waitForFunction(() => document.querySelector('glasswing-view').trace?.tokens.join('') === 'qxmw|qxm');
    assert.equal((await viewState(page)).error, null);
    assertClean(log, origin, { http: false, failed: false });
    assert.deepEqual(log.httpErrors.map((s) => s.replace(origin, '')), ['404 /models/nope.safetensors', '404 /models/nope.safetensors']);
    await context.close();
  });
});

describe('<glasswing-view> loads models from its own origin only', () => {
  let other;
  let otherOrigin;
  const otherRequests = [];
  before(async () => {
    ({ server: other, origin: otherOrigin } = await serve());
    other.on('request', (req) => otherRequests.push(req.url));
  });
  after(() => other?.close());

  test('a model or src on another origin is refused in the element, and never requested', async () => {
    const { page, context, log } = await openPage(browser, null);
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<script type="module" src="/glasswing-view.js"></script></head><body>
<glasswing-view id="abs" model="${otherOrigin}/models/toy-gpt.safetensors" text="the cat"></glasswing-view>
<glasswing-view id="src" src="${otherOrigin}/models/" model="toy-gpt.safetensors" text="the cat"></glasswing-view>
<glasswing-view id="proto" model="//${new URL(otherOrigin).host}/models/toy-gpt.safetensors" text="the cat"></glasswing-view>
<glasswing-view id="evil" model="http://evil.example/x.safetensors"></glasswing-view>
<glasswing-view id="data" model="data:application/octet-stream;base64,AAAA"></glasswing-view>
<glasswing-view id="mixed" src="${otherOrigin}/models/" model="${origin}/models/toy-gpt.safetensors" text="the cat"></glasswing-view>
<glasswing-view id="same" model="${origin}/models/toy-gpt.safetensors" text="the cat"></glasswing-view>
</body></html>`;
    await context.route(`${origin}/xo-test.html`, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: html }));
    await page.goto(`${origin}/xo-test.html`);
    await page.evaluate(() => Promise.all([...document.querySelectorAll('glasswing-view')].map((v) => v.ready)));
    for (const [id, foreign] of [['abs', otherOrigin], ['src', otherOrigin], ['proto', otherOrigin], ['evil', 'http://evil.example']]) {
      const s = await viewState(page, `#${id}`);
      assert.equal(s.state, 'error', id);
      assert.equal(s.tokens, null, id);
      const name = await page.getAttribute(`#${id}`, 'model');
      assert.equal(s.shown, `Refused to load ${name}: it is on another site (${foreign}). A Glasswing view only loads models from its own site (${origin}).`, id);
    }
    assert.match((await viewState(page, '#data')).shown, /^Refused to load data:.*another site \(data:…\)/);
    // A model on this site but a models folder (its index.json) on another: refused too, naming the folder.
    assert.equal((await viewState(page, '#mixed')).shown,
      `Refused to load ${otherOrigin}/models/: it is on another site (${otherOrigin}). A Glasswing view only loads models from its own site (${origin}).`);
    assert.deepEqual(await viewState(page, '#same').then((s) => [s.error, s.tokens]), [null, 'the cat']);
    // In Chinese too.
    await page.evaluate(() => document.querySelector('#abs').setAttribute('lang', 'zh'));
    await page.waitForFunction(() => /^拒绝加载/.test(document.querySelector('#abs').error ?? ''));
    assert.equal((await viewState(page, '#abs')).shown, `拒绝加载 ${otherOrigin}/models/toy-gpt.safetensors：它在另一个网站上（${otherOrigin}）。Glasswing 视图只加载与自己同一网站（${origin}）的模型。`);
    await page.screenshot({ path: shotPath('hardening-view-other-origin'), fullPage: true });
    // Changing an element's src to another origin later is refused as well.
    await page.evaluate((o) => document.querySelector('#same').setAttribute('src', `${o}/models/`), otherOrigin);
    await page.evaluate((o) => document.querySelector('#same').setAttribute('model', 'induction-gpt.safetensors'), otherOrigin);
    await page.waitForFunction(() => /another site/.test(document.querySelector('#same').error ?? ''));
    await page.waitForTimeout(300);
    assert.deepEqual(otherRequests, [], 'no request reached the other origin');
    assertClean(log, origin);
    await context.close();
  });
});

// ---- links carry a bounded text --------------------------------------------

describe('a long text in the box', () => {
  test('the link carries its first 2,000 characters and the Share menu says so; Back and reload keep the whole text', async () => {
    const { page, context, log } = await openPage(browser, `${origin}/#model=gpt-untrained.safetensors`);
    const long = 'the cat sat on the mat. '.repeat(12500); // 300,000 characters
    await typeText(page, long);
    await page.waitForFunction(() => location.hash.includes('text='));
    await page.waitForTimeout(300); // the hash is written 120 ms after a change
    const hash = await page.evaluate(() => location.hash);
    assert.ok(hash.length < 10000, `hash of ${hash.length} characters`);
    const text = new URLSearchParams(hash.slice(1)).get('text');
    assert.equal(text, long.slice(0, 2000));
    // The menu's link, iframe and element code carry the same start, and the menu says so.
    await page.click('#share-menu summary');
    await page.waitForSelector('.share-text-note:not([hidden])');
    assert.equal(await page.textContent('.share-text-note'),
      'The text is long: this link and the embed code below carry only its first 2,000 characters (of 300,000).');
    const link = await page.inputValue('#share-link');
    assert.equal(new URLSearchParams(new URL(link).hash.slice(1)).get('text'), long.slice(0, 2000));
    const element = await page.inputValue('#share-element');
    assert.ok(element.length < 3000, `element code of ${element.length} characters`);
    assert.ok(element.includes(`text="${long.slice(0, 2000)}"`));
    assert.ok((await page.inputValue('#share-iframe')).length < 10000);
    await page.screenshot({ path: shotPath('hardening-share-long-text'), clip: { x: 0, y: 0, width: 900, height: 700 } });
    await page.click('.lang-switch button[data-lang="zh"]');
    await page.click('#share-menu summary');
    await page.waitForSelector('.share-text-note:not([hidden])');
    assert.equal(await page.textContent('.share-text-note'), '文本太长：这个链接和下面的嵌入代码只带上它的前 2,000 个字符（全文共 300,000 个字符）。');
    await page.keyboard.press('Escape');
    await page.click('.lang-switch button[data-lang="en"]');

    // This tab keeps the whole text: a model switch and Back, then a reload.
    await pickModel(page, 'toy-gpt.safetensors');
    await page.waitForFunction(() => location.hash.includes('model=toy-gpt'));
    await page.goBack();
    await page.waitForFunction(() => window.glasswing.state.modelKey === 'shipped:gpt-untrained.safetensors');
    await page.waitForFunction((n) => document.querySelector('#text-input').value.length === n, long.length);
    await page.reload();
    await page.evaluate(() => window.glasswing.ready);
    assert.equal((await page.inputValue('#text-input')).length, long.length);
    // A short text travels whole, and the note goes.
    await typeText(page, 'the cat');
    await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get('text') === 'the cat');
    await page.click('#share-menu summary');
    assert.ok(await page.isHidden('.share-text-note'));
    assertClean(log, origin);
    await context.close();
  });
});

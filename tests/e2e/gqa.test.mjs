// Issue 12 item 5, the page's side: grouped-query attention is visible (the
// all-heads grid, its SVG export and the head buttons group the query heads
// that share a key/value head, "KV 1" / "键值头 1", numbered from 1), also at
// 144 heads a layer; and the model facts say how long an input this
// browser's memory budget traces (the core's own count, wasm maxTokens):
// that many tokens trace, one more is refused with over_budget naming it.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  FIXTURES, assertClean as assertPageClean, exportFile, launch, openFiles, openPage, safetensorsBytes, serve, shotPath, typeText,
} from './helpers.mjs';

const HUB = join(FIXTURES, 'hub');

let server;
let origin;
let browser;
let tmp;

before(async () => {
  ({ server, origin } = await serve());
  browser = await launch();
  tmp = mkdtempSync(join(tmpdir(), 'glasswing-gqa-'));
});
after(async () => {
  await browser?.close();
  server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const assertClean = (log) => assertPageClean(log, origin);
const filesOf = (dir) => readdirSync(dir).map((f) => join(dir, f));

const setLang = async (page, lang) => {
  await page.click(`.lang-switch button[data-lang="${lang}"]`);
  await page.evaluate(() => window.glasswing.nextDraw());
};

/** The grid as drawn: brackets, head labels and the first layer's thumbnails, with their boxes. */
const gridOf = (page) => page.evaluate(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
  const grid = document.querySelector('#model-panel .thumb-grid');
  return {
    brackets: [...grid.querySelectorAll('.kv-group')].map((el) => ({
      text: el.textContent, title: el.title, ...box(el), fits: el.scrollWidth <= el.clientWidth + 1,
    })),
    cols: [...grid.querySelectorAll('.thumb-col')].map((el) => ({ text: el.textContent, ...box(el) })),
    thumbs: [...grid.querySelectorAll('.thumb[data-layer="0"]')].map((el) => ({ label: el.getAttribute('aria-label'), ...box(el) })),
    note: document.querySelector('#model-panel .model-note').textContent,
    overflow: grid.dataset.overflow ?? '',
    scrollWidth: grid.scrollWidth,
    clientWidth: grid.clientWidth,
  };
});

/** Checks that the thumbnails stand in groups of g under their brackets. */
function assertGrouped(grid, H, g) {
  assert.equal(grid.thumbs.length, H);
  assert.equal(grid.brackets.length, H / g);
  const gaps = grid.thumbs.slice(1).map((th, h) => th.left - grid.thumbs[h].right); // gaps[h]: before head h + 1
  const within = Math.max(...gaps.filter((_, h) => (h + 1) % g !== 0));
  const between = Math.min(...gaps.filter((_, h) => (h + 1) % g === 0));
  assert.ok(between >= within + 8, `a wider gap between groups (${between}px) than within one (${within}px)`);
  grid.brackets.forEach((b, k) => {
    const first = grid.thumbs[k * g];
    const last = grid.thumbs[(k + 1) * g - 1];
    assert.ok(Math.abs(b.left - first.left) <= 2 && Math.abs(b.right - last.right) <= 2,
      `bracket ${k + 1} spans its heads: ${JSON.stringify({ b, first, last })}`);
    assert.ok(b.bottom <= grid.cols[0].top + 1, 'above the head labels');
    assert.ok(b.fits, `bracket ${k + 1}'s label fits: ${b.text}`);
  });
}

describe('grouped-query attention is visible', () => {
  for (const name of ['llama_tiny', 'qwen2_tiny_bf16']) {
    test(`${name} (4 query heads, 2 key/value heads): the all-heads grid, the head buttons and the SVG export group them`, async () => {
      const { page, context, log } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors&lang=en`);
      // A model with one key/value head per query head has no brackets.
      assert.equal(await page.locator('#model-panel .kv-group').count(), 0);
      const r = await openFiles(page, filesOf(join(HUB, name)));
      assert.ok(r.ok, r.error);
      await typeText(page, 'the cat sat on the mat');
      let grid = await gridOf(page);
      assertGrouped(grid, 4, 2);
      assert.deepEqual(grid.brackets.map((b) => [b.text, b.title]), [
        ['KV 1', 'Query heads 1–2 share key/value head 1'], ['KV 2', 'Query heads 3–4 share key/value head 2'],
      ]);
      assert.deepEqual(grid.thumbs.map((th) => th.label), [1, 2, 3, 4].map((h) => `Layer 1, head ${h} (key/value head ${h <= 2 ? 1 : 2})`));
      assert.match(grid.note, /^Grouped-query attention: 4 query heads share 2 key\/value heads\./);
      // The head buttons say their key/value head, and stand apart by group too.
      assert.deepEqual(await page.$$eval('#matrix-panel .head-seg', (bs) => bs.map((b) => [b.title, b.classList.contains('kv-start')])),
        [['Head 1 · key/value head 1', false], ['Head 2 · key/value head 1', false], ['Head 3 · key/value head 2', true], ['Head 4 · key/value head 2', false]]);
      assert.deepEqual(await page.$$eval('#heads-panel .head-toggle', (ls) => ls.map((l) => l.title)),
        ['Head 1 · key/value head 1', 'Head 2 · key/value head 1', 'Head 3 · key/value head 2', 'Head 4 · key/value head 2']);
      await page.locator('#model-panel').screenshot({ path: shotPath(`gqa-${name}-en`) });

      // The SVG export draws the same brackets, over the same heads.
      const svg = (await exportFile(page, 'svg', 'model')).text;
      const groups = [...svg.matchAll(/<g class="kv-group" data-kv="(\d+)"><text x="([\d.]+)"[^>]*>([^<]*)<\/text><path d="M([\d.]+) [\d.]+V[\d.]+H([\d.]+)V/g)]
        .map((m) => ({ kv: Number(m[1]), x: Number(m[2]), text: m[3], x0: Number(m[4]), x1: Number(m[5]) }));
      assert.deepEqual(groups.map((g) => [g.kv, g.text]), [[1, 'KV 1'], [2, 'KV 2']]);
      const heads = [1, 2, 3, 4].map((h) => Number(svg.match(new RegExp(`<text x="([\\d.]+)"[^>]*>Head ${h}</text>`))[1]));
      assert.ok(heads[2] - heads[1] > heads[1] - heads[0] + 8, `a wider gap between groups in the SVG: ${heads}`);
      groups.forEach((g, k) => assert.ok(g.x0 < heads[2 * k] && heads[2 * k + 1] < g.x1 && (g.x1 < heads[2] || k === 1), JSON.stringify({ g, heads })));
      assert.ok(svg.includes('4 query heads, 2 key/value heads'), 'the SVG says what the brackets mean');

      await setLang(page, 'zh');
      grid = await gridOf(page);
      assert.deepEqual(grid.brackets.map((b) => [b.text, b.title]), [
        ['键值头 1', '查询头 1–2 共用键值头 1'], ['键值头 2', '查询头 3–4 共用键值头 2'],
      ]);
      assert.equal(grid.thumbs[2].label, '第 1 层 · 第 3 个头（键值头 2）');
      assert.match(grid.note, /^分组查询注意力：4 个查询头共用 2 个键值头。/);
      assert.equal(await page.getAttribute('#matrix-panel .head-seg[data-index="3"]', 'title'), '头 4 · 键值头 2');
      const zhSvg = (await exportFile(page, 'svg', 'model')).text;
      assert.ok(zhSvg.includes('>键值头 2</text>') && zhSvg.includes('4 个查询头、2 个键值头'), 'the SVG in Chinese');
      await page.locator('#model-panel').screenshot({ path: shotPath(`gqa-${name}-zh`) });
      assertClean(log);
      await context.close();
    });
  }

  test('144 query heads sharing 72 key/value heads: every bracket readable, the grid scrolls sideways', async () => {
    // A random Llama of 2 layers, 144 heads of width 2 (72 key/value heads), traced by ids.
    const [L, H, KV, D, C, I, V] = [2, 144, 72, 2, 8, 16, 20];
    let seed = 7;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 - 0.5; };
    const tensor = (shape, scale = 1) => [shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 * scale)];
    const ones = (n) => [[n], new Float32Array(n).fill(1)];
    const tensors = { 'model.embed_tokens.weight': tensor([V, C]), 'model.norm.weight': ones(C), 'lm_head.weight': tensor([V, C]) };
    for (let l = 0; l < L; l++) {
      const p = `model.layers.${l}`;
      Object.assign(tensors, {
        [`${p}.self_attn.q_proj.weight`]: tensor([H * D, C], 3), [`${p}.self_attn.k_proj.weight`]: tensor([KV * D, C], 3),
        [`${p}.self_attn.v_proj.weight`]: tensor([KV * D, C]), [`${p}.self_attn.o_proj.weight`]: tensor([C, H * D], 0.1),
        [`${p}.mlp.gate_proj.weight`]: tensor([I, C]), [`${p}.mlp.up_proj.weight`]: tensor([I, C]), [`${p}.mlp.down_proj.weight`]: tensor([C, I]),
        [`${p}.input_layernorm.weight`]: ones(C), [`${p}.post_attention_layernorm.weight`]: ones(C),
      });
    }
    const dir = join(tmp, 'llama144');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.safetensors'), safetensorsBytes(tensors, { format: 'pt' }));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: C, intermediate_size: I, num_hidden_layers: L,
      num_attention_heads: H, num_key_value_heads: KV, head_dim: D, max_position_embeddings: 64, rms_norm_eps: 1e-6,
      rope_theta: 10000, vocab_size: V, tie_word_embeddings: false, hidden_act: 'silu',
    }));
    const { page, context, log } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors&lang=en`);
    const r = await openFiles(page, filesOf(dir));
    assert.ok(r.ok, r.error);
    await typeText(page, '1 2 3 4 5 6 7 8 9 10 11 12');
    for (const lang of ['en', 'zh']) {
      await setLang(page, lang);
      const grid = await gridOf(page);
      assertGrouped(grid, H, H / KV);
      assert.equal(grid.brackets[71].text, lang === 'en' ? 'KV 72' : '键值头 72');
      assert.ok(grid.thumbs.every((th) => th.right - th.left >= 32 + 10 - 1), 'thumbnails no smaller than 32 px');
      assert.ok(grid.scrollWidth > grid.clientWidth && grid.overflow.includes('x'), 'the grid scrolls sideways, and says so');
      await page.locator('#model-panel').screenshot({ path: shotPath(`gqa-144-heads-${lang}`) });
    }
    // Scrolled to the end, the last groups are there and readable.
    await page.$eval('#model-panel .thumb-grid', (g) => { g.scrollLeft = g.scrollWidth; });
    await page.evaluate(() => window.glasswing.nextDraw());
    await page.locator('#model-panel').screenshot({ path: shotPath('gqa-144-heads-end') });
    assertClean(log);
    await context.close();
  });
});

// ---- how far the page will go ---------------------------------------------

/** A worker the test can give a memory budget ({budgetBytes}), as hardening.test.mjs does. */
async function budgetWorker(context) {
  await context.route(/\/js\/worker\.js$/, (route) => route.fulfill({
    contentType: 'text/javascript; charset=utf-8',
    body: `import './worker.js?real';
import * as glasswing from '../pkg/glasswing.js';
const real = self.onmessage;
self.onmessage = (ev) => {
  if (ev.data && ev.data.budgetBytes !== undefined) { glasswing.setMemoryBudget(ev.data.budgetBytes); return; }
  real(ev);
};`,
  }));
}

const errorText = (page) => page.evaluate(() => (document.querySelector('#error').hidden ? null : document.querySelector('#error .error-text').textContent));
const factOf = (page, dt) => page.$$eval('#model-facts div', (divs, dt) => divs.map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent]).find(([k]) => k === dt)?.[1] ?? null, dt);

/** A text of exactly n tokens for the open model: words until the count is reached, then single letters. */
async function textOf(page, n) {
  return page.evaluate(async (n) => {
    const g = window.glasswing;
    const count = async (s) => (await g.engine.encode(g.modelId, s)).length;
    let text = '';
    const words = ' the cat sat on a mat and it was good'.split(/(?= )/);
    for (let k = 0; ; k++) {
      const next = text + words[k % words.length];
      if (await count(next) > n) break;
      text = next;
    }
    while (await count(text) < n) text += 'a';
    if (await count(text) !== n) throw new Error(`no text of ${n} tokens`);
    return text;
  }, n);
}

describe('the page says how far it will go', () => {
  test('Llama: the model facts state the longest input this browser traces; that many tokens trace, one more is refused', async () => {
    const { page, context, log } = await openPage(browser, null);
    await budgetWorker(context);
    await page.goto(`${origin}/?model=gpt-untrained.safetensors&lang=en`);
    await page.evaluate(() => window.glasswing.ready);
    // A small budget: llama_tiny's 128 positions no longer all fit.
    const budget = 400e3;
    await page.evaluate((b) => window.glasswing.engine.worker.postMessage({ budgetBytes: b }), budget);
    const r = await openFiles(page, filesOf(join(HUB, 'llama_tiny')));
    assert.ok(r.ok, r.error);
    const info = await page.evaluate(() => window.glasswing.info);
    const n = info.max_tokens;
    assert.equal(info.max_len, 128);
    assert.ok(Number.isInteger(n) && n > 8 && n < 128, `the budget allows ${n} tokens`);
    assert.equal(await factOf(page, 'Max length'), `128 (this browser: up to ${n} tokens)`);
    await page.locator('.controls').screenshot({ path: shotPath('gqa-max-tokens-en') });

    // n tokens trace.
    const fits = await textOf(page, n);
    await typeText(page, fits);
    assert.equal(await errorText(page), null);
    assert.equal(await page.getAttribute('#tokens', 'data-t'), String(n));
    // One more is refused before anything is allocated, naming n.
    const over = await textOf(page, n + 1);
    const e = await page.evaluate((text) => window.glasswing.engine.traceText(window.glasswing.modelId, text).then(() => null, (err) => ({ code: err.code, fields: err.fields })), over);
    assert.deepEqual({ code: e?.code, what: e?.fields.what, max: e?.fields.max, unit: e?.fields.unit, limit: e?.fields.limit_bytes },
      { code: 'over_budget', what: 'trace', max: n, unit: 'tokens', limit: budget });
    await typeText(page, over);
    assert.match(await errorText(page), new RegExp(`: use at most ${n} tokens$`));

    await setLang(page, 'zh');
    assert.equal(await factOf(page, '最大长度'), `128（本浏览器最多 ${n} 个词元）`);
    assert.match(await errorText(page), new RegExp(`请把输入减到最多 ${n} 个词元$`));
    await page.locator('.controls').screenshot({ path: shotPath('gqa-max-tokens-zh') });
    assertClean(log);
    await context.close();
  });

  test('Qwen2 at the browser\'s own budget: the whole trained context fits, and the facts say so', async () => {
    const { page, context, log } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors&lang=en`);
    const r = await openFiles(page, filesOf(join(HUB, 'qwen2_tiny_bf16')));
    assert.ok(r.ok, r.error);
    const n = await page.evaluate(() => window.glasswing.info.max_tokens);
    assert.equal(n, 128);
    assert.equal(await factOf(page, 'Max length'), '128 (this browser: up to 128 tokens)');
    assertClean(log);
    await context.close();
  });
});

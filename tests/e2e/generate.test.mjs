// Browser tests for the Generate panel (www/js/generate/): stepping, play and
// pause, back, branching by clicking a bar, the tree, the sampler controls,
// the native CLI and the page writing the same text from the same seed, the
// RNN, Chinese, errors, the keyboard, and switching models while playing (the
// old model's late answers dropped). One server and browser for the file.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { assertClean as assertPageClean, canvasStats, openPage, ROOT, shotPath, useBrowser } from './helpers.mjs';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));
const CLI = join(ROOT, 'target', 'release', 'glasswing');

const assertClean = (log) => assertPageClean(log, origin, { http: false });

/** Opens the page on a shipped model and types `prompt` into the text box; waits for the panel. */
async function open(model, prompt, { lang = 'en' } = {}) {
  const opened = await openPage(browser, `${origin}/?model=${model}&lang=${lang}`);
  await setPrompt(opened.page, prompt);
  return opened;
}

async function setPrompt(page, prompt) {
  await page.fill('#text-input', prompt);
  await page.waitForFunction((p) => {
    const g = window.glasswing.generate.generation;
    return g.ready && g.prompt.tokens.join('') === p && !g.busy;
  }, prompt);
  await idle(page);
}

const idle = (page) => page.evaluate(() => window.glasswing.generate.idle());
const depth = (page) => page.evaluate(() => window.glasswing.generate.generation.cursor?.depth ?? 0);
const ids = (page) => page.evaluate(() => window.glasswing.generate.ids);

/** Clicks a panel button and waits until the panel has done what it asked. */
async function press(page, name) {
  await page.click(`#generate-panel [data-gen="${name}"]`);
  await idle(page);
}

/** The pipeline as drawn: one entry per token row, with each stage's probability. */
function pipeline(page) {
  return page.$$eval('#generate-panel .gen-pipeline button.gen-row', (rows) => rows.map((r) => ({
    id: Number(r.dataset.id),
    tok: r.querySelector('.gen-tok').firstChild.textContent,
    taken: r.classList.contains('taken'),
    drawn: r.classList.contains('drawn'),
    tag: r.querySelector('.tag')?.textContent ?? null,
    p: Object.fromEntries([...r.querySelectorAll('.gen-cell')].map((c) => [c.dataset.stage, Number(c.dataset.p)])),
    width: Number.parseFloat(r.querySelector('.gen-cell.final .bar-fill').style.width),
  })));
}

/** The distributions behind what the pipeline shows (the next token's, or the inspected one's). */
function shownChoice(page) {
  return page.evaluate(() => {
    const panel = window.glasswing.generate.generation;
    const c = document.querySelector('.gen-output .gen-chip.inspected');
    const key = c?.dataset.key;
    let choice = panel.cursor.pending;
    if (key && key !== 'next') {
      for (let n = panel.cursor; n?.parent; n = n.parent) if (String(n.key) === key) choice = n.choice;
    }
    const plain = (a) => Array.from(a);
    return { id: choice.id, raw: plain(choice.raw), temp: plain(choice.after_temperature), topK: plain(choice.after_top_k), topP: plain(choice.after_top_p), probs: plain(choice.probs) };
  });
}

/** Sets a sampler number box the way a user does (type, then leave the field). */
async function setNumber(page, name, value) {
  await page.fill(`#generate-panel [data-gen="${name}"]`, String(value));
  await page.press(`#generate-panel [data-gen="${name}"]`, 'Tab');
  await idle(page);
}

/** Moves a range input (a drag or arrow keys end in the same input event). */
async function setRange(page, name, value) {
  await page.$eval(`#generate-panel [data-gen="${name}"]`, (el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
  await idle(page);
}

const nonzero = (a) => a.filter((p) => p > 0).length;
const argmax = (a) => a.reduce((best, p, i) => (p > a[best] ? i : best), 0);

describe('Generate panel', () => {
  test('Step appends one sampled token, draws its bars and attention, marks the chosen token', async () => {
    const { page, log } = await open('toy-gpt.safetensors', 'the cat');
    const before = await ids(page);
    assert.deepEqual(before.length, 7, 'the prompt is 7 tokens');
    assert.equal(await page.getAttribute('#generate-panel [data-gen="back"]', 'aria-disabled'), 'true', 'nothing to go back to');

    await press(page, 'step');
    const after = await ids(page);
    assert.equal(after.length, 8, 'one token appended');
    assert.deepEqual(after.slice(0, 7), before);
    const newId = after[7];
    const vocab = await page.evaluate(() => window.glasswing.info.vocab);

    // The text shows the prompt and one generated chip, the new token.
    assert.equal(await page.textContent('.gen-output .gen-prompt'), 'the cat');
    const chips = await page.$$eval('.gen-output .gen-chip:not(.gen-next)', (cs) => cs.map((c) => c.textContent));
    assert.equal(chips.length, 1);
    assert.equal(chips[0], vocab[newId] === ' ' ? '␣' : vocab[newId]);

    // The bars: 10 token rows, each stage a distribution; the new token's row is marked as drawn.
    const rows = await pipeline(page);
    assert.ok(rows.length >= 10, `${rows.length} rows`);
    const taken = rows.filter((r) => r.taken);
    assert.equal(taken.length, 1, 'exactly one row marked');
    assert.equal(taken[0].id, newId, 'the marked row is the token that was appended');
    assert.equal(taken[0].tag, 'drawn');
    const choice = await shownChoice(page);
    assert.equal(choice.id, newId);
    for (const r of rows) {
      assert.ok(Math.abs(r.p.raw - choice.raw[r.id]) < 1e-6, 'raw bar matches the model distribution');
      assert.ok(Math.abs(r.width - r.p.probs * 100) < 1e-3, 'bar length is the probability');
    }
    const total = choice.probs.reduce((s, p) => s + p, 0);
    assert.ok(Math.abs(total - 1) < 1e-4, `final distribution sums to ${total}`);

    // Attention rows of the new token: [L, H, T] = [2, 4, 8], drawn.
    assert.equal(await page.getAttribute('.gen-step-view', 'data-kind'), 'attention');
    assert.equal(await page.getAttribute('.gen-step-view', 'data-shape'), '2,4,8');
    const s = await canvasStats(page, '.gen-step-view canvas');
    assert.ok(s.inked > 0.2 && s.colours > 10, `attention canvas looks blank: ${JSON.stringify(s)}`);
    const rowsSum = await page.evaluate(() => {
      const a = window.glasswing.generate.generation.cursor.step.attention;
      const T = a.shape[2];
      return Array.from({ length: a.shape[0] * a.shape[1] }, (_, r) => a.data.subarray(r * T, (r + 1) * T).reduce((x, y) => x + y, 0));
    });
    for (const x of rowsSum) assert.ok(Math.abs(x - 1) < 1e-4, 'each head row sums to 1');
    assert.equal(await page.locator('.gen-step-summary li').count(), 8, 'most attended token for 8 heads');
    assert.match(await page.textContent('.gen-status'), /^Token 1 “.+” was drawn with p = /);

    // "Show the text in the views above" traces the whole text in the explorer.
    const traces = await page.evaluate(() => window.glasswing.traceCount);
    await page.click('#generate-panel [data-gen="show"]');
    await page.waitForFunction((n) => window.glasswing.traceCount > n, traces);
    assert.deepEqual(Array.from(await page.evaluate(() => window.glasswing.lastTrace.ids)), after);
    assert.equal(await page.evaluate(() => window.glasswing.generate.ids.length), 8, 'the panel keeps its text');
    await page.locator('#generate-panel').screenshot({ path: shotPath('generate-step') });
    assertClean(log);
    await page.context().close();
  });

  test('Play writes several tokens, Pause stops it', async () => {
    const { page, log } = await open('toy-gpt.safetensors', 'the cat');
    await setRange(page, 'speed', 10);
    await page.click('#generate-panel [data-gen="play"]');
    await page.waitForSelector('#generate-panel [data-gen="play"][aria-pressed="true"]'); // drawn on the next frame
    assert.equal(await page.textContent('#generate-panel .gen-play-label'), 'Pause');
    assert.equal(await page.getAttribute('.gen-status', 'aria-live'), 'off', 'no announcement per token while playing');
    await page.waitForFunction(() => window.glasswing.generate.generation.cursor.depth >= 4);
    await page.click('#generate-panel [data-gen="play"]');
    await page.waitForFunction(() => !window.glasswing.generate.playing);
    await idle(page);
    const stopped = await depth(page);
    assert.ok(stopped >= 4, `${stopped} tokens`);
    assert.equal(await page.getAttribute('#generate-panel [data-gen="play"]', 'aria-pressed'), 'false');
    assert.equal(await page.getAttribute('.gen-status', 'aria-live'), 'polite');
    // Three play intervals later, nothing more was written.
    await page.waitForTimeout(350);
    assert.equal(await depth(page), stopped, 'no token after Pause');
    assert.equal(await page.locator('.gen-output .gen-chip:not(.gen-next)').count(), stopped);
    assert.equal((await page.textContent('.gen-output')).length, 7 + stopped + 1, 'prompt + tokens + the "?" chip');

    // Play stops by itself at the model's maximum length (48 for the toy GPT).
    await page.click('#generate-panel [data-gen="play"]');
    await page.waitForFunction(() => !window.glasswing.generate.playing && window.glasswing.generate.ids.length === 48, null, { timeout: 20000 });
    await idle(page);
    assert.equal(await page.getAttribute('#generate-panel [data-gen="step"]', 'aria-disabled'), 'true');
    assert.match(await page.textContent('.gen-status'), /maximum length of 48 tokens/);
    assert.equal(await page.isHidden('.gen-error'), true, 'running out is not an error');
    assertClean(log);
    await page.context().close();
  });

  test('Back removes the last token; Step brings the same one back', async () => {
    const { page, log } = await open('toy-gpt.safetensors', 'the cat');
    for (let i = 0; i < 3; i++) await press(page, 'step');
    const three = await ids(page);
    await press(page, 'back');
    assert.deepEqual(await ids(page), three.slice(0, -1));
    assert.equal(await page.locator('.gen-output .gen-chip:not(.gen-next)').count(), 2);
    await press(page, 'step');
    assert.deepEqual(await ids(page), three, 'the pick for that position is kept');
    // The session really was cut back: the re-fed token's attention is the full pass's last row.
    const { step, full } = await page.evaluate(async (ids) => {
      const g = window.glasswing;
      const gen = g.generate.generation;
      const tr = await g.engine.traceIds(gen.modelId, ids);
      const [L, H, T] = tr.attention.shape;
      const rows = [];
      for (let r = 0; r < L * H; r++) rows.push(...tr.attention.data.subarray((r * T + T - 1) * T, (r * T + T) * T));
      return { step: { shape: gen.cursor.step.attention.shape, data: Array.from(gen.cursor.step.attention.data) }, full: rows };
    }, three);
    assert.deepEqual(step.shape, [2, 4, 10]);
    const diff = Math.max(...step.data.map((x, i) => Math.abs(x - full[i])));
    assert.ok(diff < 1e-5, `incremental vs full attention differ by ${diff}`);
    // Back to the prompt, then no further.
    for (let i = 0; i < 3; i++) await press(page, 'back');
    assert.equal((await ids(page)).length, 7);
    assert.equal(await page.getAttribute('#generate-panel [data-gen="back"]', 'aria-disabled'), 'true');
    // Text set without typing (a lesson, a link): Step starts from it.
    await page.evaluate(() => window.glasswing.retrace('the dog'));
    await press(page, 'step');
    assert.equal(await page.textContent('.gen-output .gen-prompt'), 'the dog');
    assert.equal((await ids(page)).length, 8);
    assertClean(log);
    await page.context().close();
  });

  test('clicking a bar forces that token and starts a branch; the tree switches between branches', async () => {
    const { page, log } = await open('toy-gpt.safetensors', '我看见');
    for (let i = 0; i < 3; i++) await press(page, 'step');
    const a = await ids(page);
    const rows = await pipeline(page);
    const taken = rows.find((r) => r.taken);
    assert.equal(taken.id, a[a.length - 1], 'the pipeline shows how the newest token was chosen');
    // Force another token in place of the newest one.
    const other = rows.find((r) => !r.taken && r.p.probs > 0) ?? rows.find((r) => !r.taken);
    await page.click(`#generate-panel .gen-pipeline button.gen-row[data-id="${other.id}"]`);
    await idle(page);
    const b = await ids(page);
    assert.deepEqual(b.slice(0, -1), a.slice(0, -1), 'same text up to the branch');
    assert.equal(b[b.length - 1], other.id, 'the forced token was appended');
    assert.equal(await page.textContent('.gen-output .gen-chip.forced'), other.tok);
    const after = await pipeline(page);
    assert.equal(after.find((r) => r.taken).id, other.id);
    assert.equal(after.find((r) => r.taken).tag, 'your pick');
    assert.equal(after.find((r) => r.drawn).tag, 'drawn', 'the sampled token stays marked');
    assert.match(await page.textContent('.gen-status'), /is your pick/);

    // The tree: two rows (branches), 4 tokens, the current path is the new branch.
    const tree = page.locator('#generate-panel .gen-tree');
    assert.equal(await tree.getAttribute('data-rows'), '2');
    assert.equal(await tree.getAttribute('data-nodes'), '4');
    const nodes = () => page.$$eval('#generate-panel .gen-node', (bs) => bs.map((x) => ({
      key: Number(x.dataset.key), row: Number(x.dataset.row), depth: Number(x.dataset.depth), text: x.textContent,
      onPath: x.classList.contains('on-path'), cursor: x.classList.contains('cursor'), forced: x.classList.contains('forced'),
    })));
    let n = await nodes();
    assert.deepEqual(n.filter((x) => x.onPath).map((x) => x.row), [0, 0, 1], 'path: two shared tokens, then the branch');
    const fork = n.find((x) => x.row === 1);
    assert.ok(fork.cursor && fork.forced && fork.depth === 3);

    // Switch back to the first branch by clicking its last token.
    const first = n.find((x) => x.row === 0 && x.depth === 3);
    await page.click(`#generate-panel .gen-node[data-key="${first.key}"]`);
    await idle(page);
    assert.deepEqual(await ids(page), a, 'the first branch is restored');
    n = await nodes();
    assert.ok(n.find((x) => x.key === first.key).cursor);
    assert.deepEqual(n.filter((x) => x.onPath).map((x) => x.row), [0, 0, 0]);
    // ... and step on from it, then back to the forced branch.
    await press(page, 'step');
    assert.equal((await ids(page)).length, a.length + 1);
    await page.click(`#generate-panel .gen-node[data-key="${fork.key}"]`);
    await idle(page);
    assert.deepEqual(await ids(page), b, 'the forced branch is restored');

    // A bar of the *next* token (the "?" chip) forces a token after the current end.
    await page.click('.gen-output .gen-next');
    await idle(page);
    assert.match(await page.textContent('.gen-pipeline-title'), /^The next token/);
    const next = (await pipeline(page)).find((r) => !r.drawn);
    await page.click(`#generate-panel .gen-pipeline button.gen-row[data-id="${next.id}"]`);
    await idle(page);
    assert.deepEqual(await ids(page), [...b, next.id]);
    assert.equal(await tree.getAttribute('data-nodes'), '6');
    await page.locator('#generate-panel').screenshot({ path: shotPath('generate-branches') });
    assertClean(log);
    await page.context().close();
  });

  test('sampler controls: temperature, top-k, top-p, min-p and greedy reshape the bars', async () => {
    const { page, log } = await open('toy-gpt.safetensors', '我看见');
    await page.click('.gen-output .gen-next'); // the next token's distribution: five likely tokens
    await idle(page);
    let c = await shownChoice(page);
    assert.ok(nonzero(c.raw.map((p) => (p > 0.05 ? p : 0))) >= 4, 'a spread distribution to start from');

    // Temperature 0.05: nearly one-hot, exactly p^(1/T) renormalised.
    await setNumber(page, 'temperature', 0.05);
    assert.equal((await page.evaluate(() => window.glasswing.state.sampler)).temperature, 0.05);
    assert.equal(await page.inputValue('#generate-panel [data-gen="temperature-slider"]'), '-1.3');
    c = await shownChoice(page);
    const rows = await pipeline(page);
    const top = Math.max(...rows.map((r) => r.p.after_temperature));
    assert.ok(top > 0.99, `temperature 0.05 leaves ${top} on the top token`);
    const z = c.raw.reduce((s, p) => s + p ** 20, 0);
    for (const r of rows) assert.ok(Math.abs(r.p.after_temperature - c.raw[r.id] ** 20 / z) < 1e-4, 'p^(1/T) renormalised');
    assert.match(await page.textContent('.gen-stage-title:nth-child(3)'), /Temperature 0\.05/);
    // Temperature 10 flattens: the top token loses mass.
    await setNumber(page, 'temperature', 10);
    c = await shownChoice(page);
    assert.ok(Math.max(...c.temp) < Math.max(...c.raw) && nonzero(c.temp) === nonzero(c.raw));
    await setRange(page, 'temperature-slider', 0); // log10(1)
    assert.equal((await page.evaluate(() => window.glasswing.state.sampler)).temperature, 1);

    // Top-k 3: exactly three nonzero bars from the top-k column on, and the pick is one of them.
    await setNumber(page, 'top_k', 3);
    c = await shownChoice(page);
    assert.equal(nonzero(c.topK), 3);
    const drawn = await pipeline(page);
    assert.equal(drawn.filter((r) => r.p.after_top_k > 0).length, 3, 'three nonzero top-k bars drawn');
    assert.equal(drawn.filter((r) => r.p.probs > 0).length, 3);
    assert.equal(await page.$eval('.gen-pipeline .gen-row.other [data-stage="after_top_k"]', (c) => c.dataset.p), '0', 'the rest is exactly 0');
    assert.ok(drawn.filter((r) => r.p.probs > 0).some((r) => r.drawn), 'the sampler picked one of the three');
    assert.equal(await page.textContent('#generate-panel [data-gen="top_k-out"]'), '3');
    await setNumber(page, 'top_k', 0);
    assert.equal(await page.textContent('#generate-panel [data-gen="top_k-out"]'), 'off');

    // Top-p 0.5: the fewest tokens whose mass reaches 0.5.
    await setRange(page, 'top_p', 0.5);
    c = await shownChoice(page);
    const sorted = [...c.raw].sort((x, y) => y - x);
    let keep = 0;
    for (let mass = 0; mass < 0.5; keep++) mass += sorted[keep];
    assert.equal(nonzero(c.topP), keep, `top-p keeps ${keep}`);
    assert.ok(keep >= 2 && keep < nonzero(c.raw.map((p) => (p > 0.05 ? p : 0))));
    await setRange(page, 'top_p', 1);
    // Min-p 0.7: tokens at least 0.7 times as likely as the top one.
    await setRange(page, 'min_p', 0.7);
    assert.equal((await page.evaluate(() => window.glasswing.state.sampler)).min_p, 0.7);
    c = await shownChoice(page);
    const max = Math.max(...c.raw);
    assert.equal(nonzero(c.probs), c.raw.filter((p) => p >= 0.7 * max).length);
    await setRange(page, 'min_p', 0);

    // Greedy: always the most likely token, even at temperature 10.
    await page.check('#generate-panel [data-gen="greedy"]');
    await setNumber(page, 'temperature', 10);
    for (let i = 0; i < 4; i++) await press(page, 'step');
    const picks = await page.evaluate(() => {
      const out = [];
      for (let n = window.glasswing.generate.generation.cursor; n.parent; n = n.parent) out.push({ id: n.id, raw: Array.from(n.choice.raw), probs: Array.from(n.choice.probs) });
      return out;
    });
    assert.equal(picks.length, 4);
    for (const p of picks) {
      assert.equal(p.id, argmax(p.probs));
      assert.equal(p.id, argmax(p.raw), 'temperature never changes the argmax');
    }
    assert.match(await page.textContent('.gen-stage-title.final'), /greedy/);
    assert.deepEqual(await page.evaluate(() => window.glasswing.state.sampler),
      { greedy: true, temperature: 10, top_k: null, top_p: null, min_p: null, seed: 0 }, 'settings in the shared store, the core\'s shape');
    assertClean(log);
    await page.context().close();
  });
});

describe('Generate panel: same seed, same text as the native CLI', () => {
  before(() => {
    if (!existsSync(CLI)) execFileSync('cargo', ['build', '--release'], { cwd: ROOT, stdio: 'inherit' });
  });

  for (const [prompt, lang] of [['the cat', 'en'], ['我看见', 'zh']]) {
    test(`"${prompt}" (${lang})`, async () => {
      const out = execFileSync(CLI, ['generate', '--model', join(ROOT, 'www/models/toy-gpt.safetensors'), '--text', prompt,
        '--steps', '20', '--temperature', '0.8', '--top-k', '5', '--seed', '7', '--json'], { encoding: 'utf8' });
      const native = JSON.parse(out);
      const { page, log } = await open('toy-gpt.safetensors', prompt, { lang });
      await setNumber(page, 'temperature', 0.8);
      await setNumber(page, 'top_k', 5);
      await setNumber(page, 'seed', 7);
      const ms = await page.evaluate(async () => {
        const t0 = performance.now();
        for (let i = 0; i < 20; i++) await window.glasswing.generate.step();
        return (performance.now() - t0) / 20;
      });
      await idle(page);
      const got = await ids(page);
      assert.deepEqual(got, native.ids, `page: ${await page.evaluate(() => window.glasswing.generate.text)}\nnative: ${native.tokens.join('')}`);
      assert.equal(await page.evaluate(() => window.glasswing.generate.text), native.tokens.join(''));
      // The drawn distribution of every step is the native one.
      const probs = await page.evaluate(() => {
        const out = [];
        for (let n = window.glasswing.generate.generation.cursor; n.parent; n = n.parent) out.unshift(Array.from(n.choice.probs));
        return out;
      });
      const diff = Math.max(...probs.flatMap((p, i) => p.map((x, v) => Math.abs(x - native.steps[i].probs[v]))));
      assert.ok(diff < 1e-5, `distributions differ by ${diff}`);
      console.log(`# ${prompt}: ${ms.toFixed(1)} ms per step (choose + push + draw), max |Δp| ${diff.toExponential(1)}`);
      if (lang === 'zh') {
        assert.equal(await page.textContent('#gen-title'), '逐个词元生成');
        assert.equal(await page.textContent('#generate-panel [data-gen="step"]'), '▸ 单步');
        assert.match(await page.textContent('.gen-pipeline-title'), /是怎样选出来的/);
        assert.match(await page.textContent('.gen-stage-title.final'), /Min-p 关：从这里抽取/);
        assert.match(await page.textContent('.gen-status'), /^第 20 个词元/);
        await page.locator('#generate-panel').screenshot({ path: shotPath('generate-zh') });
        // Switching language relabels everything in place, the text and tree untouched.
        await page.click('.lang-switch [data-lang="en"]');
        await idle(page);
        assert.equal(await page.textContent('#generate-panel [data-gen="step"]'), '▸ Step');
        assert.match(await page.textContent('.gen-pipeline-title'), /^How “.+” \(generated token 20\) was chosen$/);
        assert.match(await page.textContent('.gen-stage-title.final'), /^Min-p off: drawn from/);
        assert.deepEqual(await ids(page), native.ids);
      }
      assertClean(log);
      await page.context().close();
    });
  }
});

describe('Generate panel: RNN, errors, keyboard', () => {
  test('RNN: each token shows its new hidden state', async () => {
    const { page, log } = await open('toy-rnn.safetensors', '我看见');
    await press(page, 'step');
    await press(page, 'step');
    assert.equal((await ids(page)).length, 5);
    assert.equal(await page.getAttribute('.gen-step-view', 'data-kind'), 'hidden');
    assert.equal(await page.getAttribute('.gen-step-view', 'data-shape'), '1,96');
    const s = await canvasStats(page, '.gen-step-view canvas');
    assert.ok(s.inked > 0.3 && s.colours > 20, `hidden canvas looks blank: ${JSON.stringify(s)}`);
    assert.match(await page.textContent('.gen-step-summary'), /Layer 1: 96 units from -?\d\.\d\d to -?\d\.\d\d/);
    assert.equal((await pipeline(page)).filter((r) => r.taken).length, 1);
    await page.locator('#generate-panel').screenshot({ path: shotPath('generate-rnn') });
    assertClean(log);
    await page.context().close();
  });

  test('a bad prompt is a readable message drawn as text; fixing it recovers', async () => {
    const { page } = await open('toy-gpt.safetensors', 'the cat');
    await page.fill('#text-input', 'the <b>cat</b>');
    await page.waitForSelector('.gen-error:not([hidden])');
    const msg = await page.textContent('.gen-error');
    assert.match(msg, /^Could not generate: unknown character '<'/);
    assert.equal(await page.locator('.gen-error b').count(), 0, 'user text is never parsed as HTML');
    assert.equal(await page.getAttribute('#generate-panel [data-gen="step"]', 'aria-disabled'), 'true');
    await page.click('#generate-panel [data-gen="step"]', { force: true }); // aria-disabled: a click does nothing
    assert.equal((await ids(page)).length, 0);
    await page.fill('#text-input', '');
    await page.waitForFunction(() => document.querySelector('.gen-error .error-text').textContent.startsWith('Type a prompt'));
    await setPrompt(page, 'the cat');
    assert.equal(await page.isHidden('.gen-error'), true);
    await press(page, 'step');
    assert.equal((await ids(page)).length, 8);
    await page.context().close();
  });

  test('keyboard: buttons, S / G / B inside the panel (P stays presenter mode), arrow keys in the tree', async () => {
    const { page, log } = await open('toy-gpt.safetensors', 'the cat');
    await page.focus('#generate-panel [data-gen="step"]');
    await page.keyboard.press('Enter');
    await idle(page);
    assert.equal(await depth(page), 1);
    await page.keyboard.press('s');
    await idle(page);
    await page.keyboard.press('s');
    await idle(page);
    assert.equal(await depth(page), 3);
    await page.keyboard.press('b');
    await idle(page);
    assert.equal(await depth(page), 2);
    // P is presenter mode everywhere, also with focus in this panel: it neither plays nor steps.
    assert.ok(await page.evaluate(() => document.activeElement.closest('#generate-panel')), 'focus is in the panel');
    await page.keyboard.press('p');
    assert.equal(await page.evaluate(() => window.glasswing.state.presenter), true);
    assert.equal(await page.evaluate(() => window.glasswing.generate.playing), false);
    await page.keyboard.press('p');
    assert.equal(await page.evaluate(() => window.glasswing.state.presenter), false);
    assert.equal(await depth(page), 2);
    await page.keyboard.press('g');
    await page.waitForFunction(() => window.glasswing.generate.generation.cursor.depth >= 3);
    await page.keyboard.press('g');
    await page.waitForFunction(() => !window.glasswing.generate.playing);
    await idle(page);
    const d = await depth(page);
    // Typing in the page's text box never triggers the panel's keys.
    await page.focus('#text-input');
    await page.keyboard.press('End');
    assert.equal(await depth(page), d);

    // The tree is one tab stop; arrows move, Enter switches.
    await page.focus('#generate-panel .gen-node[tabindex="0"]');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.depth), '2');
    await page.keyboard.press('Enter');
    await idle(page);
    assert.equal(await depth(page), 2);
    // The output chips: arrow keys inspect earlier tokens.
    await page.focus('.gen-output .gen-chip[tabindex="0"]');
    await page.keyboard.press('Home');
    await idle(page);
    assert.match(await page.textContent('.gen-pipeline-title'), /generated token 1\)/);
    const labels = await page.$$eval('#generate-panel button', (bs) => bs.filter((b) => !b.getAttribute('aria-label') && !b.textContent.trim()).length);
    assert.equal(labels, 0, 'every button has a name');
    assertClean(log);
    await page.context().close();
  });
});

describe('Generate panel: switching models while playing', () => {
  /** The panel has started over on the shown model and its text box. */
  const settled = (page) => page.waitForFunction(() => {
    const g = window.glasswing.generate.generation;
    const input = document.querySelector('#text-input').value;
    return g.ready && !g.busy && g.prompt.tokens.join('') === input;
  }, null, { timeout: 20000 });

  /** Play, and wait until a step of it is in flight (the worker has not answered yet). */
  async function playUntilInFlight(page) {
    await page.click('#generate-panel [data-gen="play"]');
    await page.waitForFunction(() => {
      const { generate } = window.glasswing;
      return generate.playing && generate.generation.busy && generate.generation.cursor?.parent;
    }, null, { polling: 'raf', timeout: 20000 });
  }

  /** Switches the model mid-play, five times; ends on the reverse model. */
  async function switchWhilePlaying(page) {
    // Loaded for the first time, then already loaded (the switch is immediate):
    // new rows longer and shorter than the old labels, other layer and head counts.
    for (const file of ['sort-gpt.safetensors', 'toy-gpt.safetensors', 'reverse-gpt.safetensors', 'toy-gpt.safetensors']) {
      await playUntilInFlight(page);
      await page.selectOption('#model-select', `shipped:${file}`);
      await page.waitForFunction((f) => window.glasswing.state.modelKey === `shipped:${f}`, file);
      await page.waitForTimeout(150); // a few frames drawn while the old step and the new restart finish
      await settled(page);
    }
    // Two switches in a row while playing, the second while the first model's
    // restart waits for its session: that restart is dropped as well (its
    // session closed, never shown).
    await playUntilInFlight(page);
    await page.selectOption('#model-select', 'shipped:sort-gpt.safetensors');
    await page.waitForFunction(() => {
      const g = window.glasswing.generate.generation;
      return g.busy && !g.ready && g.sessionId === null && window.genSessions.opening > 0;
    }, null, { polling: 'raf', timeout: 20000 });
    await page.selectOption('#model-select', 'shipped:reverse-gpt.safetensors');
    await settled(page);
  }

  test('steps, restarts and draws of the old model are dropped; Play then runs on the new model', async () => {
    const { page, log } = await open('toy-gpt.safetensors', 'the cat');
    // Every generation reply comes 60 ms late, as from a larger model, so a
    // switch lands while a step (or the new model's restart) is in flight.
    // The worker's sessions are counted: opened, closed.
    await page.evaluate(() => {
      const { engine } = window.glasswing;
      const call = engine.call.bind(engine);
      const sessions = { open: new Set(), closed: new Set(), opening: 0 };
      window.genSessions = sessions;
      engine.call = async (op, args, transfer) => {
        if (op === 'genClose') sessions.closed.add(args.sessionId);
        if (op === 'genOpen') sessions.opening++;
        try {
          const r = await call(op, args, transfer);
          if (op === 'genOpen') sessions.open.add(r.sessionId);
          if (op.startsWith('gen')) await new Promise((resolve) => { setTimeout(resolve, 60); });
          return r;
        } finally {
          if (op === 'genOpen') sessions.opening--;
        }
      };
    });
    await setRange(page, 'speed', 10);
    try {
      await switchWhilePlaying(page);
    } catch (e) {
      assert.deepEqual(log.pageErrors, [], `page errors (then: ${e.message})`); // the cause of a wait that timed out
      throw e;
    }
    assert.deepEqual(log.pageErrors, [], 'page errors');
    assert.deepEqual(log.consoleErrors, [], 'console errors');
    assert.equal(await page.evaluate(() => window.glasswing.generate.playing), false, 'a new model pauses Play');
    await page.waitForTimeout(100); // a close sent after the last answer
    const left = await page.evaluate(() => {
      const { open: o, closed } = window.genSessions;
      return [...o].filter((id) => !closed.has(id)).map((id) => id === window.glasswing.generate.generation.sessionId);
    });
    assert.deepEqual(left, [true], 'only the shown generation\'s session is left open');

    // Play now generates on the reverse model, from its example.
    const info = await page.evaluate(() => {
      const i = window.glasswing.info;
      return { vocab: i.vocab, L: i.config.n_layer, H: i.config.n_head };
    });
    assert.equal(await page.textContent('.gen-output .gen-prompt'), 'hgfedc>');
    const prompt = (await ids(page)).length;
    await page.click('#generate-panel [data-gen="play"]');
    await page.waitForFunction(() => window.glasswing.generate.generation.cursor.depth >= 3, null, { timeout: 20000 });
    await page.click('#generate-panel [data-gen="play"]');
    await page.waitForFunction(() => !window.glasswing.generate.playing);
    await idle(page);
    const d = await depth(page);
    const all = await ids(page);
    assert.ok(d >= 3, `${d} tokens`);
    assert.equal(all.length, prompt + d);
    assert.ok(all.every((id) => id < info.vocab.length), 'ids of the reverse model');
    const text = await page.evaluate(() => window.glasswing.generate.text);
    assert.equal(text, all.map((id) => info.vocab[id]).join(''), 'the reverse model\'s tokens');
    assert.equal(await page.getAttribute('.gen-step-view', 'data-shape'), `${info.L},${info.H},${all.length}`, 'the newest token\'s row covers the whole text');
    // No older loop is still playing.
    await page.waitForTimeout(350);
    assert.equal(await depth(page), d, 'no token after Pause');
    await page.evaluate(() => window.glasswing.nextDraw());
    assertClean(log);
    await page.context().close();
  });
});

// Shared setup for the browser tests and the benchmark: a static server for
// www/ started in-process, headless Chromium via playwright-core, and a page
// that records console errors, failed requests and every URL it asked for.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/serve.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// GLASSWING_WWW serves another copy of the page (an older commit's www/, to
// check that a test fails without the change it tests).
export const WWW = process.env.GLASSWING_WWW ?? join(ROOT, 'www');
export const FIXTURES = join(ROOT, 'tests', 'fixtures');
export const SHOTS = join(ROOT, 'tests', 'e2e', 'screenshots');

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export async function serve() {
  const server = await startServer(WWW, 0);
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/**
 * A new page with a log of what went wrong: console errors, page errors,
 * failed requests, HTTP errors, every request URL and every dialog (a dialog
 * is dismissed, and would mean script ran that should not have).
 */
export async function openPage(browser, url, { viewport = { width: 1600, height: 1000 }, deviceScaleFactor = 1 } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor });
  const page = await context.newPage();
  const log = { consoleErrors: [], pageErrors: [], failed: [], httpErrors: [], requests: [], dialogs: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  page.on('requestfailed', (r) => log.failed.push(`${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) log.httpErrors.push(`${r.status()} ${r.url()}`); });
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('dialog', (d) => { log.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  if (url) {
    await page.goto(url);
    await page.evaluate(() => window.glasswing.ready);
  }
  return { page, context, log };
}

export function shotPath(name) {
  mkdirSync(SHOTS, { recursive: true });
  return join(SHOTS, `${name}.png`);
}

/**
 * Sets the text box like a user would (an input event, so the debounce runs)
 * and waits until that retrace has finished, drawn or failed.
 */
export async function typeText(page, text, { timeout = 30000 } = {}) {
  const before = await page.evaluate(() => window.glasswing.attempts);
  await page.fill('#text-input', text);
  await page.waitForFunction((n) => window.glasswing.attempts > n, before, { timeout });
  await page.evaluate(() => window.glasswing.nextDraw());
}

/**
 * Summary of a canvas's pixels: how many distinct colours, and the share of
 * non-white pixels, so tests can tell a drawn view from a blank one.
 */
export async function canvasStats(page, selector) {
  return page.$eval(selector, (canvas) => {
    const ctx = canvas.getContext('2d');
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set();
    let inked = 0;
    for (let p = 0; p < data.length; p += 4) {
      const white = data[p] > 250 && data[p + 1] > 250 && data[p + 2] > 250;
      const clear = data[p + 3] === 0;
      if (!white && !clear) inked++;
      if (colours.size < 5000) colours.add((data[p] << 16) | (data[p + 1] << 8) | data[p + 2] | (data[p + 3] << 24));
    }
    return { width: canvas.width, height: canvas.height, colours: colours.size, inked: inked / (data.length / 4) };
  });
}

/** Selects a shipped model in the picker and waits until its trace is drawn. */
export async function pickModel(page, file) {
  const before = await page.evaluate(() => window.glasswing.traceCount);
  await page.selectOption('#model-select', `shipped:${file}`);
  await page.waitForFunction((n) => window.glasswing.traceCount > n, before);
  await page.evaluate(() => window.glasswing.nextDraw());
}

/**
 * Nothing went wrong on a page opened with openPage: no console or script
 * error, no dialog, no request to another origin; and, unless a test file
 * provokes them on purpose (a model that fails to load), no failed request
 * (`failed`) or HTTP error (`http`).
 */
export function assertClean(log, origin, { failed = true, http = true } = {}) {
  assert.deepEqual(log.consoleErrors, [], 'console errors');
  assert.deepEqual(log.pageErrors, [], 'page errors');
  if (failed) assert.deepEqual(log.failed, [], 'failed requests');
  if (http) assert.deepEqual(log.httpErrors, [], 'HTTP errors');
  assert.deepEqual(log.dialogs, [], 'dialogs');
  const foreign = log.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, [], 'requests to another origin');
}

// ---- small models written in the test, in Glasswing's own format ------------

/** A safetensors file: {name: [shape, Float32Array]} plus string metadata. -> Buffer */
export function safetensorsBytes(tensors, metadata) {
  const header = { __metadata__: metadata };
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const [shape, data] = tensors[name];
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const data = tensors[name][1];
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, at);
    at += data.byteLength;
  }
  return out;
}

/**
 * A GPT-2 with seeded random weights over `vocab` (an array of token
 * strings: single characters, plus special tokens such as "<unk>"):
 * L layers of H heads, width E, P positions. -> Buffer (a .safetensors file)
 */
export function tinyGpt({ vocab, L = 1, H = 2, E = 8, P = 32, seed = 1, title = 'test model' }) {
  let s = seed >>> 0;
  const rand = () => { // mulberry32
    s = (s + 0x6D2B79F5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const t = (shape, kind = 'rand') => {
    const n = shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    const scale = 1 / Math.sqrt(shape[shape.length - 1] || 1);
    for (let i = 0; i < n; i++) a[i] = kind === 'one' ? 1 : kind === 'zero' ? 0 : (rand() * 2 - 1) * scale * 3;
    return [shape, a];
  };
  const V = vocab.length;
  const tensors = { 'wte.weight': t([V, E]), 'wpe.weight': t([P, E]), 'ln_f.weight': t([E], 'one'), 'ln_f.bias': t([E], 'zero') };
  for (let l = 0; l < L; l++) {
    Object.assign(tensors, {
      [`h.${l}.ln_1.weight`]: t([E], 'one'), [`h.${l}.ln_1.bias`]: t([E], 'zero'),
      [`h.${l}.attn.c_attn.weight`]: t([E, 3 * E]), [`h.${l}.attn.c_attn.bias`]: t([3 * E], 'zero'),
      [`h.${l}.attn.c_proj.weight`]: t([E, E]), [`h.${l}.attn.c_proj.bias`]: t([E], 'zero'),
      [`h.${l}.ln_2.weight`]: t([E], 'one'), [`h.${l}.ln_2.bias`]: t([E], 'zero'),
      [`h.${l}.mlp.c_fc.weight`]: t([E, 4 * E]), [`h.${l}.mlp.c_fc.bias`]: t([4 * E], 'zero'),
      [`h.${l}.mlp.c_proj.weight`]: t([4 * E, E]), [`h.${l}.mlp.c_proj.bias`]: t([E], 'zero'),
    });
  }
  const config = { layer_norm_epsilon: 1e-5, n_embd: E, n_head: H, n_layer: L, n_positions: P, vocab_size: V };
  return safetensorsBytes(tensors, { arch: 'gpt2', config: JSON.stringify(config), vocab: JSON.stringify(vocab), title });
}

/** Opens `bytes` as the user's own model through the file input and waits for its trace. */
export async function openOwnModel(page, name, bytes) {
  const before = await page.evaluate(() => window.glasswing.traceCount);
  await page.setInputFiles('#file-input', { name, mimeType: 'application/octet-stream', buffer: bytes });
  await page.waitForFunction((n) => window.glasswing.traceCount > n && window.glasswing.state.modelKey?.startsWith('user:'), before);
  await page.evaluate(() => window.glasswing.nextDraw());
}

// ---- model folders, as a user picks them -------------------------------------

/**
 * Sets `files` (paths; for `#folder-input`, a folder's path) on a file input
 * and waits until the page has opened a new model of yours and drawn it, or
 * shown an error. -> {ok: true} or {ok: false, error: the error line's text}
 */
export async function openFiles(page, files, { input = '#file-input', timeout = 60000 } = {}) {
  const before = await page.evaluate(() => ({ n: window.glasswing.traceCount, key: window.glasswing.state.modelKey }));
  await page.evaluate(() => { document.querySelector('#error .error-close').click(); });
  await page.setInputFiles(input, files);
  await page.waitForFunction(({ n, key }) => (window.glasswing.traceCount > n && window.glasswing.state.modelKey !== key
    && window.glasswing.state.modelKey?.startsWith('user:')) || !document.querySelector('#error').hidden, before, { timeout });
  await page.evaluate(() => window.glasswing.nextDraw());
  const error = await page.evaluate(() => (document.querySelector('#error').hidden ? null : document.querySelector('#error .error-text').textContent));
  return error === null ? { ok: true } : { ok: false, error };
}

/** Opens the Share menu, picks `view`, exports `kind`. -> {name, text, bytes} */
export async function exportFile(page, kind, view) {
  if (!(await page.evaluate(() => document.querySelector('#share-menu').open))) await page.click('#share-menu summary');
  if (view) await page.selectOption('#share-view', view);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#share-menu button[data-act="${kind}"]`)]);
  const bytes = readFileSync(await download.path());
  return { name: download.suggestedFilename(), text: bytes.toString('utf8'), bytes };
}


/**
 * One static server and one Chromium for a test file: started before its
 * tests, closed after them; `set({origin, browser})` receives them.
 */
export function useBrowser(set) {
  let server;
  let browser;
  before(async () => {
    let origin;
    ({ server, origin } = await serve());
    browser = await launch();
    set({ origin, browser });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });
}

/** Resident and peak resident bytes of a process (/proc/PID/status). */
export function memoryOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number((s.match(new RegExp(`${key}:\\s+(\\d+)`)) ?? [0, 0])[1]) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch { return { rss: 0, peak: 0 }; }
}

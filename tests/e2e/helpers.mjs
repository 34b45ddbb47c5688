// Shared setup for the browser tests and the benchmark: a static server for
// www/ started in-process, headless Chromium via playwright-core, and a page
// that records console errors, failed requests and every URL it asked for.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/serve.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WWW = join(ROOT, 'www');
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
export async function typeText(page, text) {
  const before = await page.evaluate(() => window.glasswing.attempts);
  await page.fill('#text-input', text);
  await page.waitForFunction((n) => window.glasswing.attempts > n, before);
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

// Embed code as a blogger uses it (issue 10): copied from the Share menu and
// pasted into a page in another folder of the same site, it works as is. The
// code names no host (no address of the machine it was copied on), its
// paths start at the site's root where Glasswing is served, the hint names
// that folder, and the iframe is tall enough for a 20-token head view at
// full size. Two sites: Glasswing at the root (www/'s files linked into a
// scratch folder), and Glasswing in /glasswing/ of a bigger site (a link to www/).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../../tools/serve.mjs';
import { WWW, canvasStats, launch, openPage, shotPath } from './helpers.mjs';

const INDUCTION = 'induction-gpt.safetensors';
const TEXT = 'qxmwbkzapt|qxmwbkzap'; // 20 tokens (the model reads at most 26)

let browser;
let root; // Glasswing served at the site's root
let site; // a site with Glasswing in /glasswing/ and posts elsewhere

async function serveDir(dir) {
  const server = await startServer(dir, 0);
  return { server, dir, origin: `http://127.0.0.1:${server.address().port}` };
}

before(async () => {
  browser = await launch();
  const rootDir = mkdtempSync(join(tmpdir(), 'glasswing-root-'));
  for (const name of readdirSync(WWW)) symlinkSync(join(WWW, name), join(rootDir, name));
  root = await serveDir(rootDir);
  const siteDir = mkdtempSync(join(tmpdir(), 'glasswing-site-'));
  symlinkSync(WWW, join(siteDir, 'glasswing'), 'dir');
  site = await serveDir(siteDir);
});
after(async () => {
  await browser?.close();
  for (const s of [root, site]) {
    s?.server.close();
    if (s) rmSync(s.dir, { recursive: true, force: true });
  }
});

/** Opens the explorer at `url`, opens the Share menu; -> {iframe, element, hint} as shown there. */
async function copyCode(url) {
  const { page, context } = await openPage(browser, url);
  await page.evaluate(() => window.glasswing.nextDraw());
  await page.click('#share-menu summary');
  const code = {
    iframe: await page.inputValue('#share-iframe'),
    element: await page.inputValue('#share-element'),
    hint: await page.textContent('#share-menu .share-code ~ .share-hint'),
  };
  await context.close();
  return code;
}

/**
 * Writes `body` as a page at `path` under `dir` (the site's files; www/ itself
 * for the root site), opens it, waits for every view, and checks what a
 * reader sees. -> {page, context, log, frame}
 */
async function openPost(origin, dir, path, body) {
  const file = join(dir, ...path.split('/'));
  mkdirSync(join(file, '..'), { recursive: true });
  // The post's own CSP allows only its site: the pasted code must need nothing else.
  writeFileSync(file, `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-src 'self'">
<link rel="icon" href="data:,"><title>A post</title></head><body><h1>My post</h1>
${body}
</body></html>`);
  const { page, context, log } = await openPage(browser, null, { viewport: { width: 900, height: 1000 } });
  await page.goto(`${origin}/${path}`);
  return { page, context, log, file };
}

async function checkPasted(origin, dir, code, postPath) {
  const { page, context, log, file } = await openPost(origin, dir, postPath, `${code.iframe}\n<p>And as an element:</p>\n${code.element}`);
  try {
    await page.waitForFunction(() => document.querySelector('glasswing-view')?.drawCount > 0, null, { timeout: 20000 });
    const el = await page.$eval('glasswing-view', (v) => ({ error: v.error, t: v.trace?.ids.length, view: v.dataset.view, layer: v.state.layer }));
    assert.deepEqual(el, { error: null, t: TEXT.length, view: 'heads', layer: 1 }, 'the element draws the copied view (layer="2" is the second layer)');
    const frame = page.frames().find((f) => f.url().includes('embed.html'));
    assert.ok(frame, 'the iframe loaded embed.html');
    await frame.waitForFunction(() => document.querySelector('glasswing-view')?.drawCount > 0, null, { timeout: 20000 });
    const inFrame = await frame.$eval('glasswing-view', (v) => {
      const scroller = v.shadowRoot.querySelector('.gv-heads .scroller');
      const canvas = scroller.querySelector('canvas');
      return {
        error: v.error, t: v.trace.ids.length, layer: v.state.layer,
        over: scroller.scrollHeight - scroller.clientHeight,
        rowPx: parseFloat(canvas.style.height) / v.trace.ids.length,
        docOver: document.documentElement.scrollHeight - innerHeight,
      };
    });
    assert.equal(inFrame.error, null);
    assert.equal(inFrame.t, TEXT.length);
    assert.equal(inFrame.layer, 1);
    assert.ok(inFrame.over <= 1 && inFrame.docOver <= 1, `the head view fits the pasted iframe without scrolling: ${JSON.stringify(inFrame)}`);
    assert.ok(inFrame.rowPx >= 20, `rows at a readable size, not squeezed: ${inFrame.rowPx.toFixed(1)} px a token`);
    assert.ok((await canvasStats(frame, 'glasswing-view .gv-heads canvas')).inked > 0.03, 'the iframe draws');
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.consoleErrors, []);
    assert.deepEqual(log.httpErrors, [], 'every path of the pasted code resolves on this site');
    assert.deepEqual(log.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:')), []);
    await page.screenshot({ path: shotPath(`embed-paste-${postPath.replace(/\W+/g, '-')}`), fullPage: true });
  } finally {
    await context.close();
    rmSync(file, { force: true });
  }
}

describe('embed code, pasted', () => {
  test('Glasswing in a folder of a bigger site: the code works from a post in another folder; the hint names the folder', async () => {
    const code = await copyCode(`${site.origin}/glasswing/#model=${INDUCTION}&text=${encodeURIComponent(TEXT)}&view=heads&layer=2&lang=en`);
    for (const snippet of [code.iframe, code.element]) {
      assert.ok(!snippet.includes('127.0.0.1') && !/(src)="https?:/.test(snippet), `no address of this machine: ${snippet}`);
    }
    assert.match(code.iframe, /<iframe src="\/glasswing\/embed\.html#model=induction-gpt\.safetensors&amp;text=/);
    assert.match(code.element, /<script type="module" src="\/glasswing\/glasswing-view\.js"><\/script>/);
    assert.match(code.element, / layer="2"/, 'the element counts layers from 1');
    assert.match(code.hint, /\/glasswing\//, `the hint says which folder: ${code.hint}`);
    assert.match(code.hint, /www\//);
    const height = Number(code.iframe.match(/height="(\d+)"/)[1]);
    assert.ok(height >= 600, `a 20-token head view needs room: height ${height}`);
    await checkPasted(site.origin, site.dir, code, 'blog/2024/my-post.html');
  });

  test('Glasswing at the site\'s root: the code works from a post two folders down', async () => {
    const code = await copyCode(`${root.origin}/#model=${INDUCTION}&text=${encodeURIComponent(TEXT)}&view=heads&layer=2&lang=en`);
    assert.match(code.iframe, /<iframe src="\/embed\.html#/);
    assert.match(code.element, /src="\/glasswing-view\.js"/);
    assert.ok(!code.iframe.includes(root.origin) && !code.element.includes(root.origin));
    await checkPasted(root.origin, root.dir, code, 'posts/deeper/post.html');
  });
});

// One head shown alone (the head view's "Only head 3"): the iframe's link says
// heads=0010, and so must the element's attributes, or a pasted element shows
// every head.
test('one head alone: the element code carries heads= as the iframe link does, and both pasted show that head alone', async () => {
  const code = await copyCode(`${root.origin}/#model=${INDUCTION}&text=${encodeURIComponent(TEXT)}&view=heads&layer=2&head=3&heads=0010&lang=en`);
  assert.match(code.iframe, /heads=0010/);
  assert.match(code.element, / heads="0010"/, `the element code: ${code.element}`);
  const { page, context, file } = await openPost(root.origin, root.dir, 'posts/one-head.html', `${code.iframe}\n${code.element}`);
  try {
    await page.waitForFunction(() => document.querySelector('glasswing-view')?.drawCount > 0, null, { timeout: 20000 });
    const el = await page.$eval('glasswing-view', (v) => ({ heads: v.state.headsOn, drawn: v.shadowRoot.querySelector('.gv-heads canvas').dataset.heads }));
    const frame = page.frames().find((f) => f.url().includes('embed.html'));
    await frame.waitForFunction(() => document.querySelector('glasswing-view')?.drawCount > 0, null, { timeout: 20000 });
    const inFrame = await frame.$eval('glasswing-view', (v) => ({ heads: v.state.headsOn, drawn: v.shadowRoot.querySelector('.gv-heads canvas').dataset.heads }));
    assert.deepEqual(inFrame, { heads: [false, false, true, false], drawn: '2' }, 'the iframe shows head 3 alone');
    assert.deepEqual(el, inFrame, 'the element shows what the iframe shows');
  } finally {
    await context.close();
    rmSync(file, { force: true });
  }
});

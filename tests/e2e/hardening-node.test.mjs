// Issue 9 (hardening), the parts that need no browser: the static server
// stays inside its root (tools/serve.mjs), links carry a bounded text
// (www/js/share/link.js), errors are translated by code (www/js/i18n.js).

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../../tools/serve.mjs';

/** GET with the path sent exactly as written (fetch would normalise it). -> {status, body} */
function rawGet(port, path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tools/serve.mjs stays inside its root', () => {
  let dir;
  let server;
  let port;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glasswing-serve-'));
    mkdirSync(join(dir, 'www', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'www-secret'));
    writeFileSync(join(dir, 'www', 'index.html'), 'home');
    writeFileSync(join(dir, 'www', 'sub', 'a.txt'), 'inside');
    writeFileSync(join(dir, 'www-secret', 'secret.txt'), 'SECRET');
    writeFileSync(join(dir, 'outside.txt'), 'SECRET');
    server = await startServer(join(dir, 'www'), 0);
    port = server.address().port;
  });
  after(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('files under the root are served', async () => {
    assert.deepEqual(await rawGet(port, '/sub/a.txt'), { status: 200, body: 'inside' });
    assert.deepEqual(await rawGet(port, '/'), { status: 200, body: 'home' });
    assert.deepEqual(await rawGet(port, '/sub/../sub/a.txt'), { status: 200, body: 'inside' });
  });

  test('a sibling whose name starts like the root, and anything above it, are refused', async () => {
    for (const path of [
      '/..%2Fwww-secret/secret.txt', '/..%2fwww-secret%2fsecret.txt', '/%2E%2E%2Fwww-secret/secret.txt',
      '/sub/..%2F..%2Fwww-secret/secret.txt', '/..%2Foutside.txt', '/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
    ]) {
      const res = await rawGet(port, path);
      assert.notEqual(res.status, 200, path);
      assert.ok(!res.body.includes('SECRET'), `${path} leaked ${res.body}`);
    }
    // A malformed escape is a plain failure, not a crash of the server.
    assert.notEqual((await rawGet(port, '/%E0%A4%A')).status, 200);
    assert.equal((await rawGet(port, '/sub/a.txt')).status, 200);
  });
});

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

describe('errors travel as codes and are worded by code (www/js/errors.js, i18n.js)', () => {
  // One example of every code the core sends (src/error.rs), with its fields.
  const EXAMPLES = {
    unknown_char: { char: 'é', code: 0xe9, pos: 3 },
    too_long: { len: 5000, max: 1024 },
    empty: {},
    id_out_of_range: { id: 70, pos: 2, vocab_size: 65 },
    format: { detail: 'header too large' },
    truncated: { need: 123456, have: 100 },
    missing_tensor: { name: 'wte.weight' },
    shape: { name: 'wpe.weight', expected: [64, 32], found: [32, 64] },
    dtype: { name: 'wte.weight', found: 'F16' },
    non_finite: { name: 'h.0.ln_1.weight', index: 7, value: 'NaN' },
    config: { detail: 'missing n_head' },
    not_divisible: { field: 'n_embd', value: 32, by_field: 'n_head', by: 3 },
    at_least: { field: 'n_layer', min: 1, value: 0 },
    out_of_range: { field: 'layer_norm_epsilon', value: 'inf', min: 0, max: 1 },
    text_too_short: { min: 2 },
    unsupported: { field: 'activation_function', value: 'relu', why: 'only gelu_new is implemented' },
    length_mismatch: { clean: 7, corrupt: 6 },
    same_metric: { metric: 1.25 },
    overflow: { name: 'logits' },
    over_budget: { what: 'trace', need_bytes: 3.2e9, limit_bytes: 1.5e9, max: 1024, unit: 'tokens' },
    tokenizer: { detail: 'merge 4 of "Ġzz" "xy" names "Ġzz", which is not in the vocabulary' },
    options: { detail: 'invalid type: string "x", expected u32' },
    io: { detail: 'file not found' },
    // The page's own (js/worker.js): a kept trace too big to export whole, a model URL the server did not give.
    too_big_whole: { mb: 254, max_mb: 64 },
    fetch: { status: 404, url: 'http://127.0.0.1:8080/models/nope.safetensors' },
  };

  test('every code the core sends is worded in English and Chinese, fields filled in', async () => {
    const { ERROR_CODES, setLang, translateError } = await import('../../www/js/i18n.js');
    assert.deepEqual([...ERROR_CODES].sort(), Object.keys(EXAMPLES).sort());
    for (const [code, fields] of Object.entries(EXAMPLES)) {
      const err = Object.assign(new Error(`ENGLISH FROM THE CORE (${code})`), { code, fields });
      setLang('en');
      const en = translateError(err);
      setLang('zh');
      const zh = translateError(err);
      setLang('en');
      for (const s of [en, zh]) {
        assert.ok(!s.includes('ENGLISH FROM THE CORE'), `${code} worded by code: ${s}`);
        assert.ok(!/undefined|NaN(?!')|\{\w+\}|\[object/.test(s.replace(/value \(NaN\)|是 NaN/, '')), `${code}: ${s}`);
      }
      assert.match(zh, /[\u4e00-\u9fff]/, `${code} in Chinese: ${zh}`);
      assert.notEqual(en, zh, code);
      for (const v of Object.values(fields)) {
        if (typeof v === 'string' && v.length > 1 && !['trace', 'tokens'].includes(v)) {
          assert.ok(en.includes(v), `${code}: English shows ${v}: ${en}`);
        }
      }
    }
  });

  test('the wordings readers see most', async () => {
    const { setLang, translateError } = await import('../../www/js/i18n.js');
    const err = (code) => Object.assign(new Error('core'), { code, fields: EXAMPLES[code] });
    setLang('en');
    assert.equal(translateError(err('unknown_char')), "unknown character 'é' (U+00E9) at position 4: not in the model's vocabulary"); // fields.pos 3 is the 4th character
    assert.equal(translateError(err('not_divisible')), 'config: n_embd (32) is not divisible by n_head (3)');
    assert.equal(translateError(err('over_budget')),
      'tracing this text would need about 3.2 GB of memory, more than the 1.5 GB this page allows: use at most 1,024 tokens');
    setLang('zh');
    assert.equal(translateError(err('unknown_char')), '位置 4 上的字符“é”（U+00E9）不在模型的词表里');
    assert.equal(translateError(err('too_long')), '输入有 5,000 个词元，超过了模型的上限 1,024 个');
    assert.equal(translateError(err('text_too_short')), '“你自己的文本”任务至少需要 2 个字符的文本');
    assert.equal(translateError(err('over_budget')), '计算这段输入需要约 3.2 GB 内存，超过了本页允许的 1.5 GB：请把输入减到最多 1,024 个词元');
    assert.equal(translateError(Object.assign(new Error('core'), { code: 'over_budget', fields: { ...EXAMPLES.over_budget, what: 'model', max: 0, unit: null } })),
      '这个模型需要约 3.2 GB 内存，超过了本页允许的 1.5 GB：模型本身就太大了');
    // Close to the limit, more digits rather than the same figure twice.
    assert.equal(translateError(Object.assign(new Error('core'), { code: 'over_budget', fields: { ...EXAMPLES.over_budget, need_bytes: 1_500_400_000, limit_bytes: 1_500_000_000 } })),
      '计算这段输入需要约 1.5004 GB 内存，超过了本页允许的 1.5000 GB：请把输入减到最多 1,024 个词元');
    // A whitespace or control character is shown, not left blank.
    assert.equal(translateError(Object.assign(new Error('core'), { code: 'unknown_char', fields: { char: '\n', code: 10, pos: 0 } })),
      '位置 1 上的字符“↵”（U+000A）不在模型的词表里');
    setLang('en');
  });

  test('no code, an unknown code or missing fields: the English message as it came', async () => {
    const { setLang, translateError } = await import('../../www/js/i18n.js');
    setLang('zh');
    assert.equal(translateError(new Error('404 Not Found fetching x')), '404 Not Found fetching x');
    assert.equal(translateError(Object.assign(new Error('a new kind'), { code: 'tokenizer_merge', fields: { a: 1 } })), 'a new kind');
    assert.equal(translateError(Object.assign(new Error('half'), { code: 'too_long', fields: { len: 3 } })), 'half');
    assert.equal(translateError(Object.assign(new Error('none'), { code: 'too_long' })), 'none');
    assert.equal(translateError('a plain string'), 'a plain string');
    assert.equal(translateError(null), '');
    setLang('en');
  });

  test('a worker reply carries code and fields through postMessage; the page rejects with them', async () => {
    const { errorReply, replyError, codedError } = await import('../../www/js/errors.js');
    // What the wasm facade throws: an Error with code and fields (a Map, if serialised that way).
    const thrown = Object.assign(new Error("unknown character 'é'"), { code: 'unknown_char', fields: new Map([['char', 'é'], ['code', 233], ['pos', 3]]) });
    const posted = structuredClone({ id: 4, ok: false, ...errorReply(thrown) });
    assert.deepEqual(posted, { id: 4, ok: false, error: "unknown character 'é'", code: 'unknown_char', fields: { char: 'é', code: 233, pos: 3 } });
    const e = replyError(posted);
    assert.ok(e instanceof Error);
    assert.equal(e.message, "unknown character 'é'");
    assert.equal(e.code, 'unknown_char');
    assert.deepEqual(e.fields, { char: 'é', code: 233, pos: 3 });
    // Without a code (an older wasm, a failed fetch, a string thrown): the message only.
    assert.deepEqual(errorReply(new Error('plain')), { error: 'plain' });
    assert.deepEqual(errorReply('a string'), { error: 'a string' });
    assert.equal(replyError({ error: 'plain' }).code, undefined);
    const own = codedError('empty', {}, 'empty input');
    assert.deepEqual(structuredClone(errorReply(own)), { error: 'empty input', code: 'empty', fields: {} });
  });
});

describe('links carry a bounded text (www/js/share/link.js)', () => {
  test('formatLink keeps the first LINK_TEXT_MAX characters (code points); linkText says when it cut', async () => {
    const { LINK_TEXT_MAX, formatLink, linkText, parseLink } = await import('../../www/js/share/link.js');
    assert.equal(LINK_TEXT_MAX, 2000);
    const long = '我爱你。'.repeat(75000); // 300,000 characters
    const hash = formatLink({ model: 'toy-gpt.safetensors', text: long }, {});
    assert.ok(hash.length < 20000, `${hash.length}`);
    assert.equal(parseLink(hash).text, long.slice(0, 2000));
    assert.deepEqual(parseLink(hash).bad, []);
    assert.deepEqual(linkText(long), { text: long.slice(0, 2000), cut: true, length: 300000 });
    // Astral characters count as one; a text of exactly the limit is whole.
    const astral = '😀'.repeat(2001);
    assert.equal([...linkText(astral).text].length, 2000);
    assert.equal(linkText(astral).text, '😀'.repeat(2000));
    assert.deepEqual(linkText('a'.repeat(2000)), { text: 'a'.repeat(2000), cut: false, length: 2000 });
    assert.deepEqual(linkText('😀'.repeat(1500)), { text: '😀'.repeat(1500), cut: false, length: 1500 });
    assert.equal(parseLink(formatLink({ text: 'short & sweet' }, {})).text, 'short & sweet');
  });
});

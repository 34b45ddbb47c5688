// Retrace per keystroke (issue 13 goal 3): the worker's model keeps the KV
// cache (or RNN states) of its last trace, and a new text reuses every
// position before the first token that changed (Checkpoint::retrace_ids).
// Typing at the end, editing in the middle and deleting are each checked
// against a fresh trace of the same text (every attention weight and every
// distribution), whole and kept in the worker, on a GPT and an RNN.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClean, openPage, useBrowser } from './helpers.mjs';

let origin;
let browser;
useBrowser((b) => ({ origin, browser } = b));

/** The page's current trace as plain arrays: every attention weight or state, every distribution. */
function snapshot(page) {
  return page.evaluate(async () => {
    const t = window.glasswing.lastTrace;
    const whole = t.kept ? await t.whole() : t;
    return {
      ids: Array.from(whole.ids),
      reused: t.reused,
      attention: whole.attention ? Array.from(whole.attention.data) : null,
      hidden: whole.hidden ? Array.from(whole.hidden.data) : null,
      probs: Array.from(whole.probs.data),
    };
  });
}

function worst(a, b) {
  assert.equal(a.length, b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

for (const [model, start] of [['induction-gpt.safetensors', 'abcdefgh|abc'], ['chapter-rnn.safetensors', '我喜欢在深夜的星空下']]) {
  describe(`retrace per keystroke on ${model}`, () => {
    for (const keepAbove of [Infinity, 0]) {
      test(`typing at the end, editing and deleting reuse the unchanged start and equal a fresh trace (${keepAbove ? 'whole' : 'kept'} traces)`, async () => {
        const { page, log, context } = await openPage(browser, `${origin}/#model=${model}&lang=en`);
        await page.evaluate((b) => { window.glasswing.keepAbove = b; }, keepAbove);
        const c = [...start]; // characters the model reads, one token each
        const n = c.length;
        // [text, positions the retrace copies from the one before]
        const edited = [...c.slice(0, 3), c[0], ...c.slice(4), c[1], c[2]].join('');
        const steps = [
          [start, null],
          [`${start}${c[1]}`, n], // typed at the end: all of it reused
          [`${start}${c[1]}${c[2]}`, n + 1],
          [edited, 3], // edited at the 4th character
          [[...edited].slice(0, 6).join(''), 5], // deleted back to 6: never the last position
        ];
        for (const [text, reused] of steps) {
          await page.evaluate((s) => window.glasswing.retrace(s), text);
          const re = await snapshot(page);
          if (reused !== null) assert.equal(re.reused, reused, `"${text}": positions reused`);
          // A fresh trace of the same text: the model's last trace replaced by an unrelated one first.
          await page.evaluate(async (s) => {
            const g = window.glasswing;
            (await g.engine.traceIds(g.modelId, [0])).free?.();
            await g.retrace(s);
          }, text);
          const fresh = await snapshot(page);
          assert.equal(fresh.reused, 0);
          assert.deepEqual(re.ids, fresh.ids);
          for (const key of ['attention', 'hidden', 'probs']) {
            if (fresh[key] === null) assert.equal(re[key], null);
            else assert.ok(worst(re[key], fresh[key]) < 1e-6, `"${text}": ${key} differs from a fresh trace by ${worst(re[key], fresh[key])}`);
          }
        }
        assertClean(log, origin);
        await context.close();
      });
    }
  });
}

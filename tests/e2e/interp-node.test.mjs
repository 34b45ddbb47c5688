// The interpretability tools' state and link fields without a browser
// (www/js/interp/state.js, registered in share/link.js): ablated heads
// counted from 1 in links as in `glasswing ablate --heads`, sorted and
// without duplicates, bad fields reported and skipped; toggling, what a
// trace asks for on a given model, and the labels in both languages.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatLink, parseLink } from '../../www/js/share/link.js';
import { ablationFor, ablationLabel, interpState, isAblated, layersHeads, sortHeads, toggleAblated } from '../../www/js/interp/state.js';
import { DICTS, setLang } from '../../www/js/i18n.js';

const GPT = { arch: 'gpt2', config: { n_layer: 2, n_head: 4 } };
const LLAMA = { arch: 'llama', config: { num_hidden_layers: 3, num_attention_heads: 6 } };
const RNN = { arch: 'rnn', config: { num_layers: 1 } };

describe('interp links', () => {
  test('ablate, ablate_mode and interp round-trip, counted from 1', () => {
    const link = parseLink('#model=induction-gpt.safetensors&ablate=2.1,1.3,1.3&ablate_mode=mean&interp=scores');
    assert.deepEqual(link.bad, []);
    assert.deepEqual(link.patch.ablate, [[0, 2], [1, 0]]);
    assert.equal(link.patch.ablateMode, 'mean');
    assert.equal(link.patch.interp, 'scores');
    const hash = formatLink({ model: 'induction-gpt.safetensors' }, { ...interpState, ...link.patch });
    assert.match(hash, /ablate=1\.3%2C2\.1/);
    assert.match(hash, /ablate_mode=mean/);
    assert.match(hash, /interp=scores/);
    assert.deepEqual(parseLink(`#${hash}`).patch.ablate, [[0, 2], [1, 0]]);
  });

  test('defaults stay out of links', () => {
    const hash = formatLink({ model: 'x.safetensors' }, { ...interpState });
    assert.doesNotMatch(hash, /ablate|interp/);
  });

  test('unreadable fields are reported, the rest of the link applies', () => {
    for (const bad of ['0.1', '1.0', 'x', '1.2,', '1', '1.2.3', '-1.2']) {
      const link = parseLink(`#ablate=${encodeURIComponent(bad)}&layer=2`);
      assert.ok(link.bad.includes('ablate'), bad);
      assert.equal(link.patch.ablate, undefined, bad);
      assert.equal(link.patch.layer, 1, bad);
    }
    assert.ok(parseLink('#ablate_mode=half').bad.includes('ablate_mode'));
    assert.ok(parseLink('#interp=attention').bad.includes('interp'));
  });
});

describe('ablation state', () => {
  test('toggling adds in order and removes', () => {
    let s = { ...interpState };
    s = { ...s, ...toggleAblated(s, 1, 2) };
    s = { ...s, ...toggleAblated(s, 0, 3) };
    assert.deepEqual(s.ablate, [[0, 3], [1, 2]]);
    assert.ok(isAblated(s, 1, 2));
    s = { ...s, ...toggleAblated(s, 1, 2) };
    assert.deepEqual(s.ablate, [[0, 3]]);
    assert.deepEqual(sortHeads([[1, 0], [0, 1], [1, 0]]), [[0, 1], [1, 0]]);
  });

  test('a trace asks only for heads the model has; an RNN has none', () => {
    const s = { ...interpState, ablate: [[0, 1], [1, 3], [2, 5], [5, 0]], ablateMode: 'mean' };
    assert.deepEqual(ablationFor(s, GPT), { heads: [[0, 1], [1, 3]], mode: 'mean' });
    assert.deepEqual(ablationFor(s, LLAMA), { heads: [[0, 1], [1, 3], [2, 5]], mode: 'mean' });
    assert.equal(ablationFor(s, RNN), null);
    assert.equal(ablationFor({ ...s, ablate: [] }, GPT), null);
    assert.deepEqual(layersHeads(LLAMA), [3, 6]);
    assert.equal(layersHeads(RNN), null);
  });

  test('labels in both languages, every key in both', () => {
    setLang('en');
    assert.equal(ablationLabel({ heads: [[0, 1], [1, 0]], mode: 'zero' }), ' · L1H2, L2H1 ablated (zero)');
    setLang('zh');
    assert.equal(ablationLabel({ heads: [[0, 1]], mode: 'mean' }), ' · 消融了 L1H2（取平均）');
    setLang('en');
    assert.equal(ablationLabel(null), '');
    const en = Object.keys(DICTS.en).filter((k) => /^(interp|lens|scores?|score_|ablat|headClick)/.test(k));
    assert.ok(en.length > 40);
    for (const k of en) assert.ok(k in DICTS.zh, `${k} has no Chinese`);
  });
});

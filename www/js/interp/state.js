// The interpretability tools' share of the page state, and their link fields.
//   state.ablate      [[l, h], ...] heads ablated (indices from 0, sorted), [] for none
//   state.ablateMode  'zero' | 'mean'
//   state.headClick   what a click on a model-view thumbnail does: 'focus' | 'ablate'
//   state.interp      the interpretability panel's tab: 'lens' | 'scores'
//                     (attribution and patching join as 'attribute', 'patch')
// Links (share/link.js registry): ablate=1.2,2.1 (layer.head counted from 1,
// as `glasswing ablate --heads`), ablate_mode=mean (zero is left out),
// interp=lens|scores. No DOM.

import { t } from '../i18n.js';
import './i18n.js'; // the labels in both languages
import { BadField, oneOfCodec, registerHashKey } from '../share/link.js';

export const INTERP_TABS = ['lens', 'scores'];
export const ABLATE_MODES = ['zero', 'mean'];

export const interpState = { ablate: [], ablateMode: 'zero', headClick: 'focus', interp: 'lens' };

/** (layers, heads) of a Transformer's info, or null (an RNN). */
export function layersHeads(info) {
  const c = info?.config ?? {};
  if (info?.arch === 'gpt2') return [c.n_layer, c.n_head];
  if (info?.arch === 'llama') return [c.num_hidden_layers, c.num_attention_heads];
  return null;
}

/** Heads sorted by layer then head, without duplicates. */
export function sortHeads(heads) {
  const seen = new Set();
  return heads.filter(([l, h]) => !seen.has(`${l}.${h}`) && seen.add(`${l}.${h}`))
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

export function isAblated(state, l, h) {
  return state.ablate.some(([a, b]) => a === l && b === h);
}

/** The store patch that ablates (or restores) head h of layer l. */
export function toggleAblated(state, l, h) {
  const ablate = isAblated(state, l, h) ? state.ablate.filter(([a, b]) => a !== l || b !== h) : sortHeads([...state.ablate, [l, h]]);
  return { ablate };
}

/** The ablation a trace of the model `info` asks for: the heads that exist in it, or null for none. */
export function ablationFor(state, info) {
  const lh = layersHeads(info);
  if (!lh || !state.ablate.length) return null;
  const heads = state.ablate.filter(([l, h]) => l < lh[0] && h < lh[1]);
  return heads.length ? { heads, mode: state.ablateMode } : null;
}

/** "L1H2, L2H1" (counted from 1). */
export function headNames(heads) {
  return heads.map(([l, h]) => `L${l + 1}H${h + 1}`).join(', ');
}

/** " · heads L1H2, L1H3 ablated (zero)" for a trace's `ablated`, in the page's language ("" for none). */
export function ablationLabel(ablated) {
  if (!ablated?.heads?.length) return '';
  return ` · ${t('ablatedLabel', { heads: headNames(ablated.heads), mode: t(`ablateMode_${ablated.mode}`) })}`;
}

// "1.2,2.1" <-> [[0, 1], [1, 0]]; left out of links when nothing is ablated.
export const ablateCodec = {
  params: ['ablate'],
  read(sp) {
    if (!sp.has('ablate')) return undefined;
    const s = sp.get('ablate');
    if (s === '') return [];
    const parts = s.split(',');
    if (parts.length > 4096 || !parts.every((p) => /^\d{1,4}\.\d{1,4}$/.test(p))) throw new BadField('ablate');
    const heads = parts.map((p) => p.split('.').map(Number));
    if (heads.some(([l, h]) => l < 1 || h < 1)) throw new BadField('ablate');
    return sortHeads(heads.map(([l, h]) => [l - 1, h - 1]));
  },
  write(v, sp) {
    if (Array.isArray(v) && v.length) sp.set('ablate', v.map(([l, h]) => `${l + 1}.${h + 1}`).join(','));
  },
};

registerHashKey('ablate', ablateCodec);
registerHashKey('ablateMode', oneOfCodec('ablate_mode', ABLATE_MODES, { omit: 'zero' }));
registerHashKey('interp', oneOfCodec('interp', INTERP_TABS, { omit: 'lens' }));

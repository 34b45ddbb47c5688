// Sampler controls bound to `state.sampler` (the shared store holds the
// settings in the core's own shape, {greedy, temperature, top_k, top_p,
// min_p, seed}, so URL sharing can serialise them as they are). Temperature
// has a log-scale slider (0.05 to 10, 1 in the middle-right) and a number
// box; top-k 0, top-p 1 and min-p 0 mean "off" (null).

import { t } from '../i18n.js';

export const DEFAULT_SAMPLER = Object.freeze({ greedy: false, temperature: 1, top_k: null, top_p: null, min_p: null, seed: 0 });
export const T_MIN = 0.05;
export const T_MAX = 10;

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
/** 3 significant digits, so the slider shows 0.8, not 0.7943282347. */
const round3 = (v) => Number(v.toPrecision(3));

/** Any partial or malformed settings made valid for the core. */
export function normaliseSampler(s = {}) {
  const num = (v, d) => (v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? d : Number(v));
  const topK = num(s.top_k, 0);
  const topP = num(s.top_p, 1);
  const minP = num(s.min_p, 0);
  return {
    greedy: Boolean(s.greedy),
    temperature: clamp(num(s.temperature, 1), T_MIN, T_MAX),
    top_k: topK >= 1 ? Math.round(topK) : null,
    top_p: topP > 0 && topP < 1 ? topP : null,
    min_p: minP > 0 && minP <= 1 ? minP : null,
    seed: Math.max(0, Math.min(Number.MAX_SAFE_INTEGER, Math.floor(num(s.seed, 0)))),
  };
}

export class SamplerControls {
  /** `root` holds the inputs named in index order below; `store.state.sampler` is the truth. */
  constructor(root, store) {
    this.store = store;
    const q = (name) => root.querySelector(`[data-gen="${name}"]`);
    this.els = {
      greedy: q('greedy'), tSlider: q('temperature-slider'), tBox: q('temperature'),
      topK: q('top_k'), topP: q('top_p'), minP: q('min_p'), seed: q('seed'), reseed: q('reseed'),
      topKOut: q('top_k-out'), topPOut: q('top_p-out'), minPOut: q('min_p-out'),
    };
    const e = this.els;
    const patch = (p) => store.set({ sampler: normaliseSampler({ ...store.state.sampler, ...p }) });
    e.greedy.addEventListener('change', () => patch({ greedy: e.greedy.checked }));
    e.tSlider.addEventListener('input', () => patch({ temperature: round3(10 ** Number(e.tSlider.value)) }));
    e.tBox.addEventListener('change', () => {
      const v = Number(e.tBox.value);
      if (e.tBox.value !== '' && Number.isFinite(v)) patch({ temperature: round3(clamp(v, T_MIN, T_MAX)) });
      else this.render(store.state.sampler, true); // puts the last good value back
    });
    e.topK.addEventListener('input', () => patch({ top_k: Number(e.topK.value) }));
    e.topP.addEventListener('input', () => patch({ top_p: Number(e.topP.value) }));
    e.minP.addEventListener('input', () => patch({ min_p: Number(e.minP.value) }));
    e.seed.addEventListener('change', () => patch({ seed: Number(e.seed.value) }));
    e.reseed.addEventListener('click', () => patch({ seed: Math.floor(Math.random() * 100000) }));
  }

  /** Puts the settings into the inputs (except the one being typed in, unless `force`). */
  render(s, force = false) {
    const e = this.els;
    const put = (el, v) => { if ((force || document.activeElement !== el) && el.value !== String(v)) el.value = String(v); };
    e.greedy.checked = s.greedy;
    put(e.tSlider, Math.log10(s.temperature).toFixed(2));
    if (force || document.activeElement !== e.tBox) e.tBox.value = String(s.temperature);
    put(e.topK, s.top_k ?? 0);
    put(e.topP, s.top_p ?? 1);
    put(e.minP, s.min_p ?? 0);
    put(e.seed, s.seed);
    e.topKOut.textContent = s.top_k === null ? t('genOff') : String(s.top_k);
    e.topPOut.textContent = s.top_p === null ? t('genOff') : s.top_p.toFixed(2);
    e.minPOut.textContent = s.min_p === null ? t('genOff') : s.min_p.toFixed(2);
    e.tSlider.setAttribute('aria-valuetext', String(s.temperature));
    e.topK.setAttribute('aria-valuetext', e.topKOut.textContent);
    e.topP.setAttribute('aria-valuetext', e.topPOut.textContent);
    e.minP.setAttribute('aria-valuetext', e.minPOut.textContent);
    // Greedy ignores temperature's randomness but the filters still shape the bars.
    e.tSlider.closest('.gen-field').classList.toggle('dim', s.greedy);
  }
}

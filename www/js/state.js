// The page's shared view state, and a tiny subscribe/notify store around it.
// Views never talk to each other: they read this state and call set().

export const initialState = {
  lang: 'en',
  modelKey: null, // the picker's value: "shipped:<file>" or "user:<n>"
  layer: 0, // focused layer (matrix, head view)
  head: 0, // focused head (matrix)
  headsOn: [], // heads drawn in the head view, one boolean each
  pos: null, // selected position for the bars; null follows the last token
  hover: null, // position under the pointer in any view, or null
  topK: 10,
  // Generation sampler in the core's SamplerSettings shape (generate/sampler.js); null filters are off.
  sampler: { greedy: false, temperature: 1, top_k: null, top_p: null, min_p: null, seed: 0 },
  view: null, // the view links, embeds and exports are about: 'heads' | 'matrix' | 'model' | 'bars' | 'hidden' (share/)
  lesson: null, // open lesson step (0-based index into classroom/chapter.js), null when no lesson is open
  presenter: false, // classroom presenter mode: large type, high contrast, bigger canvases
  palette: 'standard', // heatmap palette: 'standard' | 'contrast' (classroom/palette.js)
};

export function createStore(initial = initialState) {
  const state = { ...initial };
  const listeners = new Set();
  return {
    state,
    /** Merges a patch and tells listeners which keys actually changed. */
    set(patch) {
      const changed = [];
      for (const [k, v] of Object.entries(patch)) {
        if (state[k] !== v) { state[k] = v; changed.push(k); }
      }
      if (changed.length) for (const fn of listeners) fn(state, changed);
    },
    subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); },
  };
}

/**
 * Keeps a selection valid for a new trace's shape: layer/head clamped into
 * range, the head toggles resized (new heads start on), the position clamped
 * when the text shrank.
 */
export function clampToTrace(state, trace) {
  const T = trace.ids.length;
  const [L, H] = trace.attention ? trace.attention.shape : trace.hidden ? [trace.hidden.shape[0], 0] : [0, 0];
  const clamp = (v, n) => Math.max(0, Math.min(v, n - 1));
  const headsOn = Array.from({ length: H }, (_, h) => state.headsOn[h] ?? true);
  return {
    layer: L ? clamp(state.layer, L) : 0,
    head: H ? clamp(state.head, H) : 0,
    headsOn: headsOn.length === state.headsOn.length && headsOn.every((v, i) => v === state.headsOn[i]) ? state.headsOn : headsOn,
    pos: state.pos === null ? null : clamp(state.pos, T),
    hover: state.hover === null || state.hover < T ? state.hover : null,
  };
}

/**
 * The position whose attention the views single out: the hovered one, else
 * the chosen one (a clicked token keeps its lines in focus), else null (all
 * lines, no crosshair).
 */
export function focusPos(state, T) {
  if (state.hover !== null && state.hover < T) return state.hover;
  if (state.pos !== null) return Math.min(state.pos, T - 1);
  return null;
}

/** The head shown alone in the head view (exactly one head on), or null. */
export function soloHead(headsOn) {
  let on = null;
  for (let h = 0; h < headsOn.length; h++) {
    if (!headsOn[h]) continue;
    if (on !== null) return null;
    on = h;
  }
  return on;
}

/**
 * A store patch keeping a lone head in step with the focused head: while the
 * head view shows one head alone, choosing another head (matrix picker,
 * thumbnails, keys) shows that one alone instead. -> patch or null.
 */
export function followSolo(state, changed) {
  if (!changed.includes('head') || changed.includes('headsOn')) return null;
  const solo = soloHead(state.headsOn);
  if (solo === null || solo === state.head || state.head >= state.headsOn.length) return null;
  return { headsOn: state.headsOn.map((_, h) => h === state.head) };
}

/** The position the bars describe: the hovered one, else the chosen one, else the last. */
export function activePos(state, T) {
  if (state.hover !== null && state.hover < T) return state.hover;
  if (state.pos !== null) return Math.min(state.pos, T - 1);
  return T - 1;
}

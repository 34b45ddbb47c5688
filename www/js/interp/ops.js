// Worker side of the interpretability tools (issue 14; src/interp.rs through
// the wasm facade, layers and heads from 0), merged into worker.js's ops:
//   lens       {modelId, text | ids, k, ablate?: {heads, mode}} -> {ids, layers: L+1, t: T, k: K,
//              top_ids: Uint32Array, top_probs: Float32Array} ([L+1, T, K] each), of the
//              model with `ablate`'s heads ablated when given
//   ablate     {modelId, text | ids, heads: [[l, h]], mode: 'zero' | 'mean'}
//              -> {data: Float32Array, shape: [T, V]}: the ablated next-token probabilities
//   headScores {modelId, n?, seed?, ids?}       -> {ids, tokens, n, seed?, previous_token,
//              duplicate_token, induction: {data, shape: [L, H]}}: on n random ids
//              (seeded; n 0 or absent: the CLI's default) repeated twice, or on `ids` (2N)
// and `keptAblated(model, {text, ids}, ablate)`, the kept trace worker.js's
// `trace` op makes when asked for one with `ablate: {heads, mode}`.
// (Attribution and patching join here the same way: one op each.)

/** The ids of a request: given, or the text encoded. */
function idsOf(m, { text, ids }) {
  return ids ? Uint32Array.from(ids) : m.encode(text);
}

/** [[l, h], ...] -> Uint32Array [l0, h0, l1, h1, ...]. */
function flatHeads(heads) {
  return Uint32Array.from((heads ?? []).flat());
}

export function keptAblated(m, input, { heads, mode }) {
  return m.keepTraceAblated(idsOf(m, input), flatHeads(heads), mode ?? 'zero');
}

export function interpOps(model) {
  return {
    lens({ modelId, text, ids, k = 10, ablate = null }) {
      const m = model(modelId);
      const input = idsOf(m, { text, ids });
      const heads = ablate?.heads?.length ? flatHeads(ablate.heads) : undefined;
      const out = m.lens(input, k, heads, heads ? ablate.mode ?? 'zero' : undefined);
      out.ids = input;
      return [out, [out.top_ids.buffer, out.top_probs.buffer, input.buffer]];
    },
    ablate({ modelId, text, ids, heads, mode = 'zero' }) {
      const m = model(modelId);
      const probs = m.ablate(idsOf(m, { text, ids }), flatHeads(heads), mode);
      return [probs, [probs.data.buffer]];
    },
    headScores({ modelId, n = 0, seed = 0, ids = null }) {
      const m = model(modelId);
      const out = ids ? m.headScoresIds(Uint32Array.from(ids)) : m.headScores(n, seed);
      const shape = (x) => ({ data: x.data, shape: Array.from(x.shape) });
      const result = { ...out, previous_token: shape(out.previous_token), duplicate_token: shape(out.duplicate_token), induction: shape(out.induction) };
      return [result, [result.ids.buffer, result.previous_token.data.buffer, result.duplicate_token.data.buffer, result.induction.data.buffer]];
    },
  };
}

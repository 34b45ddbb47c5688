// Worker side of step-by-step generation: owns the wasm decoding sessions
// (KV cache or RNN state) so stepping never blocks the page. worker.js merges
// these ops into its table; the page reaches them through engine.call().
//
//   genOpen    {modelId, settings}                 -> {sessionId}
//   genClose   {sessionId}                         -> true
//   genSampler {sessionId, settings, choose}       -> {choice | null}
//   genGo      {sessionId, keep, ids?, text?, choose} -> {len, ids, tokens, step, choice}
//
// genGo truncates the session to `keep` tokens, feeds `ids` one at a time (or
// the text's tokens in one forward: a prompt of 512 tokens on GPT-2 small is
// one pass, not 512, and keeps one distribution, not 512 of 50,257 floats:
// only the last is ever drawn from or branched at), and, when `choose` is set, lets the seeded sampler
// pick the next token from the last distribution (without feeding it).
// `step` is what the model computed for the newest token fed
// ({attention: {data, shape: [L,H,T]} | null, hidden: {data, shape: [L,Hd]} | null}),
// `choice` is {id, raw, after_temperature, after_top_k, after_top_p, probs}
// with Float32Array distributions. Every typed array is transferred.

import { codedError } from '../errors.js';

const STAGES = ['raw', 'after_temperature', 'after_top_k', 'after_top_p', 'probs'];

export function generationOps(getModel) {
  // sessionId -> {model: WasmModel, session: WasmSession, dists: the next-token distribution after 1..len tokens
  // (null inside a prompt fed as text: only a prompt's last one is ever used)}
  const sessions = new Map();
  let nextId = 1;

  function entry(sessionId) {
    const e = sessions.get(sessionId);
    if (!e) throw new Error(`no generation session with id ${sessionId}`);
    return e;
  }

  function choose(e, transfer) {
    const probs = e.dists[e.dists.length - 1];
    if (!probs) throw codedError('empty', {}, 'empty input: nothing to continue');
    const c = e.session.choose(probs);
    const out = { id: c.id };
    for (const k of STAGES) {
      out[k] = Float32Array.from(c[k]);
      transfer.push(out[k].buffer);
    }
    return out;
  }

  function packTensor(t, transfer) {
    if (!t) return null;
    const data = t.data.slice(); // a copy that owns its buffer
    transfer.push(data.buffer);
    return { data, shape: Array.from(t.shape) };
  }

  return {
    genOpen({ modelId, settings }) {
      const model = getModel(modelId);
      const session = model.startSession();
      try {
        session.setSampler(settings);
      } catch (e) {
        session.free();
        throw e;
      }
      const sessionId = nextId++;
      sessions.set(sessionId, { model, session, dists: [] });
      return [{ sessionId }];
    },

    genClose({ sessionId }) {
      const e = sessions.get(sessionId);
      if (e) { e.session.free(); sessions.delete(sessionId); }
      return [true];
    },

    genSampler({ sessionId, settings, choose: wanted }) {
      const e = entry(sessionId);
      e.session.setSampler(settings); // restarts the seeded draws
      const transfer = [];
      const choice = wanted && e.dists.length ? choose(e, transfer) : null;
      return [{ choice }, transfer];
    },

    genGo({ sessionId, keep, ids, text, choose: wanted }) {
      const e = entry(sessionId);
      e.session.truncate(keep);
      e.dists.length = Math.min(e.dists.length, keep);
      let step = null;
      if (text !== undefined && text !== null) {
        step = e.session.pushText(text); // all or nothing: the session is as it was on an error
        const n = e.session.ids().length - keep;
        for (let k = 1; k < n; k++) e.dists.push(null);
        e.dists.push(step.probs);
      }
      const feed = text !== undefined && text !== null ? [] : Array.from(ids ?? []);
      for (const id of feed) {
        try {
          step = e.session.push(id);
        } catch (err) {
          e.session.truncate(keep); // all or nothing
          e.dists.length = keep;
          throw err;
        }
        e.dists.push(step.probs);
      }
      const transfer = [];
      const out = {
        len: e.dists.length,
        ids: e.session.ids(),
        tokens: e.session.tokens(),
        step: step && { attention: packTensor(step.attention, transfer), hidden: packTensor(step.hidden, transfer) },
        choice: wanted ? choose(e, transfer) : null,
      };
      transfer.push(out.ids.buffer);
      return [out, transfer];
    },
  };
}

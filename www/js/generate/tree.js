// The generation tree and the actions on it (step, back, force a token,
// switch branch, change the sampler), with no DOM: the panel draws it.
//
// The root is the prompt; every other node is one generated token. The
// session in the worker always holds the path from the root to `cursor`.
// Each node keeps the sampler's `choice` it came from (the distribution
// before and after every filter), whether the user forced it, and what the
// model computed when it was fed (`step`: attention rows or hidden state).
// `pending` is the sampler's pick for the token after a node, drawn as soon
// as the node is reached, so "Step" just feeds it: the draws happen in the
// same order as `glasswing generate` (choose, push, choose, push, ...), and
// the same seed gives the same text as the native command.
//
// A restart (new model or prompt) bumps `epoch`. Queued work for an older
// epoch never starts, and work already waiting on the worker drops the
// answer (`ask`): a stale step, branch switch, sampler change or restart
// never writes the tree, the cursor, the prompt or the session, so the panel
// never draws one model's attention row with another model's (or prompt's)
// tokens. A session opened by a stale restart is closed.

let nextKey = 1;

function makeNode(parent, id, choice, forced) {
  return { key: nextKey++, id, token: null, parent, children: [], depth: parent.depth + 1, choice, forced, step: null, pending: null };
}

/** Root to node, root excluded. */
export function pathOf(node) {
  const path = [];
  for (let n = node; n?.parent; n = n.parent) path.push(n);
  return path.reverse();
}

/** Every node under the root, depth first, children in creation order. */
export function walk(root, fn) {
  const stack = [...root.children].reverse();
  while (stack.length) {
    const n = stack.pop();
    fn(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
}

export class Generation {
  /** `call(op, args)` reaches the worker (engine.call); `onChange()` asks for a redraw. */
  constructor(call, onChange) {
    this.call = call;
    this.onChange = onChange;
    this.queue = Promise.resolve();
    this.epoch = 0; // bumped by restart: queued or in-flight work for an older prompt is dropped
    this.jobEpoch = 0; // the epoch of the job running now (jobs run one at a time)
    this.sessionId = null;
    this.modelId = null;
    this.root = null; // {depth: 0, children, step, pending}
    this.cursor = null;
    this.prompt = { ids: [], tokens: [] };
    this.maxLen = Infinity;
    this.settings = null;
    this.error = null; // {key, vars, raw}
    this.busy = false;
    this.wantedSettings = null;
    this.version = 0; // bumped whenever the tree, the cursor or the error may have changed
  }

  /** Runs `fn` after everything queued before it; errors become `this.error`. */
  run(fn) {
    const epoch = this.epoch;
    const job = this.queue.then(async () => {
      if (epoch !== this.epoch) return false;
      this.busy = true;
      this.jobEpoch = epoch;
      try {
        await fn();
        if (epoch === this.epoch) this.error = null;
        return true;
      } catch (e) {
        if (epoch === this.epoch) this.error = e.genKey ? { key: e.genKey, vars: e.vars ?? {}, raw: null } : { key: 'genFailed', vars: {}, raw: e };
        return false;
      } finally {
        this.busy = false;
        this.version++;
        this.onChange();
      }
    });
    this.queue = job;
    return job;
  }

  /**
   * A worker call for the running job. Once a restart has made the job stale
   * its answer is dropped (a session it opened is closed) and the job stops
   * here, before it touches any state; `run` reports no error for it.
   */
  async ask(op, args) {
    const epoch = this.jobEpoch;
    const r = await this.call(op, args);
    if (epoch !== this.epoch) {
      if (op === 'genOpen') this.call('genClose', { sessionId: r.sessionId }).catch(() => {});
      throw Object.assign(new Error('stale'), { stale: true });
    }
    return r;
  }

  /** Starts over from `prompt` ({text} or {ids}) with a fresh session (and fresh seeded draws). */
  restart(modelId, maxLen, prompt, settings) {
    this.epoch++;
    const old = this.sessionId;
    this.sessionId = null;
    this.root = null;
    this.cursor = null;
    this.prompt = { ids: [], tokens: [] };
    this.modelId = modelId;
    this.maxLen = maxLen;
    this.settings = settings;
    this.wantedSettings = null;
    this.error = null;
    this.version++;
    this.onChange();
    if (old !== null) this.call('genClose', { sessionId: old }).catch(() => {});
    return this.run(async () => {
      const empty = prompt.text !== undefined ? prompt.text === '' : !prompt.ids?.length;
      if (empty) throw Object.assign(new Error('empty'), { genKey: 'genEmpty' });
      const { sessionId } = await this.ask('genOpen', { modelId, settings });
      this.sessionId = sessionId;
      const r = await this.ask('genGo', { sessionId, keep: 0, ...prompt, choose: true });
      this.prompt = { ids: Array.from(r.ids), tokens: r.tokens };
      this.root = { key: 0, id: null, token: null, parent: null, children: [], depth: 0, choice: null, forced: false, step: r.step, pending: this.stamp(r.choice) };
      this.cursor = this.root;
    });
  }

  get ready() { return this.root !== null; }
  get length() { return this.prompt.ids.length + (this.cursor?.depth ?? 0); }
  get atMax() { return this.length >= this.maxLen; }

  /** Token ids of the whole text: prompt and the current path. */
  ids() { return this.cursor ? [...this.prompt.ids, ...pathOf(this.cursor).map((n) => n.id)] : []; }

  /** Feeds the sampler's pick for the next token. Resolves to false when nothing was added. */
  step() {
    return this.run(async () => {
      const c = this.cursor;
      if (!c) throw Object.assign(new Error('empty'), { genKey: 'genEmpty' });
      if (this.atMax) throw Object.assign(new Error('max'), { genKey: 'genMaxLen', vars: { max: this.maxLen } });
      await this.advance(c, c.pending.id, c.pending);
    });
  }

  /** Feeds `id` after `parent` instead of the sampler's pick, as a new branch (or an existing one). */
  force(parent, id, choice) {
    return this.run(async () => {
      if (this.prompt.ids.length + parent.depth >= this.maxLen) {
        throw Object.assign(new Error('max'), { genKey: 'genMaxLen', vars: { max: this.maxLen } });
      }
      await this.advance(parent, id, choice);
    });
  }

  /** One token back (the tree keeps the token, so Step or a click brings it back). */
  back() {
    return this.run(async () => {
      if (this.cursor?.parent) await this.moveTo(this.cursor.parent);
    });
  }

  /** Switches to the branch ending at `node` (truncate to the shared prefix, then re-feed the rest). */
  goTo(node) {
    return this.run(async () => {
      if (node !== this.cursor) await this.moveTo(node);
    });
  }

  /** New sampler settings: restarts the seeded draws and redraws the next token. Rapid changes coalesce. */
  setSettings(settings) {
    const first = this.wantedSettings === null;
    this.wantedSettings = settings;
    if (!first) return this.queue;
    return this.run(async () => {
      const s = this.wantedSettings;
      this.wantedSettings = null;
      this.settings = s;
      if (!this.sessionId || !this.cursor) return;
      const r = await this.ask('genSampler', { sessionId: this.sessionId, settings: s, choose: true });
      // Other nodes' picks were made with the old settings: draw again when reached.
      walk(this.root, (n) => { n.pending = null; });
      this.root.pending = null;
      this.cursor.pending = this.stamp(r.choice);
    });
  }

  /** Remembers the settings a choice was made with (the pipeline names its columns after them). */
  stamp(choice) {
    if (choice) choice.settings = this.settings;
    return choice;
  }

  async advance(parent, id, choice) {
    let child = parent.children.find((n) => n.id === id);
    const created = !child;
    if (created) {
      child = makeNode(parent, id, choice, id !== choice.id);
      parent.children.push(child);
    }
    try {
      await this.moveTo(child);
    } catch (e) {
      if (created) parent.children.splice(parent.children.indexOf(child), 1);
      throw e;
    }
  }

  async moveTo(target) {
    const from = pathOf(this.cursor);
    const to = pathOf(target);
    let common = 0;
    while (common < from.length && common < to.length && from[common] === to[common]) common++;
    const feed = to.slice(common);
    const r = await this.ask('genGo', {
      sessionId: this.sessionId,
      keep: this.prompt.ids.length + common,
      ids: feed.map((n) => n.id),
      choose: !target.pending,
    });
    const tokens = r.tokens.slice(this.prompt.ids.length);
    for (const n of to) n.token = tokens[n.depth - 1];
    if (r.step && feed.length) feed[feed.length - 1].step = r.step;
    if (r.choice) target.pending = this.stamp(r.choice);
    this.cursor = target;
  }
}

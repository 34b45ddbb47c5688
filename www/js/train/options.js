// What the Train panel can ask for: tasks, size presets, the limits of every
// number field, and how form values become the core's `TrainOptions`. Pure
// data and functions (no DOM), so the rules live in one place.

/** Task name -> {steps: the default budget, sep: the character after which the answer starts (null: all scored)}. */
export const TASKS = {
  reverse: { steps: 3000, sep: '>' },
  sort: { steps: 5000, sep: '>' },
  induction: { steps: 6000, sep: '|' },
  brackets: { steps: 3000, sep: '>' },
  add: { steps: 5000, sep: '=' },
  toy: { steps: 3000, sep: null },
  chapter: { steps: 3000, sep: null },
  text: { steps: 2000, sep: null },
};

/** The text task's window (the core's TEXT_WINDOW): longer texts are seen in windows this long. */
export const TEXT_WINDOW = 64;

/** A text this long or longer holds out its last tenth (the core's TEXT_HOLD_OUT_MIN, src/train/tasks.rs). */
export const TEXT_HOLD_OUT_MIN = 200;

/**
 * How many characters at the end of a pasted text are held out, never
 * trained on (src/train/tasks.rs held_out_chars); 0: too short to spare any,
 * so the held-out score is measured on the training text itself.
 */
export function heldOutChars(text) {
  const n = [...(text ?? '')].length;
  return n >= TEXT_HOLD_OUT_MIN ? Math.floor(n / 10) : 0;
}

// Presets: "small" GPT is the shipped reverse/sort model, "medium" the shipped
// induction/toy GPT, "small" RNN the shipped toy RNN.
export const PRESETS = {
  gpt2: {
    tiny: { n_layer: 1, n_head: 2, n_embd: 32 },
    small: { n_layer: 2, n_head: 2, n_embd: 32 },
    medium: { n_layer: 2, n_head: 4, n_embd: 48 },
  },
  rnn: {
    tiny: { num_layers: 1, hidden_size: 32, embed_dim: 16 },
    small: { num_layers: 1, hidden_size: 96, embed_dim: 32 },
    medium: { num_layers: 2, hidden_size: 128, embed_dim: 32 },
  },
};

/** Number fields: [min, max, integer?]. The maxima keep a step well under a second. */
export const LIMITS = {
  n_layer: [1, 6, true],
  n_head: [1, 8, true],
  n_embd: [4, 256, true],
  num_layers: [1, 4, true],
  hidden_size: [2, 512, true],
  embed_dim: [2, 256, true],
  steps: [1, 100000, true],
  seed: [0, 4294967295, true],
  lr: [1e-5, 1, false],
  batch_size: [1, 256, true],
};

/** The preset matching these sizes, or "custom". */
export function presetOf(arch, sizes) {
  for (const [name, p] of Object.entries(PRESETS[arch])) {
    if (Object.entries(p).every(([k, v]) => Number(sizes[k]) === v)) return name;
  }
  return 'custom';
}

/**
 * Checks the raw form values (strings) and builds `TrainOptions` for
 * `new WasmTrainer`. -> {options} or {bad: {field, min, max}} for the first
 * number out of range. Consistency between fields (n_embd divisible by
 * n_head, a long enough text) is left to the core, which says what is wrong.
 */
export function buildOptions(form) {
  const fields = ['steps', 'seed', 'lr', 'batch_size',
    ...(form.arch === 'rnn' ? ['num_layers', 'hidden_size', 'embed_dim'] : ['n_layer', 'n_head', 'n_embd'])];
  const numbers = {};
  for (const field of fields) {
    const [min, max, integer] = LIMITS[field];
    const raw = String(form[field] ?? '').trim();
    const x = Number(raw);
    if (raw === '' || !Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x))) {
      return { bad: { field, min, max } };
    }
    numbers[field] = x;
  }
  const options = { arch: form.arch, task: form.task, ...numbers };
  if (form.arch === 'rnn') options.nonlinearity = form.nonlinearity === 'relu' ? 'relu' : 'tanh';
  if (form.task === 'text') options.text = form.text ?? '';
  return { options };
}

/** Splits an example into the prompt and the scored answer (after the task's separator). */
export function splitExample(task, text) {
  const sep = TASKS[task]?.sep;
  const i = sep ? text.indexOf(sep) : -1;
  return i < 0 ? { prompt: text.slice(0, 1), answer: text.slice(1) } : { prompt: text.slice(0, i + 1), answer: text.slice(i + 1) };
}

/** Index of the first scored character of an example (>= 1). */
export function answerStart(task, text) {
  return [...splitExample(task, text).prompt].length;
}

/** A descriptive file name: glasswing-reverse-gpt2-L2H2d32-1600steps.safetensors */
export function fileName(options, steps) {
  const size = options.arch === 'rnn'
    ? `L${options.num_layers}H${options.hidden_size}${options.nonlinearity === 'relu' ? '-relu' : ''}`
    : `L${options.n_layer}H${options.n_head}d${options.n_embd}`;
  return `glasswing-${options.task}-${options.arch}-${size}-${steps}steps.safetensors`;
}

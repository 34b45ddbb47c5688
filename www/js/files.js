// "Open your own": a model folder is one unit. Out of whatever files were
// chosen, a chosen folder or a dropped one, this picks the weights
// (model.safetensors, or the only .safetensors), the config.json beside them
// and the tokenizer files (tokenizer.json, or vocab.json + merges.txt); the
// rest of a Hub folder (generation_config.json, tokenizer_config.json,
// README.md, *.bin, onnx/ ...) is ignored. Nothing is read here: the model
// worker reads the files (worker.js loadFolder). Also the page-wide drop
// target, which walks dropped folders.

import { codedError } from './errors.js';

const MAX_DEPTH = 4; // folders inside a dropped folder that are walked
const MAX_FILES = 5000; // entries looked at in a drop (someone may drop their home folder)

// .json files of a Hub folder that are never the model's config.
const SIDE_JSON = /^(tokenizer|tokenizer_config|generation_config|special_tokens_map|added_tokens|vocab|preprocessor_config|chat_template|trainer_state|training_args)\.json$|\.index\.json$/i;

const baseName = (path) => path.slice(path.lastIndexOf('/') + 1);
const dirName = (path) => path.slice(0, Math.max(0, path.lastIndexOf('/')));

/** Chosen or dropped files as [{file, path}]: File objects (a folder's carry webkitRelativePath) or entries already. */
export function fileEntries(files) {
  return Array.from(files ?? [], (f) => (f instanceof Blob ? { file: f, path: f.webkitRelativePath || f.name } : f))
    .filter((e) => e?.file);
}

/**
 * The model folder among `files` (see fileEntries): -> {weights, config,
 * tokenizer, vocab, merges: File | null, name (what the picker calls it:
 * "folder/model.safetensors" when the folder is known), names: {weights,
 * config, tokenizer} (each file as the error line names it)}. Throws a coded
 * Error (needSafetensors, severalModels, sharded) when no single model is
 * among them.
 */
export function pickModelFiles(files) {
  const list = fileEntries(files);
  const tensors = list.filter((e) => /\.safetensors$/i.test(e.path));
  if (!tensors.length) {
    const index = list.find((e) => /\.safetensors\.index\.json$/i.test(e.path));
    if (index) throw codedError('sharded', { name: baseName(index.path) }, `${baseName(index.path)}: sharded checkpoints are not supported`);
    throw codedError('needSafetensors', {}, 'choose a .safetensors file or a model folder');
  }
  // The shallowest .safetensors: a folder's own weights, not those of a folder inside it.
  const depth = (e) => e.path.split('/').length;
  const top = Math.min(...tensors.map(depth));
  const shallow = tensors.filter((e) => depth(e) === top);
  const weights = shallow.find((e) => baseName(e.path).toLowerCase() === 'model.safetensors') ?? (shallow.length === 1 ? shallow[0] : null);
  if (!weights) {
    const names = shallow.map((e) => baseName(e.path));
    if (names.some((n) => /-\d+-of-\d+\.safetensors$/i.test(n))) throw codedError('sharded', { name: names[0] }, `${names[0]}: sharded checkpoints are not supported`);
    throw codedError('severalModels', { n: names.length, names: names.join(', ') }, `${names.length} .safetensors files were chosen: choose one model`);
  }
  const dir = dirName(weights.path);
  const beside = list.filter((e) => dirName(e.path) === dir);
  const named = (name) => beside.find((e) => baseName(e.path).toLowerCase() === name)?.file ?? null;
  // config.json; else the one other .json chosen with the weights (a config under another name).
  const others = beside.filter((e) => /\.json$/i.test(e.path) && !SIDE_JSON.test(baseName(e.path)) && baseName(e.path).toLowerCase() !== 'config.json');
  const config = named('config.json') ?? (others.length === 1 ? others[0].file : null);
  const tokenizer = named('tokenizer.json');
  // vocab.json and merges.txt only as a pair's stand-in for tokenizer.json.
  const vocab = tokenizer ? null : named('vocab.json');
  const merges = tokenizer ? null : named('merges.txt');
  const tokenizerName = tokenizer ? tokenizer.name : [vocab, merges].filter(Boolean).map((f) => f.name).join(' + ') || null;
  return {
    weights: weights.file,
    config,
    tokenizer,
    vocab,
    merges,
    name: weights.path,
    names: { weights: baseName(weights.path), config: config?.name ?? null, tokenizer: tokenizerName },
  };
}

/** The files for the worker (File objects are passed, never read here). */
export function workerFiles(picked) {
  const { weights, config, tokenizer, vocab, merges } = picked;
  return Object.fromEntries(Object.entries({ weights, config, tokenizer, vocab, merges }).filter(([, f]) => f));
}

/**
 * Which file an error in opening `picked` is about: the tokenizer's, the
 * config's (config errors; the weights' own metadata when no config.json
 * came), else the weights'.
 */
export function culprit(err, picked) {
  const { names } = picked;
  if (err?.code === 'tokenizer' && names.tokenizer) return names.tokenizer;
  if (['config', 'not_divisible', 'at_least', 'out_of_range', 'unsupported'].includes(err?.code) && names.config) return names.config;
  return names.weights;
}

// ---- dropping files and folders ----------------------------------------------

const wanted = (name) => /\.(safetensors|json|txt)$/i.test(name);

/** A dropped folder's files, walked: -> [{file, path}] (only names that can matter). */
async function walk(entry, out, depth, budget) {
  if (budget.left-- <= 0) return;
  if (entry.isFile) {
    if (!wanted(entry.name)) return;
    const file = await new Promise((resolve, reject) => { entry.file(resolve, reject); });
    out.push({ file, path: entry.fullPath.replace(/^\/+/, '') });
    return;
  }
  if (!entry.isDirectory || depth >= MAX_DEPTH) return;
  const reader = entry.createReader();
  for (;;) {
    // readEntries gives a batch at a time (100 in Chromium) until an empty one.
    const batch = await new Promise((resolve, reject) => { reader.readEntries(resolve, reject); }); // eslint-disable-line no-await-in-loop
    if (!batch.length || budget.left <= 0) break;
    for (const e of batch) await walk(e, out, depth + 1, budget); // eslint-disable-line no-await-in-loop
  }
}

/**
 * Everything dropped, folders walked: -> Promise<[{file, path}]>. The
 * entries are taken at once (a DataTransfer empties when its event ends);
 * browsers without entries give the plain file list.
 */
export function droppedFiles(dataTransfer) {
  const entries = Array.from(dataTransfer.items ?? [])
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  if (!entries.length || entries.some((e) => !e)) return Promise.resolve(fileEntries(dataTransfer.files));
  return droppedEntries(entries);
}

/** FileSystemEntry objects (files or folders) -> Promise<[{file, path}]>. */
export async function droppedEntries(entries) {
  const out = [];
  const budget = { left: MAX_FILES };
  for (const e of entries) await walk(e, out, 0, budget); // eslint-disable-line no-await-in-loop
  return out;
}

/**
 * Lets the whole page take dropped files and folders: shows `overlay` while
 * files are dragged over the window and calls onFiles(Promise<[{file, path}]>) on drop.
 */
export function enableDrop(target, overlay, onFiles) {
  let depth = 0; // dragenter/dragleave fire for every child element crossed
  const hasFiles = (e) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  target.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    overlay.hidden = false;
  });
  target.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault(); // allows the drop
    e.dataTransfer.dropEffect = 'copy';
  });
  target.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  target.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault(); // never navigate to the dropped file
    depth = 0;
    overlay.hidden = true;
    if (e.dataTransfer.files.length || e.dataTransfer.items?.length) onFiles(droppedFiles(e.dataTransfer));
  });
}

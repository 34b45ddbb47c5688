// Checks that a wasm-bindgen build really starts and runs: loads the given
// glasswing_bg.wasm with the generated glue and traces a shipped model.
// Used by build.sh to keep a wasm-opt output only if it still works (Debian's
// binaryen 108 breaks wasm-bindgen's externref table).
// Usage: node tools/check_wasm.mjs www/pkg/glasswing.js CANDIDATE.wasm
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [glue, wasmPath] = process.argv.slice(2);
try {
  const { default: init, WasmModel } = await import(pathToFileURL(resolve(glue)).href);
  await init({ module_or_path: await readFile(wasmPath) });
  const model = WasmModel.load(await readFile('www/models/reverse-gpt.safetensors'));
  const trace = model.traceText('abc>');
  if (trace.probs.data.length !== trace.probs.shape[0] * trace.probs.shape[1]) throw new Error('bad trace');
  process.exit(0);
} catch (e) {
  console.error(`wasm check failed: ${e.message}`);
  process.exit(1);
}

// "Open your own": picks the checkpoint and an optional Hugging Face
// config.json out of whatever files were chosen or dropped together, and
// wires the page-wide drag-and-drop.

import { t } from './i18n.js';

/**
 * -> {name, bytes: ArrayBuffer, config: string | null}. The model is the first
 * file not ending in .json (a .safetensors if there is one); the config is the
 * first .json. Throws a readable Error when no model file is among them.
 */
export async function readModelFiles(files) {
  const list = Array.from(files);
  const isJson = (f) => /\.json$/i.test(f.name);
  const model = list.find((f) => /\.safetensors$/i.test(f.name)) ?? list.find((f) => !isJson(f));
  if (!model) throw Object.assign(new Error(t('needSafetensors')), { code: 'needSafetensors' });
  const configFile = list.find(isJson);
  const [bytes, config] = await Promise.all([model.arrayBuffer(), configFile ? configFile.text() : null]);
  return { name: model.name, configName: configFile?.name ?? null, bytes, config };
}

/**
 * Lets the whole page take dropped files: shows `overlay` while files are
 * dragged over the window and calls onFiles(FileList) on drop.
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
    if (e.dataTransfer.files.length) onFiles(e.dataTransfer.files);
  });
}

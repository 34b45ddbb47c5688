// embed.html: one <glasswing-view> filling the frame, configured by the
// page's hash (the explorer's link format, share/link.js). The reader's
// clicks are written back into the hash with replaceState, so the element's
// "Open in Glasswing" link and a reload both keep the view.

import { attributesFromHash } from '../../glasswing-view.js';
import { LANGS } from '../i18n.js';

const view = document.querySelector('glasswing-view');
let written = location.hash;

function fromHash() {
  const { attrs, rejectedModel } = attributesFromHash(location.hash);
  view.rejectedModel = rejectedModel; // "not a usable model file" rather than "no model chosen"
  if (!attrs.lang) {
    const nav = navigator.language?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
    attrs.lang = LANGS.includes(nav) ? nav : 'en';
  }
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === '') view.removeAttribute(name);
    else view.setAttribute(name, String(value));
  }
  document.documentElement.lang = attrs.lang === 'zh' ? 'zh-CN' : 'en';
}

fromHash();
window.addEventListener('hashchange', () => { if (location.hash !== written) fromHash(); });

let timer = 0;
view.addEventListener('glasswing-change', () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    const hash = `#${view.linkHash}`;
    if (hash === location.hash) return;
    written = hash;
    try { history.replaceState(history.state, '', hash); } catch { /* too many calls: the next change retries */ }
  }, 150);
});
view.addEventListener('glasswing-draw', () => {
  const title = view.shadowRoot.querySelector('.gv-title')?.textContent;
  if (title) document.title = `Glasswing: ${title}`;
});

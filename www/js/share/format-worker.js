// Formats export files off the page's thread: a 256-token GPT trace is half a
// million floats, about a second of string work that must not freeze the page.
// Message {id, op: 'json' | 'html', trace, extra?, template?, renderer?} -> {id, ok, text | error}.

import { fillTemplate, traceJson } from './tracejson.js';

self.onmessage = ({ data }) => {
  const { id, op, trace, extra, template, renderer } = data;
  try {
    const json = traceJson(trace, extra ?? null);
    const text = op === 'html' ? fillTemplate(template, renderer, json) : json;
    self.postMessage({ id, ok: true, text });
  } catch (e) {
    self.postMessage({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
};

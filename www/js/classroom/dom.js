// A tiny element builder for the classroom modules. Strings become text
// nodes (never HTML), so lesson text and user text are always shown as text.

/** el('button', {class: 'x', type: 'button', onclick: fn}, 'label', child, ...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/**
 * Lesson prose to DOM: paragraphs split on blank lines, `backticks` become
 * <code> (for formulas). Built from text nodes only.
 */
export function prose(text) {
  return text.split(/\n\s*\n/).map((para) => {
    const p = el('p');
    if (/^`[^`]+`$/.test(para.trim())) p.className = 'formula'; // a displayed equation
    para.trim().split(/(`[^`]+`)/).forEach((part) => {
      if (!part) return;
      if (part.startsWith('`') && part.endsWith('`')) p.append(el('code', { text: part.slice(1, -1) }));
      else p.append(part);
    });
    return p;
  });
}

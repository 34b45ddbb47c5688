// Hover follows the pointer, not the page moving under it. When the page
// scrolls (a lesson step bringing its focus into view, a clicker's Page Down)
// or its layout changes under a mouse that stays still, the browser sends
// pointerover (and sometimes pointermove) to whatever is now under it; a view
// that took those as hover would let a forgotten pointer override what the
// step shows. Such events come at the coordinates of the last real move: only
// a pointer that moved sets the hover (pointerleave still clears it).

let last = null; // client coordinates of the last pointermove seen, [x, y]
const moved = new WeakSet(); // the events that came with a real move

function note(e) {
  const still = e.pointerType === 'mouse' && last !== null && e.clientX === last[0] && e.clientY === last[1];
  if (!still) moved.add(e);
  if (e.type === 'pointermove') last = [e.clientX, e.clientY];
}

// Capture on the window runs before any view's own listener (shadow roots included).
if (typeof window !== 'undefined') {
  window.addEventListener('pointermove', note, { capture: true, passive: true });
  window.addEventListener('pointerover', note, { capture: true, passive: true });
}

/** Whether a pointermove / pointerover came from the pointer moving (not from the page moving under it). */
export function pointerMoved(e) { return moved.has(e); }

// Head view (after BertViz's, on canvas): for one layer, every token on the
// left is joined to the tokens it attends to on the right, one colour per
// head, line opacity = attention weight. Hovering a position, or clicking
// it (the chosen position stays in focus until it is clicked again), shows
// its lines at full strength over the rest: out of it on the left, into it
// on the right. Heads are composited without a fixed order (lines.js), so no
// head's colour always wins where lines cross.
//
// Speed at T=256 (4 heads · 33k lines): lines are rasterised by LineRaster
// (lines.js), since canvas strokes are far too slow without a GPU; the full
// picture is cached and reused while the pointer moves, and rows shrink so
// the whole sequence fits without scrolling. The full picture is drawn in
// bands of rows: in the explorer (`defer`) the bands on screen in the frame,
// the others after it (later.js), so a retrace of a tall view that is
// mostly scrolled away costs what shows.

import { groupAttention } from '../attention.js';
import { headColor } from '../colors.js';
import { LineRaster, hexRgb } from '../lines.js';
import { bandIndex, fitText, font, labelStride, localPoint, setupCanvas, viewScale } from '../canvas.js';
import { tokenLabel, tokenLabels } from '../tokentext.js';
import { t } from '../i18n.js';
import { kvGroupSize } from '../gqa.js';
import { activePos, focusPos } from '../state.js';
import { pointerMoved } from '../pointer.js';
import { cancel, later } from '../later.js';
import { headToggles, layerPicker } from './controls.js';

const MIN_WEIGHT = 0.5 / 255; // a line this faint rounds to nothing in 8-bit colour
// Work limits that keep a redraw near 30 ms without a GPU: at most this many
// lines (longer inputs merge neighbouring tokens into groups), and device-pixel
// resolution only while the pixel work stays under OPS_BUDGET.
const LINE_BUDGET = 4800;
// A hovered token's lines (all heads) at most: beyond, the faintest are left out
// (at 512 tokens and 12 diffuse heads, 6,000 lines took 90 ms to rasterise).
const FOCUS_LINE_BUDGET = 1500;
const OPS_BUDGET = 4e6;
// The full picture is drawn (and composited) this many buffer rows at a time.
export const BAND_ROWS = 64;

/** Group size so that the enabled heads draw at most LINE_BUDGET lines. */
export function groupSize(T, headsOn) {
  const lines = (n) => (headsOn * n * (n + 1)) / 2;
  let b = 1;
  while (lines(Math.ceil(T / b)) > LINE_BUDGET) b++;
  return b;
}

/**
 * The weight a focus line needs to be drawn: MIN_WEIGHT, or higher when more
 * than FOCUS_LINE_BUDGET lines of position f (out of it and into it, every
 * head in `heads`, null for a head that is off) pass it: then the weight of
 * the FOCUS_LINE_BUDGET-th strongest, so the faintest are left out.
 */
export function focusCutoff(heads, T, f) {
  const weights = [];
  for (const head of heads) {
    if (!head) continue;
    for (let j = 0; j <= f; j++) if (head[f * T + j] >= MIN_WEIGHT) weights.push(head[f * T + j]);
    for (let i = f + 1; i < T; i++) if (head[i * T + f] >= MIN_WEIGHT) weights.push(head[i * T + f]);
  }
  if (weights.length <= FOCUS_LINE_BUDGET) return MIN_WEIGHT;
  weights.sort((a, b) => b - a);
  return weights[FOCUS_LINE_BUDGET - 1];
}

/**
 * Vertical offsets (CSS pixels) that lay the enabled heads' focus lines side
 * by side, a line's width apart, within 60% of a row: two heads that attend
 * alike draw two parallel lines instead of one painted over the other.
 * -> offset per head (0 for heads that are off).
 */
export function headOffsets(headsOn, thick, rowH) {
  const on = headsOn.map((v, h) => (v ? h : -1)).filter((h) => h >= 0);
  const step = on.length > 1 ? Math.min(thick, (rowH * 0.6) / (on.length - 1)) : 0;
  const out = headsOn.map(() => 0);
  on.forEach((h, k) => { out[h] = (k - (on.length - 1) / 2) * step; });
  return out;
}

export class HeadView {
  /**
   * `defer`: draw only the bands of the full picture that are on screen in
   * the frame and the rest after it (later.js); else every band at once (an
   * embedding, whose view is all there is).
   */
  constructor(el, store, schedule = null, { defer = false } = {}) {
    this.el = el;
    this.store = store;
    this.defer = defer;
    this.layerEl = el.querySelector('.layer-picker');
    this.togglesEl = el.querySelector('.head-toggles');
    this.scroller = el.querySelector('.scroller');
    this.canvas = el.querySelector('canvas');
    this.note = el.querySelector('.head-note');
    // While a chosen position holds the focus: what it is, and a way back to every line.
    this.focusBar = document.createElement('p');
    this.focusBar.className = 'head-focus hint';
    this.focusBar.hidden = true;
    this.focusText = document.createElement('span');
    this.unfocus = document.createElement('button');
    this.unfocus.type = 'button';
    this.unfocus.className = 'link-button head-unfocus';
    this.unfocus.addEventListener('click', () => store.set({ pos: null }));
    this.focusBar.append(this.focusText, ' ', this.unfocus);
    this.scroller.after(this.focusBar);
    this.cache = document.createElement('canvas');
    this.cacheKey = null;
    this.picture = null; // the full picture being drawn: its plan and which bands are done
    this.geom = null;
    this.canvas.addEventListener('pointermove', (e) => {
      if (!pointerMoved(e)) return; // the page scrolled under a still pointer
      const i = this.rowAt(e);
      store.set({ hover: i >= 0 ? i : null });
    });
    this.canvas.addEventListener('pointerleave', () => store.set({ hover: null }));
    this.canvas.addEventListener('click', (e) => {
      const i = this.rowAt(e);
      if (i >= 0) store.set({ pos: store.state.pos === i ? null : i }); // a second click lets go
    });
  }

  rowAt(e) {
    if (!this.geom) return -1;
    const [, y] = localPoint(e, this.canvas);
    return bandIndex(y, this.geom.top, this.geom.rowH, this.geom.T);
  }

  /**
   * The height the rows may take: fitHeight, a budget set by an embedding that
   * must not scroll (glasswing-view.js), else the page's `--heads-fit` (a
   * registered length, so it comes resolved in pixels: a lesson step that
   * needs the whole view on screen sets it in css/classroom.css), else 600 px
   * (larger in presenter mode).
   */
  budget() {
    if (this.fitHeight != null) return this.fitHeight;
    const css = parseFloat(getComputedStyle(this.el).getPropertyValue('--heads-fit'));
    return css > 0 ? css : 600 * viewScale();
  }

  layout(trace, budget = this.budget()) {
    const T = trace.tokens.length;
    const width = Math.max(240, this.scroller.clientWidth);
    const k = viewScale(); // presenter mode: taller rows, bigger labels
    const rowH = Math.max(3, Math.min(26 * k, Math.floor(budget / T)));
    const fontPx = Math.max(10, Math.min(17 * k, Math.round(rowH * 0.68)));
    const ctx = this.canvas.getContext('2d');
    ctx.font = font(fontPx, 700); // bold: the focused label is drawn bold
    const widest = Math.max(...tokenLabels(trace).map((s) => ctx.measureText(s).width));
    const labelW = Math.min(Math.ceil(widest) + 14, Math.floor(width * 0.28));
    const top = 6;
    return {
      T, width, rowH, fontPx, labelW, top,
      height: top * 2 + T * rowH,
      x0: labelW + 6, // line start (right edge of the left labels)
      x1: width - labelW - 6, // line end
      y: (i) => top + (i + 0.5) * rowH,
    };
  }

  render(trace, state, info) {
    const att = trace.attention;
    if (!att) return;
    const [L, H, T] = att.shape;
    layerPicker(this.layerEl, L, state, this.store);
    headToggles(this.togglesEl, H, state, this.store, kvGroupSize(info, H));

    // Text measuring is the slow part of layout: redo it only for a new trace or width.
    const width = this.scroller.clientWidth;
    const budget = this.budget();
    if (!this.geom || this.geomTrace !== trace || this.geomWidth !== width || this.geomBudget !== budget) {
      this.geom = this.layout(trace, budget);
      this.geomTrace = trace;
      this.geomWidth = width;
      this.geomBudget = budget;
    }
    const g = this.geom;
    const ctx = setupCanvas(this.canvas, g.width, g.height);
    this.canvas.dataset.layer = String(state.layer);
    this.canvas.dataset.t = String(T);
    this.canvas.dataset.heads = state.headsOn.map((on, h) => (on ? h : -1)).filter((h) => h >= 0).join(',');

    const key = [state.layer, state.headsOn.join(), g.width, g.height, window.devicePixelRatio].join('|');
    if (this.cacheKey !== key || this.cacheTrace !== trace) {
      // A layer still on its way from the worker is drawn again when it arrives.
      this.cacheKey = this.plan(trace, state, g) ? key : null;
      this.cacheTrace = trace;
    }
    // The bands on screen now; the rest after the frame (or now, without `defer`).
    this.drawBands(this.defer ? this.visibleRows(g) : null);
    if (this.defer && this.bandsLeft()) later(this, () => this.drawLater());
    else cancel(this);
    const focus = focusPos(state, T);
    this.canvas.dataset.focus = focus === null ? '' : String(focus);
    const chosen = state.pos !== null && (state.hover === null || state.hover >= T) ? Math.min(state.pos, T - 1) : null;
    this.focusBar.hidden = chosen === null;
    if (chosen !== null) {
      this.focusText.textContent = t('headFocus', { tok: tokenLabel(trace, chosen), n: chosen + 1 });
      this.unfocus.textContent = t('headUnfocus');
    }
    if (focus !== null) this.drawFocus(trace, state, g, focus);
    this.shown = { trace, state, g, focus };
    this.present(ctx);
  }

  /** The canvas from the pictures at hand: all lines (faded under a focus), the focus lines, labels. */
  present(ctx) {
    const { trace, state, g, focus } = this.shown;
    ctx.save();
    if (focus !== null) ctx.globalAlpha = 0.12;
    ctx.drawImage(this.cache, 0, 0, g.width, g.height);
    ctx.restore();
    if (focus !== null) ctx.drawImage(this.focusCanvas, 0, 0, g.width, g.height);
    this.drawLabels(ctx, trace, state, g, focus);
  }

  /**
   * Buffer rows [r0, r1) of the full picture that are on screen (in the
   * window and in the view's scrolling box), or null when none are.
   */
  visibleRows(g) {
    const c = this.canvas.getBoundingClientRect();
    const box = this.scroller.getBoundingClientRect();
    const top = Math.max(c.top, box.top, 0);
    const bottom = Math.min(c.top + g.height, box.bottom, window.innerHeight);
    if (bottom <= top || c.width === 0) return null;
    const s = this.picture.s;
    return [Math.floor((top - c.top) * s), Math.ceil((bottom - c.top) * s)];
  }

  bandsLeft() { return this.picture.left > 0; }

  /** One band of the rows off screen, then the canvas again. -> true when the picture is whole. */
  drawLater() {
    const p = this.picture;
    const k = p.done.indexOf(0);
    if (k >= 0) this.drawBand(k);
    // Shown as soon as the whole picture is (bands arrive a few milliseconds apart).
    if (p.left > 0) return false;
    if (this.shown && this.cacheTrace === this.shown.trace) {
      const { g } = this.shown;
      this.present(setupCanvas(this.canvas, g.width, g.height));
    }
    return true;
  }

  /**
   * The raster of the canvas at `scale` buffer pixels per CSS pixel, reused
   * while the size holds. One for all lines and focus lines alike: each is
   * copied out (putImageData) before the other is drawn, and a raster holds a
   * float layer per head (12 × the canvas for GPT-2 small).
   */
  raster(g, scale) {
    const w = Math.round(g.width * scale);
    const h = Math.round(g.height * scale);
    // Room for a few more rows, so typing on keeps the buffers (and the prefixes over them).
    if (!this.lines || this.lines.w !== w || this.lines.capacity < h) {
      this.lines = new LineRaster(w, h, (Math.ceil(h / BAND_ROWS) + 2) * BAND_ROWS);
      this.image = new ImageData(w, this.lines.capacity); // the full picture's pixels, band by band
    } else this.lines.resize(h);
    this.lines.reset();
    return this.lines;
  }

  /**
   * Plans the full picture of the enabled heads' lines (the offscreen cache),
   * to be drawn band by band (drawBands). -> false while the layer is on its way.
   *
   * Typing at the end of the text changes only the last rows of attention (a
   * causal model's row i reads tokens up to i), so a band need not draw every
   * line again: each band keeps, per head, the coverage its lines of the
   * groups before the last made (its prefix, `this.prefix`), and a new trace
   * whose first groups are bit for bit the same (their weights and places)
   * goes on from there, drawing the changed groups only. The lines are drawn
   * in the same order onto the same numbers, so the picture is the same.
   */
  plan(trace, state, g) {
    const [, H, T] = trace.attention.shape;
    let complete = true;
    const on = state.headsOn.filter(Boolean).length;
    const b = groupSize(T, on);
    const n = Math.ceil(T / b);
    // Sharp (device pixels) when cheap enough, else CSS pixels scaled up.
    const dpr = window.devicePixelRatio || 1;
    const thickCss = g.rowH >= 16 ? 1.6 : 1.1;
    const ops = (s) => ((on * n * (n + 1)) / 2) * ((g.x1 - g.x0) * s + (g.height * s) / 3) * (thickCss * s + 1);
    const s = ops(dpr) <= OPS_BUDGET ? dpr : 1;
    this.scale = s;
    this.group = b;
    const r = this.raster(g, s);
    // Group centres: the middle of the rows the group covers.
    const ys = Float64Array.from({ length: n }, (_, I) => (g.top + (I * b + Math.min(b, T - I * b) / 2) * g.rowH) * s);
    const heads = [];
    for (let h = 0; h < H; h++) {
      if (!state.headsOn[h]) continue;
      const head = trace.attention.head(state.layer, h); // [T, T]
      if (!head) { complete = false; continue; }
      heads.push({ rgb: hexRgb(headColor(h)), w: b === 1 ? head : groupAttention(head, T, b) }); // [n, n]
    }
    // Bands not drawn yet stay empty, never the last picture's.
    if (this.cache.width !== r.w || this.cache.height !== r.h) Object.assign(this.cache, { width: r.w, height: r.h });
    else this.cache.getContext('2d').clearRect(0, 0, r.w, r.h);
    const bands = Math.ceil(r.h / BAND_ROWS);
    const old = this.picture;
    this.picture = { s, n, ys, heads, x0: g.x0 * s, x1: g.x1 * s, thick: thickCss * s, done: new Uint8Array(bands), left: bands };
    this.keepPrefix(old, this.picture, [state.layer, state.headsOn.join(), s, g.x0, g.x1, thickCss, g.top, g.rowH, b].join('|'));
    this.el.dataset.group = String(b);
    this.note.textContent = !complete ? t('sliceLoading') : b > 1 ? t('headsGrouped', { b }) : '';
    this.el.dataset.loading = String(!complete);
    return complete;
  }

  /**
   * Which band prefixes still hold for picture `p` after picture `old`: the
   * same raster, geometry and heads (`key`), and no more groups than the
   * leading ones the two share (same places, same weights).
   */
  keepPrefix(old, p, key) {
    const r = this.lines;
    const size = r.w * r.capacity;
    let pre = this.prefix;
    if (!pre || pre.raster !== r || pre.key !== key || !old || old.heads.length !== p.heads.length) {
      // Up to 8 M values (32 MB) of prefixes; a larger view draws every line each time.
      const room = p.heads.length * size <= 8e6;
      const bands = r.capacity / BAND_ROWS;
      // K[k]: the groups band k's prefix holds (-1: none); span: the columns
      // [2k, 2k + 1] the lines after them reached when band k was last drawn.
      pre = this.prefix = { raster: r, key, bufs: room ? p.heads.map(() => new Float32Array(size)) : null, K: new Int32Array(bands).fill(-1), span: new Float64Array(bands * 2) };
      p.same = 0;
      return;
    }
    let same = 0;
    const m = Math.min(old.n, p.n);
    rows: for (; same < m; same++) {
      const I = same;
      if (old.ys[I] !== p.ys[I]) break;
      for (const [i, { w }] of p.heads.entries()) {
        const v = old.heads[i].w;
        for (let J = 0; J <= I; J++) if (v[I * old.n + J] !== w[I * p.n + J]) break rows;
      }
    }
    p.same = same;
    for (let k = 0; k < pre.K.length; k++) if (pre.K[k] > same) pre.K[k] = -1;
  }

  /** The bands of the full picture that cover buffer rows [r0, r1) (null: every band), if not drawn yet. */
  drawBands(rows) {
    const p = this.picture;
    const [a, b] = rows ? [Math.floor(rows[0] / BAND_ROWS), Math.ceil(rows[1] / BAND_ROWS)] : [0, p.done.length];
    for (let k = Math.max(0, a); k < Math.min(b, p.done.length); k++) if (!p.done[k]) this.drawBand(k);
  }

  /**
   * Band k of the full picture: every line that crosses its rows, clipped to
   * them (the same pixels as drawing the picture whole), composited and put
   * into the cache.
   */
  drawBand(k) {
    const p = this.picture;
    const r = this.lines;
    const r0 = k * BAND_ROWS;
    const r1 = Math.min(r.h, r0 + BAND_ROWS);
    const reach = p.thick + 2;
    const { n, ys, x0, x1, thick } = p;
    // Groups [from, to) of one head's lines that cross the band.
    const lines = (w, from, to) => {
      for (let I = from; I < to; I++) {
        if (ys[I] + reach < r0) continue; // a line of row I ends no lower than ys[I]
        for (let J = 0; J <= I; J++) {
          if (ys[J] - reach >= r1) break; // nor higher than ys[J], which only grows with J
          const weight = w[I * n + J];
          if (weight >= MIN_WEIGHT) r.line(x0, ys[I], x1, ys[J], weight, thick);
        }
      }
    };
    // The columns the lines of groups [from, to) can reach in the band.
    const span = (from, to) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let I = from; I < to; I++) {
        if (ys[I] + reach < r0) continue;
        for (let J = 0; J <= I; J++) {
          if (ys[J] - reach >= r1) break;
          const [a, b] = [Math.max(ys[J], r0 - reach), Math.min(ys[I], r1 + reach)]; // rows it crosses
          const at = (y) => (ys[I] === ys[J] ? NaN : x0 + ((x1 - x0) * (y - ys[I])) / (ys[J] - ys[I]));
          const xa = at(a);
          const xb = at(b);
          if (Number.isNaN(xa)) { lo = Math.min(lo, x0); hi = Math.max(hi, x1); continue; } // a level line
          lo = Math.min(lo, xa, xb);
          hi = Math.max(hi, xa, xb);
        }
      }
      return lo > hi ? [0, 0] : [Math.max(0, Math.floor(lo - reach - 1)), Math.min(r.w, Math.ceil(hi + reach + 1))];
    };
    // Go on from the band's prefix (groups before `from`), and keep a new one
    // before the last group, where the next keystroke changes the picture.
    // Going on, only the columns the lines after the prefix reach, now or
    // when the band was last drawn, can change: the rest is copied, composited
    // and put from what that draw left (this.image).
    const { bufs, K, span: spans } = this.prefix;
    const from = bufs && K[k] > 0 ? K[k] : 0;
    const keep = bufs ? Math.max(from, n - 1) : -1;
    const b0 = r0; // prefixes cover whole bands, past the height too (no line reaches there)
    const b1 = r0 + BAND_ROWS;
    let [c0, c1] = [0, r.w];
    if (from > 0) {
      const [a, b] = span(from, n);
      [c0, c1] = [Math.min(a, spans[2 * k]), Math.max(b, spans[2 * k + 1])];
    }
    r.reset();
    r.clip(r0, r1);
    for (const [i, { rgb, w }] of p.heads.entries()) {
      r.begin(rgb);
      if (from > 0) r.restore(bufs[i], b0, b1, c0, c1);
      if (keep >= 0) {
        lines(w, from, keep);
        if (keep > from || from === 0) r.save(bufs[i], b0, b1, c0, c1);
        lines(w, keep, n);
      } else lines(w, 0, n);
    }
    if (keep >= 0) {
      K[k] = keep;
      [spans[2 * k], spans[2 * k + 1]] = span(keep, n);
    }
    p.reused = (p.reused ?? 0) + (from > 0 ? 1 : 0);
    r.clip();
    if (c1 > c0) r.compose(this.image, r0, r1, c0, c1);
    this.cache.getContext('2d').putImageData(this.image, 0, 0, 0, r0, r.w, r1 - r0);
    p.done[k] = 1;
    p.left--;
    // For tests: bands drawn / all, and how many went on from a prefix.
    this.el.dataset.bands = `${p.done.length - p.left}/${p.done.length}`;
    this.el.dataset.reused = String(p.reused);
  }

  /** Lines out of position f (left) and into position f (right), at full strength, into focusCanvas. */
  drawFocus(trace, state, g, f) {
    const s = this.scale;
    const r = this.raster(g, s);
    const [, H, T] = trace.attention.shape;
    const thickCss = Math.max(1.5, Math.min(3, g.rowH / 7));
    const thick = thickCss * s;
    const x0 = g.x0 * s;
    const x1 = g.x1 * s;
    const dy = headOffsets(state.headsOn.slice(0, H), thickCss, g.rowH);
    const y = (i, h) => (g.y(i) + dy[h]) * s;
    const heads = state.headsOn.slice(0, H).map((on, h) => (on ? trace.attention.head(state.layer, h) : null)); // [T, T] each
    const cut = focusCutoff(heads, T, f);
    this.el.dataset.focusCut = String(cut);
    for (const [h, head] of heads.entries()) {
      if (!head) continue;
      r.begin(hexRgb(headColor(h)));
      for (let j = 0; j <= f; j++) { // what f attends to
        const w = head[f * T + j];
        if (w >= cut) r.line(x0, y(f, h), x1, y(j, h), w, thick);
      }
      for (let i = f + 1; i < T; i++) { // what attends to f
        const w = head[i * T + f];
        if (w >= cut) r.line(x0, y(i, h), x1, y(f, h), w, thick);
      }
    }
    // One canvas and one ImageData for every hover: the rows the last focus
    // drew are written again (cleared) with the rows this one draws.
    const c = (this.focusCanvas ??= document.createElement('canvas'));
    if (c.width !== r.w || c.height !== r.h || !this.focusImage) {
      Object.assign(c, { width: r.w, height: r.h });
      this.focusImage = new ImageData(r.w, r.h);
      this.focusRows = [0, r.h - 1];
    }
    const [first, last] = r.touched();
    const [a, b] = [Math.min(first, this.focusRows[0]), Math.max(last, this.focusRows[1])];
    if (a <= b) {
      r.compose(this.focusImage, a, b + 1);
      c.getContext('2d').putImageData(this.focusImage, 0, 0, 0, a, r.w, b + 1 - a);
    }
    this.focusRows = [first, last];
  }

  drawLabels(ctx, trace, state, g, focus) {
    const T = trace.tokens.length;
    const selected = activePos({ ...state, hover: null }, T);
    const stride = labelStride(g.rowH, g.fontPx + 1); // sparse labels when rows are thin
    ctx.textBaseline = 'middle';
    for (let i = 0; i < T; i++) {
      const strong = i === focus || i === selected;
      if (i % stride !== 0 && !strong) continue;
      const y = g.y(i);
      if (i === focus) {
        const hh = Math.max(g.rowH, g.fontPx + 4);
        ctx.fillStyle = 'rgba(213, 94, 0, 0.14)';
        ctx.fillRect(0, y - hh / 2, g.labelW, hh);
        ctx.fillRect(g.width - g.labelW, y - hh / 2, g.labelW, hh);
      }
      ctx.font = font(g.fontPx, strong ? 700 : 400);
      const s = fitText(ctx, tokenLabel(trace, i), g.labelW - 10);
      ctx.fillStyle = strong ? '#0b1f3a' : '#2d3748';
      ctx.textAlign = 'right';
      ctx.fillText(s, g.labelW - 4, y);
      ctx.textAlign = 'left';
      ctx.fillText(s, g.width - g.labelW + 4, y);
    }
  }
}

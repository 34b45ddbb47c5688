// The training curve: every step's loss on a log scale (left axis: a light
// band from the lowest to the highest loss within each pixel column, a line
// through their mean) and the held-out metrics in percent (right axis), over
// the run's whole step budget so the curve grows left to right.

import { font, setupCanvas } from '../canvas.js';
import { t } from '../i18n.js';

const LOSS = '#0072B2';
const EXACT = '#009E73';
const TOKEN = '#E69F00';
const GRID = '#e6eaf0';
const MUTED = '#566174';

/** Ticks 1, 2, 5 × 10^k within [lo, hi]. */
function logTicks(lo, hi) {
  const out = [];
  for (let k = Math.floor(Math.log10(lo)) - 1; k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** k;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

/** The nearest 1/2/5 × 10^k at or below (down) or above (up) x. */
function snap(x, up) {
  const k = Math.floor(Math.log10(x));
  const steps = [1, 2, 5, 10].map((m) => m * 10 ** k);
  return up ? steps.find((v) => v >= x * 0.999) : [...steps].reverse().find((v) => v <= x * 1.001) ?? steps[0];
}

/** A round step between ticks so that about `n` fit in `span`. */
function linearStep(span, n) {
  const raw = span / n;
  const k = 10 ** Math.floor(Math.log10(raw));
  return Math.max(1, [1, 2, 5, 10].map((m) => m * k).find((v) => v >= raw) ?? raw);
}

function tickLabel(v) {
  if (v >= 1) return String(v);
  return v.toPrecision(1).replace(/^0\./, '.').replace(/^\./, '0.');
}

export class LossChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.reset(1);
  }

  reset(total) {
    this.total = Math.max(1, total);
    this.losses = new Float32Array(1024); // losses[i]: the loss of step i + 1
    this.count = 0;
    this.evals = []; // [{step, exact, token}]
  }

  /** Appends the losses of the steps after those already held. */
  addLosses(losses) {
    if (this.count + losses.length > this.losses.length) {
      const grown = new Float32Array(Math.max(this.losses.length * 2, this.count + losses.length));
      grown.set(this.losses.subarray(0, this.count));
      this.losses = grown;
    }
    this.losses.set(losses, this.count);
    this.count += losses.length;
  }

  addEval(step, metrics) {
    const last = this.evals[this.evals.length - 1];
    const point = { step, exact: metrics.exact_match, token: metrics.token_accuracy };
    if (last && last.step === step) this.evals[this.evals.length - 1] = point; else this.evals.push(point);
  }

  /** Mean of the last `n` losses (what the stats show as "loss"). */
  recentLoss(n = 50) {
    if (!this.count) return null;
    let sum = 0;
    const from = Math.max(0, this.count - n);
    for (let i = from; i < this.count; i++) sum += this.losses[i];
    return sum / (this.count - from);
  }

  /** Per pixel column: [x, min, max, mean] of the losses drawn there. */
  columns(x0, plotW) {
    const cols = [];
    let cur = null;
    for (let i = 0; i < this.count; i++) {
      const v = this.losses[i];
      if (!Number.isFinite(v) || v <= 0) continue;
      const px = Math.round(x0 + ((i + 1) / this.total) * plotW);
      if (!cur || cur[0] !== px) {
        cur = [px, v, v, 0, 0];
        cols.push(cur);
      }
      if (v < cur[1]) cur[1] = v;
      if (v > cur[2]) cur[2] = v;
      cur[3] += v;
      cur[4]++;
    }
    return cols.map(([x, lo, hi, sum, n]) => [x, lo, hi, sum / n]);
  }

  draw() {
    const cssW = Math.max(240, this.canvas.parentElement.clientWidth);
    const cssH = Math.round(Math.min(300, Math.max(200, cssW * 0.36)));
    const ctx = setupCanvas(this.canvas, cssW, cssH);
    const m = { left: 50, right: 46, top: 12, bottom: 34 };
    const plotW = cssW - m.left - m.right;
    const plotH = cssH - m.top - m.bottom;
    const cols = this.columns(m.left, plotW);

    // Loss range: from the start's highest loss down to below the lowest mean.
    let hi = 5;
    let lo = 0.1;
    if (cols.length) {
      hi = 0;
      for (let i = 0; i < Math.min(this.count, 20); i++) if (Number.isFinite(this.losses[i])) hi = Math.max(hi, this.losses[i]);
      hi = snap(Math.max(hi * 1.05, 0.01), true);
      lo = Math.min(...cols.map((c) => c[3])) / 1.5;
      lo = snap(Math.max(1e-4, Math.min(lo, hi / 10)), false);
    }
    const [lLo, lHi] = [Math.log10(lo), Math.log10(hi)];
    const yLoss = (v) => m.top + plotH * (1 - (Math.log10(Math.min(hi, Math.max(lo, v))) - lLo) / (lHi - lLo));
    const yPct = (p) => m.top + plotH * (1 - p);
    const xStep = (s) => m.left + (s / this.total) * plotW;

    // Grid and axes.
    ctx.font = font(12);
    ctx.lineWidth = 1;
    ctx.textBaseline = 'middle';
    for (const v of logTicks(lo, hi)) {
      const y = Math.round(yLoss(v)) + 0.5;
      ctx.strokeStyle = GRID;
      ctx.beginPath(); ctx.moveTo(m.left, y); ctx.lineTo(m.left + plotW, y); ctx.stroke();
      ctx.fillStyle = LOSS;
      ctx.textAlign = 'right';
      ctx.fillText(tickLabel(v), m.left - 6, y);
    }
    ctx.fillStyle = EXACT;
    ctx.textAlign = 'left';
    for (const p of [0, 0.25, 0.5, 0.75, 1]) ctx.fillText(`${p * 100}%`, m.left + plotW + 6, yPct(p));
    ctx.fillStyle = MUTED;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const step = linearStep(this.total, Math.max(2, Math.floor(plotW / 90)));
    for (let s = 0; s <= this.total + 1e-9; s += step) ctx.fillText(String(s), xStep(s), m.top + plotH + 5);
    ctx.textAlign = 'right';
    ctx.fillText(t('axisStep'), m.left + plotW, m.top + plotH + 19);
    ctx.strokeStyle = '#b9c3d0';
    ctx.strokeRect(m.left + 0.5, m.top + 0.5, plotW - 1, plotH - 1);

    // Loss: the band, then the mean line.
    ctx.fillStyle = 'rgba(0, 114, 178, 0.2)';
    for (const [x, a, b] of cols) {
      const y1 = yLoss(b);
      ctx.fillRect(x - 0.5, y1, 1, Math.max(1, yLoss(a) - y1));
    }
    if (cols.length) {
      ctx.strokeStyle = LOSS;
      ctx.lineWidth = 2;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      cols.forEach(([x, , , mean], i) => (i ? ctx.lineTo(x, yLoss(mean)) : ctx.moveTo(x, yLoss(mean))));
      ctx.stroke();
    }

    // Held-out metrics.
    for (const [key, color, dash] of [['token', TOKEN, [5, 4]], ['exact', EXACT, []]]) {
      if (!this.evals.length) break;
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash);
      ctx.beginPath();
      this.evals.forEach((e, i) => (i ? ctx.lineTo(xStep(e.step), yPct(e[key])) : ctx.moveTo(xStep(e.step), yPct(e[key]))));
      ctx.stroke();
      ctx.setLineDash([]);
      const last = this.evals[this.evals.length - 1];
      ctx.beginPath();
      ctx.arc(xStep(last.step), yPct(last[key]), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    this.canvas.dataset.points = String(this.count);
    this.canvas.dataset.evals = String(this.evals.length);
  }
}

// The standalone renderer: draws a Glasswing trace (embedded as JSON in the
// page) with no wasm and no network. Hover a token to see what it attends to;
// toggle heads; pick a layer; click a token for its next-token bars and to
// keep its lines in focus (click it again for all lines). Layers, heads and
// positions count from 1, as on the explorer page. The explorer's export adds
// `view` ({layer, heads, pos}: 0-based indices, pos null when none was
// chosen), so the file opens on the view that was exported.
// Tokens are read from their bytes (`token_bytes`): a character written by
// several byte tokens (Chinese in GPT-2's vocabulary, emoji) is shown once
// over their chips, which show their bytes; rows say which part they are
// (`我 2/3`). The bars name ids from `vocab` (a character vocabulary) or
// `token_table` (id -> bytes, for the ids the bars can show).
// Inlined into exported HTML files, so it is one plain script with no imports.
(function () {
  'use strict';
  var COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#9A8700', '#444444'];
  var trace = JSON.parse(document.getElementById('glasswing-trace').textContent);
  var T = trace.tokens.length;
  var view = trace.view || {};
  var chosen = Number.isInteger(view.pos) && view.pos >= 0 && view.pos < T ? view.pos : -1;
  // hover: under the pointer; selected: the bars' position; focus: the position whose lines stay shown.
  var state = { layer: 0, heads: null, hover: -1, selected: chosen >= 0 ? chosen : T - 1, focus: chosen };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text; // user text is always text
    return e;
  }
  function show(tok) { return tok.replace(/ /g, '\u2423').replace(/\n/g, '\u23CE'); }

  // ---- bytes as text (UTF-8 read as the explorer's tokentext.js reads it)
  function seqLen(b, at) {
    var c = b[at], n, lo = 0x80, hi = 0xbf;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) { n = 3; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 4; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
    else return 0;
    if (at + n > b.length) return 0;
    for (var k = 1; k < n; k++) if (b[at + k] < (k === 1 ? lo : 0x80) || b[at + k] > (k === 1 ? hi : 0xbf)) return 0;
    return n;
  }
  function hex(b) { return b.map(function (x) { return (x < 16 ? '0' : '') + x.toString(16).toUpperCase(); }).join(' '); }
  // Whole characters as text, a run of bytes that are not as <E6 88>.
  function text(b) {
    var out = '', run = [];
    for (var at = 0; at < b.length;) {
      var n = seqLen(b, at);
      if (n) {
        if (run.length) { out += '<' + hex(run).replace(/ /g, '\u00a0') + '>'; run = []; }
        var cp = n === 1 ? b[at] : b[at] & (0xff >> (n + 1));
        for (var k = 1; k < n; k++) cp = (cp << 6) | (b[at + k] & 0x3f);
        out += String.fromCodePoint(cp);
        at += n;
      } else { run.push(b[at]); at += 1; }
    }
    if (run.length) out += '<' + hex(run).replace(/ /g, '\u00a0') + '>';
    return out;
  }
  var bytes = Array.isArray(trace.token_bytes) && trace.token_bytes.length === T ? trace.token_bytes : null;
  // Groups of tokens that share a character: [{start, end, text}].
  var groups = [];
  (function () {
    if (!bytes) { for (var i = 0; i < T; i++) groups.push({ start: i, end: i + 1, text: trace.tokens[i] }); return; }
    var all = [], owner = [], joined = [];
    bytes.forEach(function (b, i) { for (var k = 0; k < b.length; k++) { all.push(b[k]); owner.push(i); } });
    for (var k = 0; k < all.length;) {
      var n = seqLen(all, k) || 1;
      for (var t = owner[k]; t < owner[k + n - 1]; t++) joined[t] = true;
      k += n;
    }
    for (var s = 0; s < T;) {
      var e = s + 1;
      while (e < T && joined[e - 1]) e++;
      var b = [];
      for (var q = s; q < e; q++) b = b.concat(bytes[q]);
      groups.push({ start: s, end: e, text: text(b) });
      s = e;
    }
  })();
  // Every token's label: its text, or the character it is part of and which part.
  var labels = [];
  groups.forEach(function (g) {
    for (var i = g.start; i < g.end; i++) {
      labels[i] = g.end - g.start === 1 ? show(bytes ? text(bytes[i]) : trace.tokens[i]) : show(g.text) + '\u00a0' + (i - g.start + 1) + '/' + (g.end - g.start);
    }
  });

  document.getElementById('title').textContent = trace.title || 'Glasswing trace';
  document.getElementById('subtitle').textContent =
    (trace.arch === 'rnn' ? 'RNN' : trace.arch === 'llama' ? 'Llama' : 'GPT') + ' \u00b7 ' + T + ' tokens' + (trace.text ? ' \u00b7 ' + trace.text : '');

  // ---- tokens
  var chips = [];
  function chip(i, label, part) {
    var c = el('span', { class: part ? 'chip part' : 'chip', 'data-pos': i }, label);
    if (bytes) c.title = 'bytes ' + hex(bytes[i]);
    c.addEventListener('mouseenter', function () { state.hover = i; draw(); });
    c.addEventListener('mouseleave', function () { state.hover = -1; draw(); });
    c.addEventListener('click', function () {
      state.focus = state.focus === i ? -1 : i;
      state.selected = state.focus === -1 ? T - 1 : i;
      draw();
    });
    chips[i] = c;
    return c;
  }
  groups.forEach(function (g) {
    var box = document.getElementById('tokens');
    if (g.end - g.start === 1) { box.appendChild(chip(g.start, labels[g.start], false)); return; }
    var group = el('span', { class: 'group', 'data-start': g.start, 'data-end': g.end });
    group.appendChild(el('span', { class: 'group-text' }, show(g.text)));
    var row = el('span', { class: 'group-chips' });
    for (var i = g.start; i < g.end; i++) row.appendChild(chip(i, hex(bytes[i]), true));
    group.appendChild(row);
    box.appendChild(group);
  });

  // ---- attention: layer picker and head toggles
  var att = trace.attention; // [L][H][T][T]
  if (att) {
    var L = att.length, H = att[0].length;
    state.layer = Number.isInteger(view.layer) && view.layer >= 0 && view.layer < L ? view.layer : 0;
    state.heads = att[0].map(function (_, h) { return !Array.isArray(view.heads) || view.heads[h] !== false; });
    var controls = document.getElementById('controls');
    var layerLabel = el('label', {}, 'Layer ');
    var select = el('select', { id: 'layer' });
    for (var l = 0; l < L; l++) select.appendChild(el('option', { value: l }, String(l + 1)));
    select.value = String(state.layer);
    select.addEventListener('change', function () { state.layer = +select.value; draw(); });
    layerLabel.appendChild(select);
    controls.appendChild(layerLabel);
    for (var h = 0; h < H; h++) {
      (function (h) {
        var label = el('label', { style: 'color:' + COLORS[h % COLORS.length] });
        var box = el('input', { type: 'checkbox', 'data-head': h });
        box.checked = state.heads[h];
        box.addEventListener('change', function () { state.heads[h] = box.checked; draw(); });
        label.appendChild(box);
        label.appendChild(document.createTextNode('head ' + (h + 1)));
        controls.appendChild(label);
      })(h);
    }
    document.getElementById('hidden-section').remove();
  } else {
    document.getElementById('attention-section').remove();
  }

  // Head view: tokens in two columns, a line from each query (left) to each key (right).
  function drawHeads() {
    var canvas = document.getElementById('heads');
    var only = state.hover !== -1 ? state.hover : state.focus; // a position whose lines alone are drawn, or -1
    var rowH = 22, width = 420, left = 110, right = width - 110;
    var dpr = window.devicePixelRatio || 1;
    canvas.width = width * dpr; canvas.height = (T * rowH + 10) * dpr;
    canvas.style.width = width + 'px'; canvas.style.height = (T * rowH + 10) + 'px';
    var ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, T * rowH + 10);
    ctx.font = '15px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (var i = 0; i < T; i++) {
      var y = 5 + rowH * (i + 0.5);
      var strong = only === -1 || only === i;
      ctx.fillStyle = strong ? '#14213d' : '#9aa7b8';
      ctx.textAlign = 'right'; ctx.fillText(labels[i], left - 8, y);
      ctx.textAlign = 'left'; ctx.fillText(labels[i], right + 8, y);
    }
    // Every line: blended (multiply, which has no order). One position's lines:
    // each head's side by side, a line's width apart, so heads that agree stay apart.
    ctx.globalCompositeOperation = only === -1 ? 'multiply' : 'source-over';
    var layer = att[state.layer];
    var shown = [];
    for (var s = 0; s < layer.length; s++) if (state.heads[s]) shown.push(s);
    for (var h = 0; h < layer.length; h++) {
      if (!state.heads[h]) continue;
      var dy = only === -1 ? 0 : (shown.indexOf(h) - (shown.length - 1) / 2) * 3;
      ctx.strokeStyle = COLORS[h % COLORS.length];
      for (var q = 0; q < T; q++) {
        if (only !== -1 && only !== q) continue;
        for (var k = 0; k <= q; k++) {
          var w = layer[h][q][k];
          if (w < 0.01) continue;
          ctx.globalAlpha = Math.min(1, w);
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(left, 5 + rowH * (q + 0.5) + dy);
          ctx.lineTo(right, 5 + rowH * (k + 0.5) + dy);
          ctx.stroke();
        }
      }
    }
    ctx.globalAlpha = 1;
    ctx.globalCompositeOperation = 'source-over';
  }

  // Hidden state: one row per step (token labels on the left), one column per
  // unit; white is 0, red positive, blue negative (ColorBrewer RdBu ends).
  function mix(v) {
    var to = v > 0 ? [178, 24, 43] : [33, 102, 172], f = Math.min(1, Math.abs(v));
    return 'rgb(' + [0, 1, 2].map(function (c) { return Math.round(247 + (to[c] - 247) * f); }).join(',') + ')';
  }
  function drawHidden() {
    var canvas = document.getElementById('hidden');
    var hidden = trace.hidden; // [L][T][Hd]
    var L = hidden.length, Hd = hidden[0][0].length, cell = Math.max(4, Math.min(14, Math.floor(760 / Hd)));
    var rowH = Math.max(cell, 18), left = 60, gap = 24;
    var width = left + Hd * cell, height = L * (T * rowH + gap);
    var dpr = window.devicePixelRatio || 1;
    canvas.width = width * dpr; canvas.height = height * dpr;
    canvas.style.width = width + 'px'; canvas.style.height = height + 'px';
    var ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '14px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (var l = 0; l < L; l++) {
      var top = l * (T * rowH + gap) + gap - 6;
      ctx.fillStyle = '#5c6b80'; ctx.textAlign = 'left';
      ctx.fillText('layer ' + (l + 1), 0, top - 9);
      for (var t = 0; t < T; t++) {
        var y = top + t * rowH;
        ctx.fillStyle = (t === state.hover || t === state.selected) ? '#14213d' : '#8392a6';
        ctx.textAlign = 'right';
        ctx.fillText(labels[t], left - 8, y + rowH / 2);
        for (var u = 0; u < Hd; u++) {
          ctx.fillStyle = mix(hidden[l][t][u]);
          ctx.fillRect(left + u * cell, y, cell, rowH);
        }
        if (t === state.hover || t === state.selected) {
          ctx.strokeStyle = '#14213d'; ctx.lineWidth = 2;
          ctx.strokeRect(left + 1, y + 1, Hd * cell - 2, rowH - 2);
        }
      }
    }
  }

  // Softmax bars: the ten most likely next tokens after the selected position.
  function drawBars() {
    var pos = state.hover !== -1 ? state.hover : state.selected;
    var row = trace.probs[pos];
    var order = row.map(function (p, i) { return i; }).sort(function (a, b) { return row[b] - row[a]; }).slice(0, 10);
    var vocab = trace.vocab || null;
    var table = trace.token_table || null;
    // The bytes the text so far leaves unfinished (a character begun by the last tokens).
    var pending = [];
    if (bytes) {
      var tail = [];
      for (var i = pos; i >= 0 && tail.length < 3; i--) for (var k = bytes[i].length - 1; k >= 0 && tail.length < 3; k--) tail.unshift(bytes[i][k]);
      for (var s = tail.length - 1; s >= 0; s--) {
        if (tail[s] >= 0x80 && tail[s] < 0xc0) continue;
        var need = tail[s] >= 0xf0 ? 4 : tail[s] >= 0xe0 ? 3 : tail[s] >= 0xc2 ? 2 : 1;
        if (need > tail.length - s) pending = tail.slice(s);
        break;
      }
    }
    function label(id) {
      if (vocab) return show(vocab[id] === undefined ? String(id) : vocab[id]);
      var b = table && table[id];
      if (!b) return String(id);
      var own = show(text(b));
      if (!pending.length) return own;
      var joined = pending.concat(b);
      var n = seqLen(joined, 0);
      if (!n || n <= pending.length) return own;
      var end = 0;
      while (end < joined.length) { var m = seqLen(joined, end); if (!m) break; end += m; }
      return own + ' \u2192 ' + show(text(joined.slice(0, end))) + (end < joined.length ? '\u2026' : '');
    }
    document.getElementById('bars-title').textContent = 'Next token after \u201c' + labels[pos] + '\u201d (position ' + (pos + 1) + ')';
    var bars = document.getElementById('bars');
    bars.textContent = '';
    order.forEach(function (id) {
      var line = el('div', { class: 'bar' });
      line.appendChild(el('span', { class: 'tok' }, label(id)));
      var track = el('span', { class: 'track' });
      track.appendChild(el('span', { class: 'fill', style: 'display:block;width:' + (100 * row[id]).toFixed(2) + '%' }));
      line.appendChild(track);
      line.appendChild(el('span', {}, (100 * row[id]).toFixed(1) + '%'));
      bars.appendChild(line);
    });
  }

  function draw() {
    chips.forEach(function (c, i) {
      c.classList.toggle('on', i === state.hover || (state.hover === -1 && i === state.selected));
      c.setAttribute('aria-pressed', String(i === state.focus));
    });
    if (att) drawHeads(); else drawHidden();
    drawBars();
  }
  draw();
  window.glasswingStandalone = { state: state, trace: trace, draw: draw };
})();

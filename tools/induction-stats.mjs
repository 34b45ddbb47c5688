// The averages quoted in www/examples/induction-heads.html, reproducible:
// traces the shipped induction model (with the native CLI) on seeded random
// sequences of 4 to 12 distinct letters, "abc|abc", and measures where each
// layer's heads look after the bar. Usage: node tools/induction-stats.mjs [N]
// (needs `cargo build --release`).

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.argv[2] ?? 200);
let seed = 11;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

function sequence() {
  const letters = [...'abcdefghijklmnopqrstuvwxyz'];
  const n = 4 + Math.floor(rnd() * 9);
  let q = '';
  while (q.length < n) q += letters.splice(Math.floor(rnd() * letters.length), 1)[0];
  return q;
}

const sum = { bar0: 0, nBar: 0, firstL1: 0, firstL0ahead: 0, nFirst: 0, laterL0: 0, laterL0best: 0, laterL1prev: 0, laterL1: 0, nLater: 0, right: 0, nPred: 0 };
for (let e = 0; e < N; e++) {
  const q = sequence();
  const out = execFileSync(`${ROOT}target/release/glasswing`, ['trace', '--model', `${ROOT}www/models/induction-gpt.safetensors`, '--text', `${q}|${q}`, '--json']);
  const { attention: att, probs, ids } = JSON.parse(out);
  const bar = q.length;
  const T = ids.length;
  const mean = (l, i, j) => [0, 1, 2, 3].reduce((s, h) => s + (att[l][h][i][j] ?? 0), 0) / 4;
  sum.bar0 += mean(0, bar, 0);
  sum.nBar++;
  for (let i = bar; i + 1 < T; i++) { // top-1 guess for each letter after the bar
    const row = probs[i];
    sum.right += row.indexOf(Math.max(...row)) === ids[i + 1] ? 1 : 0;
    sum.nPred++;
  }
  for (let i = bar + 1; i < T; i++) {
    const next = i - bar; // where the letter that comes next sits in the first copy
    if (i === bar + 1) {
      sum.firstL1 += mean(1, i, next);
      sum.firstL0ahead += mean(0, i, next + 1);
      sum.nFirst++;
    } else {
      sum.laterL0 += mean(0, i, next);
      sum.laterL0best += Math.max(...[0, 1, 2, 3].map((h) => att[0][h][i][next]));
      sum.laterL1prev += mean(1, i, i - 1);
      sum.laterL1 += mean(1, i, next);
      sum.nLater++;
    }
  }
}
const pct = (x, n) => `${((100 * x) / n).toFixed(0)}%`;
console.log(`${N} sequences of 4 to 12 distinct letters, "q|q"`);
console.log(`top guess right for the letters after the bar:        ${pct(sum.right, sum.nPred)}`);
console.log(`at the bar, first layer on position 0 (mean of heads): ${pct(sum.bar0, sum.nBar)}`);
console.log(`first letter after the bar, second layer on the next:  ${pct(sum.firstL1, sum.nFirst)}`);
console.log(`first letter after the bar, first layer one further:   ${pct(sum.firstL0ahead, sum.nFirst)}`);
console.log(`later letters, first layer on the next (mean / best):  ${pct(sum.laterL0, sum.nLater)} / ${pct(sum.laterL0best, sum.nLater)}`);
console.log(`later letters, second layer on the previous / next:    ${pct(sum.laterL1prev, sum.nLater)} / ${pct(sum.laterL1, sum.nLater)}`);

// Every branch of the generated comparison sentences in analysis.md (src/analysis/prose.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collapseSentence, compareAtPrecision, redundancySentence, type ProseRun } from '../../src/analysis/prose.js';

const run = (above1e3: number[], meanAbsAll = 0.1, meanAbsOffDiagonal = 0.05): ProseRun => ({ above1e3, meanAbsAll, meanAbsOffDiagonal });

/** No doubled words, no "than (", no "as much ... than", and one sentence-final period. */
function wellFormed(s: string): void {
  assert.doesNotMatch(s, /\b(\w+) \1\b/, s);
  assert.doesNotMatch(s, /than \(/, s);
  assert.doesNotMatch(s, /as much [^.]* than/, s);
  assert.doesNotMatch(s, /about the same as \(/, s);
  assert.match(s, /\.$/, s);
  assert.doesNotMatch(s, /NaN|undefined/, s);
}

test('compareAtPrecision: equal once printed is "same"', () => {
  assert.equal(compareAtPrecision(0.0331, 0.0334, 3), 'same');
  assert.equal(compareAtPrecision(0.033, 0.027, 3), 'higher');
  assert.equal(compareAtPrecision(0.027, 0.033, 3), 'lower');
  assert.equal(compareAtPrecision(312.4, 311.6, 0), 'same');
});

test('collapse sentence: GEN keeps more, fewer, or as many values above 1e-3', () => {
  const less = collapseSentence(run([280]), run([312]));
  assert.equal(
    less,
    "Dimensional collapse: GEN's interacted embeddings keep 312 singular values above 1e-3 against DIS's 280: less collapse than DIS, as the paper reports (Fig. 3).",
  );
  const more = collapseSentence(run([312]), run([280]));
  assert.match(more, /keep 280 .* against DIS's 312: more collapse than DIS, unlike the paper, which reports less for GEN \(Fig\. 3\)\.$/);
  const same = collapseSentence(run([300]), run([300]));
  assert.match(same, /keep 300 .* against DIS's 300: as much collapse as DIS; the paper reports less for GEN \(Fig\. 3\)\.$/);
  // Several batches: means with one decimal, compared at that precision.
  const batches = collapseSentence(run([300, 301]), run([300, 302]));
  assert.match(batches, /keep 301\.0 singular values above 1e-3 \(mean over batches\) against DIS's 300\.5: less collapse/);
  const tie = collapseSentence(run([300.02, 300.0]), run([300.0, 300.0]));
  assert.match(tie, /as much collapse as DIS/);
  for (const s of [less, more, same, batches, tie]) wellFormed(s);
});

test('redundancy sentence: each of lower / higher / same for the whole matrix and off the diagonal', () => {
  const levels = { lower: 0.02, same: 0.05, higher: 0.08 } as const;
  const dis = run([1], 0.05, 0.05);
  for (const [w, gw] of Object.entries(levels)) {
    for (const [o, go] of Object.entries(levels)) {
      const s = redundancySentence(dis, run([1], gw, go));
      wellFormed(s);
      const word = (x: string) => (x === 'same' ? 'about the same as' : `${x} than`);
      assert.match(s, new RegExp(`whole correlation matrix is ${word(w)} DIS's \\(${gw.toFixed(3)} vs 0\\.050;`), s);
      assert.match(s, new RegExp(`off the diagonal it is ${word(o)} DIS's \\(${go.toFixed(3)} vs 0\\.050\\)\\.`), s);
      if (w === 'lower' && o !== 'higher') assert.match(s, /GEN is less redundant, as the paper reports \(Fig\. 4\)\.$/, s);
      else if (w === 'lower') assert.match(s, /holds for the whole matrix only\.$/, s);
      else assert.match(s, /this run does not show it\.$/, s);
    }
  }
  // The example: "higher than (0.033 vs 0.027)" now names what it compares with.
  assert.match(redundancySentence(run([1], 0.4, 0.027), run([1], 0.1, 0.033)), /off the diagonal it is higher than DIS's \(0\.033 vs 0\.027\)/);
  // The unit-diagonal remark only where DIS's diagonal is 1: a cross network's right side is W·x, not x itself.
  assert.match(redundancySentence({ ...dis, meanDiagonal: 1 }, run([1], 0.02, 0.02)), /DIS pairs each embedding with itself/);
  const cross = redundancySentence({ ...dis, meanDiagonal: 0.101 }, run([1], 0.02, 0.02));
  wellFormed(cross);
  assert.doesNotMatch(cross, /pairs each embedding with itself/);
  assert.match(cross, /whole correlation matrix is lower than DIS's \(0\.020 vs 0\.050\), and/);
});

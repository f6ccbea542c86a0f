// Progress bars and phase lines (src/util/progress.ts): every field has a value from the first frame on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { formatCount, formatDuration, formatRate, progressBar, progressLine, progressMode } from '../../src/util/progress.js';

// These tests draw bars and lines; a GE4REC_NO_PROGRESS set in the environment (as CI scripts like to) must not
// silence them. The test of that variable sets and restores it itself.
delete process.env.GE4REC_NO_PROGRESS;

/** A stream that records what is written; `tty` makes cli-progress draw frames on it. */
function sink(tty: boolean): { stream: NodeJS.WriteStream; text: () => string; frames: () => string[] } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  w.isTTY = tty;
  w.columns = 200;
  // eslint-disable-next-line no-control-regex
  const plain = () => chunks.join('').replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '\n');
  return { stream: w, text: plain, frames: () => plain().split(/[\r\n]+/).filter((l) => l.trim()) };
}

test('bar: the first frame already shows every field with a value (no {template} fields, no ETA 0s)', () => {
  const out = sink(true);
  const bar = progressBar('FM DIS seed 1 epoch 1', 1000, { stream: out.stream, unit: 'rows', fields: { loss: '-' } });
  const first = out.frames()[0];
  bar.stop();
  assert.ok(first, 'nothing drawn');
  assert.doesNotMatch(first, /[{}]/);
  assert.match(first, /^FM DIS seed 1 epoch 1 \[/);
  assert.match(first, /0\/1,000 rows/);
  assert.match(first, /- rows\/s/);
  assert.match(first, /\| loss - \|/);
  assert.match(first, /ETA -$/);
});

test('bar: updates show counts, rows/s, the extra fields and an ETA', async () => {
  const out = sink(true);
  const bar = progressBar('valid', 2000, { stream: out.stream, fields: { loss: '-' } });
  await new Promise((r) => setTimeout(r, 30));
  bar.update(500, { loss: '0.693147' });
  await new Promise((r) => setTimeout(r, 120)); // cli-progress redraws on its timer
  bar.stop();
  const last = out.frames().at(-1)!;
  assert.match(last, /500\/2,000 rows/);
  assert.match(last, /\| [\d,]+ rows\/s/);
  assert.match(last, /loss 0\.693147/);
  assert.match(last, /ETA \d/);
  assert.match(last, / 25% /);
});

test('lines mode: one line per phase at its end, with size, time, rate and fields; short phases print nothing', () => {
  const out = sink(false);
  const p = progressBar('FM GEN seed 2 test (best weights)', 3000, { stream: out.stream, mode: 'lines', minLineSeconds: 0, fields: { loss: '-' } });
  p.update(3000, { loss: '0.5' });
  p.stop();
  p.stop(); // a second stop prints nothing more
  const lines = out.text().trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^FM GEN seed 2 test \(best weights\): 3,000\/3,000 rows in \d+\.\d s \| (-|[\d,.]+( [MG])?) rows\/s \| loss 0\.5$/);
  const quiet = sink(false);
  const q = progressBar('short', 10, { stream: quiet.stream, mode: 'lines' });
  q.update(10);
  q.stop();
  assert.equal(quiet.text(), '');
});

test('mode: off with --json (enabled false) or GE4REC_NO_PROGRESS, a bar on a terminal, lines elsewhere', () => {
  const tty = sink(true).stream;
  const pipe = sink(false).stream;
  assert.equal(progressMode({ enabled: false, stream: tty }), 'off');
  assert.equal(progressMode({ stream: pipe, enabled: true }), 'lines');
  assert.equal(progressMode({ stream: tty, enabled: true }), 'bar');
  const saved = process.env.GE4REC_NO_PROGRESS;
  process.env.GE4REC_NO_PROGRESS = '1';
  try {
    assert.equal(progressMode({ stream: tty }), 'off');
    const out = sink(true);
    const p = progressBar('x', 5, { stream: out.stream });
    p.update(5);
    p.stop();
    assert.equal(out.text(), '');
  } finally {
    if (saved === undefined) delete process.env.GE4REC_NO_PROGRESS;
    else process.env.GE4REC_NO_PROGRESS = saved;
  }
});

test('formatting: counts, durations and a line without a bar', () => {
  assert.equal(formatCount(5120), '5,120');
  assert.equal(formatCount(1_234_567), '1.23 M');
  assert.equal(formatCount(NaN), '-');
  // Slow units (runs of a suite) are not rounded to "0 runs/s".
  assert.equal(formatRate(15 / 64, 'runs'), '14.1 runs/min');
  assert.equal(formatRate(2.5, 'runs'), '2.5 runs/s');
  assert.equal(formatRate(5120, 'rows'), '5,120 rows/s');
  assert.match(progressLine('regress', { value: 15, total: 15, seconds: 64, unit: 'runs', fields: {} }), /15\/15 runs in 1m04s \| 14\.1 runs\/min/);
  assert.equal(formatDuration(3.21), '3.2 s');
  assert.equal(formatDuration(75), '1m15s');
  assert.equal(formatDuration(3 * 3600 + 5 * 60), '3h05m');
  assert.equal(progressLine('tables', { value: 4, total: 4, seconds: 2, unit: 'runs', fields: {} }), 'tables: 4/4 runs in 2.0 s | 2.0 runs/s');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incompleteBeta, logGamma, studentTCdf, welchTTest, mean, std } from '../../src/train/stats.js';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tol ${tol})`);

test('logGamma and incomplete beta against closed forms', () => {
  close(logGamma(5), Math.log(24), 1e-12);
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-12);
  // I_x(1, b) = 1 − (1 − x)^b; I_x(a, 1) = x^a
  close(incompleteBeta(0.3, 1, 4), 1 - 0.7 ** 4, 1e-12);
  close(incompleteBeta(0.6, 3, 1), 0.6 ** 3, 1e-12);
});

test('Student t CDF against closed forms and printed table values', () => {
  close(studentTCdf(1, 1), 0.75, 1e-12); // Cauchy
  for (const t of [-3, -0.4, 0.7, 2.5]) close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-12);
  close(studentTCdf(0, 7.3), 0.5, 1e-15);
  // Two-sided 5 % critical values from t tables: ν = 10 → 2.228, ν = 30 → 2.042, ν = 5 one-sided 5 % → 2.015
  close(studentTCdf(2.228, 10), 0.975, 5e-5);
  close(studentTCdf(2.042, 30), 0.975, 5e-5);
  close(studentTCdf(2.015, 5), 0.95, 5e-5);
  close(studentTCdf(-2.015, 5), 0.05, 5e-5);
});

test("Welch's t-test: the standard worked example (t ≈ −2.46, ν ≈ 24.9, p ≈ 0.021)", () => {
  const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
  const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
  const r = welchTTest(a, b)!;
  // t and ν by hand from means and variances
  const va = std(a) ** 2 / a.length;
  const vb = std(b) ** 2 / b.length;
  close(r.t, (mean(a) - mean(b)) / Math.sqrt(va + vb), 1e-12);
  close(r.t, -2.46, 0.005);
  close(r.df, 24.99, 0.02);
  close(r.p, 0.021, 0.0005);
  assert.equal(welchTTest([1], [2, 3]), null);
  assert.equal(welchTTest([1, 1], [1, 1])!.p, 1);
  assert.equal(welchTTest([2, 2], [1, 1])!.p, 0);
});

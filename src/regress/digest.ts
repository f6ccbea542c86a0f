// A fingerprint of a trained model: the SHA-256 of every weight's bytes (dense parameters by name, normalisation
// statistics, the embedding tables) and their L2 norm. Equal digests mean bit-identical weights; the norm is what a
// device with other rounding can be compared on.
import { createHash } from 'node:crypto';
import type { Snapshot } from '../engine/engine.js';

export interface WeightsDigest {
  sha256: string;
  /** √(Σ w²) over every weight, summed in float64 in the digest's order. */
  l2: number;
  values: number;
}

type Floats = Float32Array | Float64Array;

export function weightsDigest(s: Snapshot): WeightsDigest {
  const h = createHash('sha256');
  let sq = 0;
  let values = 0;
  const add = (name: string, a: Floats) => {
    h.update(`${name}\0${a.constructor.name}\0${a.length}\0`);
    // Little-endian bytes (every platform onnxruntime-node ships for); float64 params keep their width.
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    for (let i = 0; i < a.length; i++) sq += a[i] * a[i];
    values += a.length;
  };
  const byName = <T>(m: Map<string, T>) => [...m.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  for (const [name, d] of byName(s.dense)) add(`param:${name}`, d.p);
  for (const [name, t] of byName(s.states)) add(`state:${name}`, t);
  if (s.W) add('embeddings', s.W);
  return { sha256: h.digest('hex'), l2: Math.sqrt(sq), values };
}

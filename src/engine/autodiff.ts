// Reverse-mode autodiff over a Graph: walks the nodes the loss depends on in reverse creation order (a reverse
// topological order), applies the rule of each node (grad-rules.ts) and sums the contributions of tensors used
// several times. Only tensors that depend on `wrt` receive gradients; int/bool tensors never do.
import type { Node, Tensor } from './graph.js';
import { isFloat } from './graph.js';
import { gradRule } from './grad-rules.js';
import * as ops from './ops.js';
import { dimEq, fmtShape, isStatic } from './shape.js';
import { reachable } from './onnx.js';

function ones(t: Tensor): Tensor {
  if (isStatic(t.shape) && (t.shape as number[]).reduce((a, b) => a * b, 1) <= 64)
    return t.graph.sharedConstant(1, t.shape as number[], t.dtype);
  return ops.expand(t.graph.sharedConstant(1, [], t.dtype), t.shape, t);
}

/** d(loss)/d(w) for each w in wrt. `seed` (default: ones shaped like loss) is the gradient flowing into loss. */
export function grad(loss: Tensor, wrt: readonly Tensor[], seed?: Tensor): Tensor[] {
  const g = loss.graph;
  if (!isFloat(loss.dtype)) throw new Error(`grad: loss ${loss.name} is ${loss.dtype}, not a float tensor`);
  for (const w of wrt) {
    if (w.graph !== g) throw new Error(`grad: ${w.name} belongs to another graph`);
    if (!isFloat(w.dtype)) throw new Error(`grad: cannot differentiate with respect to ${w.name} (${w.dtype})`);
  }
  if (seed && (seed.dtype !== loss.dtype || seed.rank !== loss.rank || !seed.shape.every((d, i) => dimEq(d, loss.shape[i]))))
    throw new Error(`grad: seed ${fmtShape(seed.shape)} ${seed.dtype} does not match loss ${fmtShape(loss.shape)} ${loss.dtype}`);

  const { nodes } = reachable([loss]);
  // Tensors that depend on some w (float only): the only ones worth a gradient.
  const live = new Set<Tensor>(wrt);
  for (const n of nodes)
    if (n.inputs.some((t) => live.has(t))) for (const o of n.outputs) if (isFloat(o.dtype)) live.add(o);

  const pending = new Map<Tensor, Tensor[]>();
  const push = (t: Tensor, dt: Tensor, n: Node) => {
    if (dt.dtype !== t.dtype || dt.rank !== t.rank || !dt.shape.every((d, i) => dimEq(d, t.shape[i])))
      throw new Error(`grad rule of ${n.op} (${n.name}) gave ${fmtShape(dt.shape)} ${dt.dtype} for input ${t.name} ${fmtShape(t.shape)} ${t.dtype}`);
    const list = pending.get(t);
    if (list) list.push(dt);
    else pending.set(t, [dt]);
  };
  const total = (t: Tensor): Tensor | null => {
    const list = pending.get(t);
    if (!list) return null;
    const s = ops.addN(list);
    pending.set(t, [s]);
    return s;
  };

  if (live.has(loss)) pending.set(loss, [seed ?? ones(loss)]);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    const gy = n.outputs.map(total);
    if (gy.every((v) => v === null)) continue;
    const needs = n.inputs.map((t) => live.has(t));
    if (!needs.some(Boolean)) continue;
    const rule = gradRule(n.op);
    if (rule === null) continue;
    if (rule === undefined) throw new Error(`grad: no gradient rule for op ${n.op} (${n.name})`);
    const gx = rule({ node: n, x: n.inputs, y: n.outputs, gy, needs });
    n.inputs.forEach((t, i) => {
      const dt = gx[i];
      if (needs[i] && dt) push(t, dt, n);
    });
  }
  return wrt.map((w) => total(w) ?? ops.zerosLike(w));
}

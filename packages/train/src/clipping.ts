import { badArgument, sumOfSquares } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/** Gradients keyed as the model's variables. */
export type Gradients = Record<string, tf.Tensor>;

/** Gradient clipping: each element into [−value, value], then all gradients scaled to a global norm of at most `globalNorm`. */
export type ClipConfig = { readonly globalNorm?: number; readonly value?: number };

/**
 * √(Σ‖g‖²) over every gradient, as a number. Core's `sumOfSquares` reads every gradient in
 * one kernel where the backend fused it (cpu, wasm): on a small LSTM's step that replaced
 * a `Square` and a `Sum` per variable, an `AddN` and a `Sqrt` (10 dispatches for 4
 * variables) by one. The square root is taken here: float64's √ rounded to float32 is
 * float32's √, so the norm is the one tfjs' `sqrt` gave.
 */
export function globalNorm(grads: Gradients): number {
  const values = Object.values(grads);
  if (values.length === 0) return 0;
  const sum = sumOfSquares(values);
  const norm = Math.fround(Math.sqrt(sum.dataSync()[0] as number));
  sum.dispose();
  return norm;
}

/**
 * Clips by value (each element into [−value, value]) then by global norm (all gradients
 * scaled by globalNorm / max(norm, globalNorm), as `tf.clip_by_global_norm`). Returns new
 * tensors (the caller owns them) and the global norm measured before clipping.
 */
export function clipGradients(grads: Gradients, config: ClipConfig): { grads: Gradients; norm: number } {
  const { globalNorm: maxNorm, value } = config;
  if (maxNorm !== undefined && !(maxNorm > 0))
    throw badArgument('BAD_CONFIG', 'clip.globalNorm', 'a positive number', maxNorm);
  if (value !== undefined && !(value > 0)) throw badArgument('BAD_CONFIG', 'clip.value', 'a positive number', value);
  const out: Gradients = {};
  let current: Gradients = grads;
  if (value !== undefined) {
    current = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.clipByValue(g, -value, value)]));
  }
  const norm = globalNorm(current);
  const scale = maxNorm !== undefined && norm > maxNorm ? maxNorm / norm : 1;
  for (const [k, g] of Object.entries(current)) {
    out[k] = scale === 1 ? (current === grads ? tf.clone(g) : g) : tf.tidy(() => tf.mul(g, scale));
    if (scale !== 1 && current !== grads) g.dispose();
  }
  return { grads: out, norm };
}

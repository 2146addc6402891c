import type { SequenceKernelActivation } from '@recur/core';

/** Scalar activation and its derivative written with the output y = act(z), as the reference kernels. */
export interface ScalarActivation {
  readonly f: (z: number) => number;
  /** dz for dy, from y. */
  readonly back: (dy: number, y: number) => number;
}

// tfjs' SELU constants, so the fused kernels match its forward exactly.
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_ALPHA = 1.7580993408473768;
const SOFTPLUS_THRESHOLD = Math.log(1.1920928955078125e-7) + 2;

const TABLE: Record<SequenceKernelActivation, ScalarActivation> = {
  linear: { f: (z) => z, back: (dy) => dy },
  sigmoid: { f: (z) => 1 / (1 + Math.exp(-z)), back: (dy, y) => dy * y * (1 - y) },
  hardSigmoid: {
    f: (z) => Math.min(1, Math.max(0, 0.2 * z + 0.5)),
    back: (dy, y) => (y > 0 && y < 1 ? 0.2 * dy : 0),
  },
  tanh: { f: Math.tanh, back: (dy, y) => dy * (1 - y * y) },
  relu: { f: (z) => (z < 0 ? 0 : z), back: (dy, y) => (y > 0 ? dy : 0) },
  relu6: { f: (z) => Math.min(6, Math.max(0, z)), back: (dy, y) => (y > 0 && y < 6 ? dy : 0) },
  elu: { f: (z) => (z > 0 ? z : Math.expm1(z)), back: (dy, y) => (y > 0 ? dy : dy * (y + 1)) },
  selu: {
    f: (z) => (z >= 0 ? SELU_SCALE * z : SELU_SCALE_ALPHA * Math.expm1(z)),
    back: (dy, y) => (y > 0 ? dy * SELU_SCALE : dy * (y + SELU_SCALE_ALPHA)),
  },
  softsign: { f: (z) => z / (1 + Math.abs(z)), back: (dy, y) => dy * (1 - Math.abs(y)) ** 2 },
  softplus: {
    // tfjs' numerically careful form (backend-cpu Softplus).
    f: (z) => (z < SOFTPLUS_THRESHOLD ? Math.exp(z) : z > -SOFTPLUS_THRESHOLD ? z : Math.log1p(Math.exp(z))),
    back: (dy, y) => -dy * Math.expm1(-y),
  },
  exponential: { f: Math.exp, back: (dy, y) => dy * y },
};

export function scalarActivation(name: SequenceKernelActivation): ScalarActivation {
  return TABLE[name];
}

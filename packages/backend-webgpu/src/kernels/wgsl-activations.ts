/**
 * The sequence kernels' activations in WGSL, forward and backward. Forward formulas are
 * tfjs-backend-webgpu 4.22's own (`unary_op_util.ts`), so a fused step rounds as core's
 * reference does when it runs on webgpu; backward formulas are core's
 * `backpropActivation`: dz = dy ⊙ act'(z) written with the output y = act(z).
 */
import type { GatedSequenceAttrs, SequenceKernelActivation } from '@recur/core';

// tfjs' SELU constants (backend_util), as core's backward uses them.
const SELU_SCALE = '1.0507009873554805';
const SELU_SCALE_ALPHA = '1.7580993408473768';

const FORWARD: Record<SequenceKernelActivation, string> = {
  linear: 'return z;',
  sigmoid: 'return 1.0 / (1.0 + exp(-1.0 * z));',
  hardSigmoid: 'return clamp(z * 0.2 + 0.5, 0.0, 1.0);',
  tanh: 'let e2x = exp(-2.0 * abs(z)); return sign(z) * (1.0 - e2x) / (1.0 + e2x);',
  relu: 'return select(z, 0.0, z < 0.0);',
  relu6: 'return clamp(z, 0.0, 6.0);',
  elu: 'if (z >= 0.0) { return z; } return exp(z) - 1.0;',
  selu: `if (z >= 0.0) { return ${SELU_SCALE} * z; } return ${SELU_SCALE_ALPHA} * (exp(z) - 1.0);`,
  softsign: 'return z / (abs(z) + 1.0);',
  softplus: `
    let threshold = log(1.1920928955078125e-7) + 2.0;
    if (z > -threshold) { return z; }
    if (z < threshold) { return exp(z); }
    return log(exp(z) + 1.0);`,
  exponential: 'return exp(z);',
};

const BACKWARD: Record<SequenceKernelActivation, string> = {
  linear: 'return dy;',
  sigmoid: 'return dy * (y * (1.0 - y));',
  // clip(0.2·z + 0.5, 0, 1): slope 0.2 strictly inside the clip.
  hardSigmoid: 'return select(0.0, dy * 0.2, y > 0.0 && y < 1.0);',
  tanh: 'return dy * (1.0 - y * y);',
  relu: 'return select(0.0, dy, y > 0.0);',
  relu6: 'return select(0.0, dy, y > 0.0 && y < 6.0);',
  // z ≤ 0: y = eᶻ − 1, so y' = y + 1.
  elu: 'if (y > 0.0) { return dy; } return dy * (y + 1.0);',
  selu: `if (y > 0.0) { return dy * ${SELU_SCALE}; } return dy * (y + ${SELU_SCALE_ALPHA});`,
  // y = z / (1 + |z|), so 1 / (1 + |z|)² = (1 − |y|)².
  softsign: 'let s = 1.0 - abs(y); return dy * (s * s);',
  // y = log(1 + eᶻ), so σ(z) = 1 − e^(−y) (tfjs' webgpu expm1 is exp − 1).
  softplus: 'return dy * -(exp(-y) - 1.0);',
  exponential: 'return dy * y;',
};

/**
 * WGSL functions `<role>(z)` and `<role>Back(dy, y)` for `activation`, e.g. role `gate`
 * gives `gate(z)` and `gateBack(dy, y)`.
 */
export function activationWgsl(role: string, activation: SequenceKernelActivation): string {
  return `
    fn ${role}(z : f32) -> f32 { ${FORWARD[activation]} }
    fn ${role}Back(dy : f32, y : f32) -> f32 { ${BACKWARD[activation]} }`;
}

/** `body` after the gated kernels' activations: `gate` (σ) and `candidate` (act). */
export function withActivations(body: string, attrs: GatedSequenceAttrs): string {
  return activationWgsl('gate', attrs.recurrentActivation) + activationWgsl('candidate', attrs.activation) + body;
}

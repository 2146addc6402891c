/**
 * Fused `RecurAdamUpdate`: one Adam / AdamW step of one variable (core's
 * `kernels/adam-update.ts` is the oracle), four elements per SIMD lane group. Every
 * operation is a plain f32 (or f32x4) one, each correctly rounded by WebAssembly's
 * definition, in the reference's order: that is what tfjs' own ops compute, so the result
 * is bit-identical to tfjs' `AdamOptimizer`. No `Fma.madd` here: a fused multiply-add
 * rounds once and would move the numbers.
 */

/**
 * `size` elements of `value`, `gradient`, `m`, `v` (float32) into `newValue`, `newM`,
 * `newV`; `beta1Power`, `beta2Power` point at the scalars β₁ᵗ, β₂ᵗ. The other arguments
 * are core's `adamConstants`.
 */
export function adamUpdate(
  size: i32,
  value: usize,
  gradient: usize,
  m: usize,
  v: usize,
  beta1Power: usize,
  beta2Power: usize,
  keep: f32,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  epsilon: f32,
  negLearningRate: f32,
  newValue: usize,
  newM: usize,
  newV: usize,
): void {
  const correction1: f32 = 1 - load<f32>(beta1Power);
  const correction2: f32 = 1 - load<f32>(beta2Power);
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const o = <usize>i * 4;
    const g = v128.load(gradient + o);
    const nm = f32x4.add(f32x4.mul(v128.load(m + o), f32x4.splat(beta1)), f32x4.mul(g, f32x4.splat(oneMinusBeta1)));
    const nv = f32x4.add(
      f32x4.mul(v128.load(v + o), f32x4.splat(beta2)),
      f32x4.mul(f32x4.mul(g, g), f32x4.splat(oneMinusBeta2)),
    );
    const denominator = f32x4.add(f32x4.sqrt(f32x4.div(nv, f32x4.splat(correction2))), f32x4.splat(epsilon));
    const step = f32x4.mul(
      f32x4.div(f32x4.div(nm, f32x4.splat(correction1)), denominator),
      f32x4.splat(negLearningRate),
    );
    v128.store(newValue + o, f32x4.add(step, f32x4.mul(v128.load(value + o), f32x4.splat(keep))));
    v128.store(newM + o, nm);
    v128.store(newV + o, nv);
  }
  for (; i < size; i++) {
    const o = <usize>i * 4;
    const g = load<f32>(gradient + o);
    const nm: f32 = load<f32>(m + o) * beta1 + g * oneMinusBeta1;
    const nv: f32 = load<f32>(v + o) * beta2 + g * g * oneMinusBeta2;
    const denominator: f32 = sqrt<f32>(nv / correction2) + epsilon;
    store<f32>(newValue + o, (nm / correction1 / denominator) * negLearningRate + load<f32>(value + o) * keep);
    store<f32>(newM + o, nm);
    store<f32>(newV + o, nv);
  }
}

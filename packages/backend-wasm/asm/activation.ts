/**
 * The sequence kernels' activations on f32x4 lanes, by code: the index of the name in
 * core's `SEQUENCE_KERNEL_ACTIVATIONS`. Derivatives are written with the output
 * y = act(z), as the reference kernels (and cuDNN) keep outputs only.
 */
import { Lanes } from './math';

export const LINEAR: i32 = 0;
export const SIGMOID: i32 = 1;
export const HARD_SIGMOID: i32 = 2;
export const TANH: i32 = 3;
export const RELU: i32 = 4;
export const RELU6: i32 = 5;
export const ELU: i32 = 6;
export const SELU: i32 = 7;
export const SOFTSIGN: i32 = 8;
export const SOFTPLUS: i32 = 9;
export const EXPONENTIAL: i32 = 10;

// tfjs' SELU constants (tfjs-core ops/selu_util.ts).
const SELU_SCALE: f32 = 1.0507009873554805;
const SELU_SCALE_ALPHA: f32 = 1.7580993408473768;
// Where softplus is eᶻ or z to float precision: log(ε) + 2, as tfjs' cpu Softplus.
const SOFTPLUS_THRESHOLD: f32 = -13.942385152878742;

function splat(v: f32): v128 {
  return f32x4.splat(v);
}

/**
 * Each activation on four lanes, `@inline` so that V8 keeps its constants in registers
 * across `activateRange`'s loops (see math.ts).
 */
// biome-ignore lint/complexity/noStaticOnlyClass: AssemblyScript only inlines decorated functions and methods.
class Act {
  @inline static sigmoid(z: v128): v128 {
    return Lanes.sigmoid(z);
  }

  @inline static hardSigmoid(z: v128): v128 {
    // pmin/pmax keep NaN, as tfjs' clip does.
    return f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(z, splat(0.2)), splat(0.5)), splat(0)), splat(1));
  }

  @inline static tanh(z: v128): v128 {
    return Lanes.tanh(z);
  }

  @inline static relu(z: v128): v128 {
    return f32x4.pmax(z, splat(0));
  }

  @inline static relu6(z: v128): v128 {
    return f32x4.pmin(f32x4.pmax(z, splat(0)), splat(6));
  }

  @inline static elu(z: v128): v128 {
    return v128.bitselect(z, Lanes.expm1(z), f32x4.gt(z, splat(0)));
  }

  @inline static selu(z: v128): v128 {
    const negative = f32x4.mul(Lanes.expm1(z), splat(SELU_SCALE_ALPHA));
    return v128.bitselect(f32x4.mul(z, splat(SELU_SCALE)), negative, f32x4.ge(z, splat(0)));
  }

  @inline static softsign(z: v128): v128 {
    return f32x4.div(z, f32x4.add(f32x4.abs(z), splat(1)));
  }

  @inline static softplus(z: v128): v128 {
    const e = Lanes.exp(z);
    const mid = v128.bitselect(z, Lanes.log1p(e), f32x4.gt(z, splat(-SOFTPLUS_THRESHOLD)));
    return v128.bitselect(e, mid, f32x4.lt(z, splat(SOFTPLUS_THRESHOLD)));
  }

  @inline static exponential(z: v128): v128 {
    return Lanes.exp(z);
  }
}

function at(p: usize, j: i32): usize {
  return p + <usize>j * 4;
}

/**
 * dst[0…n) = act(src[0…n)), in place when dst = src. The dispatch stays outside the
 * loops, and the ragged end (n mod 4) runs the same code on one lane, after the 4-lane
 * loop rather than inside it, which would cost the loop a branch per iteration.
 */
export function activateRange(code: i32, src: usize, dst: usize, n: i32): void {
  let j = 0;
  switch (code) {
    case SIGMOID:
      for (; j + 4 <= n; j += 4) v128.store(at(dst, j), Act.sigmoid(v128.load(at(src, j))));
      for (; j < n; j++) store<f32>(at(dst, j), f32x4.extract_lane(Act.sigmoid(f32x4.splat(load<f32>(at(src, j)))), 0));
      return;
    case HARD_SIGMOID:
      for (; j + 4 <= n; j += 4) v128.store(at(dst, j), Act.hardSigmoid(v128.load(at(src, j))));
      for (; j < n; j++)
        store<f32>(at(dst, j), f32x4.extract_lane(Act.hardSigmoid(f32x4.splat(load<f32>(at(src, j)))), 0));
      return;
    case TANH:
      for (; j + 4 <= n; j += 4) v128.store(at(dst, j), Act.tanh(v128.load(at(src, j))));
      for (; j < n; j++) store<f32>(at(dst, j), f32x4.extract_lane(Act.tanh(f32x4.splat(load<f32>(at(src, j)))), 0));
      return;
    case RELU:
      for (; j + 4 <= n; j += 4) v128.store(at(dst, j), Act.relu(v128.load(at(src, j))));
      for (; j < n; j++) store<f32>(at(dst, j), f32x4.extract_lane(Act.relu(f32x4.splat(load<f32>(at(src, j)))), 0));
      return;
    case RELU6:
      for (; j + 4 <= n; j += 4) v128.store(at(dst, j), Act.relu6(v128.load(at(src, j))));
      for (; j < n; j++) store<f32>(at(dst, j), f32x4.extract_lane(Act.relu6(f32x4.splat(load<f32>(at(src, j)))), 0));
      return;
    case ELU:
      for (; j + 4 <= n; j += 4) v128.store(at(dst, j), Act.elu(v128.load(at(src, j))));
      for (; j < n; j++) store<f32>(at(dst, j), f32x4.extract_lane(Act.elu(f32x4.splat(load<f32>(at(src, j)))), 0));
      return;
    case SELU:
      for (; j + 4 <= n; j += 4) v128.store(at(dst, j), Act.selu(v128.load(at(src, j))));
      for (; j < n; j++) store<f32>(at(dst, j), f32x4.extract_lane(Act.selu(f32x4.splat(load<f32>(at(src, j)))), 0));
      return;
    case SOFTSIGN:
      for (; j + 4 <= n; j += 4) v128.store(at(dst, j), Act.softsign(v128.load(at(src, j))));
      for (; j < n; j++)
        store<f32>(at(dst, j), f32x4.extract_lane(Act.softsign(f32x4.splat(load<f32>(at(src, j)))), 0));
      return;
    case SOFTPLUS:
      for (; j + 4 <= n; j += 4) v128.store(at(dst, j), Act.softplus(v128.load(at(src, j))));
      for (; j < n; j++)
        store<f32>(at(dst, j), f32x4.extract_lane(Act.softplus(f32x4.splat(load<f32>(at(src, j)))), 0));
      return;
    case EXPONENTIAL:
      for (; j + 4 <= n; j += 4) v128.store(at(dst, j), Act.exponential(v128.load(at(src, j))));
      for (; j < n; j++)
        store<f32>(at(dst, j), f32x4.extract_lane(Act.exponential(f32x4.splat(load<f32>(at(src, j)))), 0));
      return;
    default:
      if (dst !== src) memory.copy(dst, src, <usize>n * 4);
  }
}

function inside(y: v128, low: f32, high: f32): v128 {
  return v128.and(f32x4.gt(y, splat(low)), f32x4.lt(y, splat(high)));
}

/** dz = dy·act′(z), from y = act(z). */
export function backprop(code: i32, dy: v128, y: v128): v128 {
  switch (code) {
    case SIGMOID:
      return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(splat(1), y)));
    case HARD_SIGMOID:
      return v128.and(f32x4.mul(dy, splat(0.2)), inside(y, 0, 1));
    case TANH:
      return f32x4.mul(dy, f32x4.sub(splat(1), f32x4.mul(y, y)));
    case RELU:
      return v128.and(dy, f32x4.gt(y, splat(0)));
    case RELU6:
      return v128.and(dy, inside(y, 0, 6));
    case ELU:
      // z ≤ 0: y = eᶻ − 1, so y′ = y + 1.
      return v128.bitselect(dy, f32x4.mul(dy, f32x4.add(y, splat(1))), f32x4.gt(y, splat(0)));
    case SELU:
      return v128.bitselect(
        f32x4.mul(dy, splat(SELU_SCALE)),
        f32x4.mul(dy, f32x4.add(y, splat(SELU_SCALE_ALPHA))),
        f32x4.gt(y, splat(0)),
      );
    case SOFTSIGN: {
      // 1 / (1 + |z|)² = (1 − |y|)².
      const s = f32x4.sub(splat(1), f32x4.abs(y));
      return f32x4.mul(dy, f32x4.mul(s, s));
    }
    case SOFTPLUS:
      // σ(z) = 1 − e^(−y).
      return f32x4.neg(f32x4.mul(dy, Lanes.expm1(f32x4.neg(y))));
    case EXPONENTIAL:
      return f32x4.mul(dy, y);
    default:
      return dy;
  }
}

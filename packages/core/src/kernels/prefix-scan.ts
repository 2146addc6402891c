/**
 * What the two linear-scan kernels share: the log-depth prefix scan in tfjs ops
 * (Hillis & Steele 1986, "Data parallel algorithms": ⌈log₂ T⌉ rounds, each combining
 * every step with the one 2ᵏ before it), the time-axis bookkeeping and the input checks.
 * Tensors are viewed as `[B, T, F]`, F the product of the trailing axes (1 when none).
 */
import * as tf from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';
import { expectFloatTensor, expectOptionalShape, expectShape } from './check.js';
import type { CompleteInputs, ExampleSource, TensorMap } from './descriptor.js';

/** One step's map h ↦ first ∘ h, as the pair of coefficients the combine composes. */
export type StepPair = {
  readonly first: tf.Tensor3D;
  readonly second: tf.Tensor3D;
};

/** An associative composition of step maps, with its identity. */
export interface Composition {
  readonly identity: readonly [number, number];
  /** The map "`earlier`, then `later`". */
  combine(later: StepPair, earlier: StepPair): StepPair;
}

/** h ↦ a⊙h + b: (a, b) then (a', b') is (a'a, a'b + b'). */
export const AFFINE: Composition = {
  identity: [1, 0],
  combine: (later, earlier) => ({
    first: tf.mul(later.first, earlier.first),
    second: tf.add(tf.mul(later.first, earlier.second), later.second),
  }),
};

/** log h ↦ logaddexp(log a + log h, log b): the affine map of positive values, in logs. */
export const LOG_AFFINE: Composition = {
  identity: [0, -Infinity],
  combine: (later, earlier) => ({
    first: tf.add(later.first, earlier.first),
    second: logAddExp(tf.add(later.first, earlier.second), later.second),
  }),
};

/**
 * log(eˣ + eʸ) = max + log1p(e^−|x − y|), and −∞ when both are −∞, selected rather than
 * computed: there |x − y| is −∞ − (−∞) = NaN, and GPU backends need not give log 0 = −∞.
 */
export function logAddExp(x: tf.Tensor, y: tf.Tensor): tf.Tensor3D {
  const top = tf.maximum(x, y);
  const sum = tf.add(top, tf.log1p(tf.exp(tf.neg(tf.abs(tf.sub(x, y))))));
  return tf.where(tf.equal(top, -Infinity), top, sum) as tf.Tensor3D;
}

/** `x` delayed by `steps` along time, the first `steps` filled with `value`. */
export function delay(x: tf.Tensor3D, steps: number, value: number): tf.Tensor3D {
  const [batch, time, features] = x.shape;
  const fill = tf.fill([batch, Math.min(steps, time), features], value);
  if (steps >= time) return fill as tf.Tensor3D;
  return tf.concat([fill, tf.slice(x, [0, 0, 0], [batch, time - steps, features])], 1) as tf.Tensor3D;
}

/** `x` advanced by one step along time, the last filled with `value`. */
export function advance(x: tf.Tensor3D, value: number): tf.Tensor3D {
  const [batch, time, features] = x.shape;
  const fill = tf.fill([batch, 1, features], value);
  return tf.concat([tf.slice(x, [0, 1, 0], [batch, time - 1, features]), fill], 1) as tf.Tensor3D;
}

/** Inclusive prefix composition along time: pair t becomes steps 0…t composed. */
export function prefixScan(steps: StepPair, composition: Composition): StepPair {
  const time = steps.first.shape[1];
  let scanned = steps;
  for (let offset = 1; offset < time; offset *= 2) {
    const current = scanned;
    // One round at a time keeps two pairs alive, not ⌈log₂ T⌉ rounds of temporaries.
    scanned = tf.tidy(() =>
      composition.combine(current, {
        first: delay(current.first, offset, composition.identity[0]),
        second: delay(current.second, offset, composition.identity[1]),
      }),
    );
    if (current !== steps) tf.dispose([current.first, current.second]);
  }
  return scanned;
}

/** `[B, ...rest]`: the shape of one step's state. */
export function stateShape(steps: tf.Tensor): number[] {
  return steps.shape.filter((_, axis) => axis !== 1);
}

/** `[B, T, ...rest]` → `[B, T, F]`, time reversed when the steps run backwards. */
export function stepsInOrder(x: tf.Tensor, reverse: boolean): tf.Tensor3D {
  const [batch, time] = x.shape as [number, number];
  const flat = tf.reshape(x, [batch, time, -1]) as tf.Tensor3D;
  return reverse ? tf.reverse(flat, 1) : flat;
}

/** `[B, ...rest]` → `[B, 1, F]`. */
export function stateAsStep(h: tf.Tensor): tf.Tensor3D {
  return tf.reshape(h, [h.shape[0] as number, 1, -1]) as tf.Tensor3D;
}

/** The processing-order `[B, T, F]` result back to `[B, T, ...rest]` in input time. */
export function inInputTime(x: tf.Tensor3D, reverse: boolean, shape: readonly number[]): tf.Tensor {
  return tf.reshape(reverse ? tf.reverse(x, 1) : x, [...shape]);
}

/** Step `t` of `[B, T, F]`, as `[B, 1, F]`. */
export function stepAt(x: tf.Tensor3D, t: number): tf.Tensor3D {
  const [batch, , features] = x.shape;
  return tf.slice(x, [0, t, 0], [batch, 1, features]);
}

/** `[B, T, 1]` in processing order: 1 at real steps, 0 at padded ones. */
export function realSteps(mask: tf.Tensor2D, reverse: boolean): tf.Tensor3D {
  return tf.cast(tf.notEqual(stepsInOrder(mask, reverse), 0), 'float32') as tf.Tensor3D;
}

/** `x` at real steps, `value` at padded ones (selected, so a NaN at a padded step does not leak). */
export function atRealSteps(real: tf.Tensor3D | undefined, x: tf.Tensor3D, value: number): tf.Tensor3D {
  if (real === undefined) return x;
  const keep = tf.notEqual(tf.broadcastTo(real, x.shape), 0);
  return tf.where(keep, x, tf.fill(x.shape, value)) as tf.Tensor3D;
}

/** `dh` with `dhT` added at the last processed step. */
export function withFinalGradient(dh: tf.Tensor3D, dhT: tf.Tensor): tf.Tensor3D {
  const [batch, time, features] = dh.shape;
  const last = tf.add(stepAt(dh, time - 1), stateAsStep(dhT));
  if (time === 1) return last as tf.Tensor3D;
  return tf.concat([tf.slice(dh, [0, 0, 0], [batch, time - 1, features]), last], 1) as tf.Tensor3D;
}

/**
 * g_t = dh_t + carry_{t+1} ⊙ g_{t+1} over processing order: the forward recurrence run
 * backwards, as a prefix scan on reversed time. `carry` is each step's own coefficient.
 */
export function backwardRecurrence(carry: tf.Tensor3D, dh: tf.Tensor3D): tf.Tensor3D {
  const back = (x: tf.Tensor3D) => tf.reverse(x, 1) as tf.Tensor3D;
  return back(prefixScan({ first: back(advance(carry, 1)), second: back(dh) }, AFFINE).second);
}

/** Each step's starting state in processing order: `h0` (or `empty`), then the states before. */
export function previousSteps(states: tf.Tensor3D, initial: tf.Tensor | undefined, empty: number): tf.Tensor3D {
  if (initial === undefined) return delay(states, 1, empty);
  const [batch, time, features] = states.shape;
  const first = stateAsStep(initial);
  if (time === 1) return first;
  return tf.concat([first, tf.slice(states, [0, 0, 0], [batch, time - 1, features])], 1) as tf.Tensor3D;
}

/** Attributes of both scan kernels. */
export interface ScanAttrs {
  /** Steps run from t = T−1 down to 0; outputs stay indexed by input time. */
  readonly reverse: boolean;
}

/** The two step inputs and the state of a scan kernel, by name (`a`, `b`, `h0`). */
export type ScanNames = readonly [steps: string, other: string, state: string];

/** Ranges of the example's random step inputs and state. */
export type ScanRanges = readonly [readonly [number, number], readonly [number, number], readonly [number, number]];

/**
 * The parts both scan descriptors share: checks (two step tensors of one shape
 * `[B, T, ...rest]`, the state `[B, ...rest]`, the mask `[B, T]`, `reverse`), the state
 * `empty` filled in when absent (its value for h0 = 0), and random examples of rank 2 to 4.
 */
export function scanDescriptorParts<In extends TensorMap, Attrs extends ScanAttrs>(
  kernel: string,
  names: ScanNames,
  empty: number,
  ranges: ScanRanges,
) {
  const [stepsName, otherName, stateName] = names;
  return {
    validate(inputs: In, attrs: Attrs): void {
      const a = expectFloatTensor(kernel, stepsName, inputs[stepsName], 2, true);
      expectShape(kernel, otherName, inputs[otherName], a.shape);
      const [batch, time, ...rest] = a.shape as [number, number, ...number[]];
      expectOptionalShape(kernel, stateName, inputs[stateName], [batch, ...rest]);
      expectOptionalShape(kernel, 'mask', inputs.mask, [batch, time]);
      const reverse = (attrs as { reverse?: unknown } | null)?.reverse;
      if (typeof reverse !== 'boolean')
        throw badArgument('BAD_CONFIG', `${kernel} attrs.reverse`, 'a boolean', reverse);
    },
    complete(inputs: In): CompleteInputs<In> {
      const steps = inputs[stepsName] as tf.Tensor;
      const [batch, time] = steps.shape as [number, number];
      const state = inputs[stateName] ?? tf.fill(stateShape(steps), empty);
      const completed = { ...inputs, [stateName]: state, mask: inputs.mask ?? tf.ones([batch, time]) };
      return completed as unknown as CompleteInputs<In>;
    },
    example(source: ExampleSource): { inputs: In; attrs: Attrs } {
      const batch = source.int('batch', 1, 5);
      const time = source.int('time', 1, 9);
      const rest = Array.from({ length: source.int('restRank', 0, 2) }, (_, i) => source.int(`rest${i}`, 1, 5));
      const shape = [batch, time, ...rest];
      const [steps, other, state] = ranges;
      const inputs = {
        [stepsName]: source.uniform(shape, ...steps),
        [otherName]: source.uniform(shape, ...other),
        [stateName]: source.bool('initial') ? source.uniform([batch, ...rest], ...state) : undefined,
        mask: source.bool('masked') ? source.mask(batch, time) : undefined,
      };
      return { inputs: inputs as unknown as In, attrs: { reverse: source.bool('reverse') } as Attrs };
    },
  };
}

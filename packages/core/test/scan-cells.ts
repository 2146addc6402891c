/**
 * Plain Elman / LSTM / GRU cells for the scan and kernel tests, written step by step with
 * tf ops so the tests do not depend on @recur/cells. `fused: true` adds a `sequence`
 * that runs the whole-sequence kernel (as @recur/cells' cells do); `fused: false` is the
 * same cell without it (scan steps it): the oracle. Both check their params once.
 */
import {
  badArgument,
  type Carry,
  type Cell,
  elmanSequence,
  getActivation,
  gruSequence,
  lstmSequence,
  type Rng,
  SEQUENCE_KERNEL_ACTIVATIONS,
  type SequenceOptions,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { runKernel } from '../src/kernels/dispatch.js';

export type Kind = 'elman' | 'lstm' | 'gru';

export interface TestCellOptions {
  readonly inputSize: number;
  readonly units: number;
  readonly activation?: string;
  readonly recurrentActivation?: string;
  /** GRU only. */
  readonly resetAfter?: boolean;
  /** GRU with resetAfter: a `[2, 3H]` bias (input and recurrent, as Keras). */
  readonly splitBias?: boolean;
  readonly fused: boolean;
}

export type RnnParams = { kernel: tf.Tensor2D; recurrentKernel: tf.Tensor2D; bias: tf.Tensor };

const kernelActivations: readonly string[] = SEQUENCE_KERNEL_ACTIVATIONS;
const GATES: Record<Kind, number> = { elman: 1, lstm: 4, gru: 3 };
const KERNEL = { elman: elmanSequence, lstm: lstmSequence, gru: gruSequence } as const;

/** A tensor of N(0, scale²) values from `rng`. The caller owns it. */
export function randn(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => rng.normal() * scale),
    shape,
  );
}

export function testCell(kind: Kind, options: TestCellOptions): Cell<Carry, RnnParams> {
  const { inputSize, units, fused } = options;
  const activation = options.activation ?? 'tanh';
  const recurrentActivation = options.recurrentActivation ?? 'sigmoid';
  const resetAfter = options.resetAfter ?? false;
  const act = getActivation(activation);
  const sigma = getActivation(recurrentActivation);
  const g = GATES[kind];
  const attrs: Record<string, string | boolean> = { activation };
  if (kind !== 'elman') attrs.recurrentActivation = recurrentActivation;
  if (kind === 'gru') attrs.resetAfter = resetAfter;
  const biasShape = kind === 'gru' && resetAfter && options.splitBias ? [2, g * units] : [g * units];
  const step = (params: RnnParams, carry: Carry, x: tf.Tensor2D): { carry: Carry; y: tf.Tensor2D } =>
    tf.tidy((): { carry: Carry; y: tf.Tensor2D } => {
      const { kernel: w, recurrentKernel: u, bias } = params;
      const h = carry.h as tf.Tensor2D;
      if (kind === 'elman') {
        const next = act(tf.add(tf.add(tf.matMul(x, w), tf.matMul(h, u)), bias)) as tf.Tensor2D;
        return { carry: { h: next }, y: next };
      }
      if (kind === 'lstm') {
        const z = tf.add(tf.add(tf.matMul(x, w), tf.matMul(h, u)), bias);
        const [i, f, c, o] = tf.split(z, 4, 1) as tf.Tensor2D[];
        const cNew = tf.add(
          tf.mul(sigma(f as tf.Tensor), carry.c as tf.Tensor2D),
          tf.mul(sigma(i as tf.Tensor), act(c as tf.Tensor)),
        ) as tf.Tensor2D;
        const hNew = tf.mul(sigma(o as tf.Tensor), act(cNew)) as tf.Tensor2D;
        return { carry: { h: hNew, c: cNew }, y: hNew };
      }
      const [bx, bh] = bias.rank === 2 ? (tf.unstack(bias) as tf.Tensor1D[]) : [bias, undefined];
      const xw = tf.split(tf.add(tf.matMul(x, w), bx as tf.Tensor), 3, 1);
      const uParts = tf.split(u, 3, 1) as tf.Tensor2D[];
      const hu = (k: number) => tf.matMul(h, uParts[k] as tf.Tensor2D);
      const bhPart = (k: number) => (bh === undefined ? tf.scalar(0) : tf.slice(bh, k * units, units));
      const z = sigma(tf.add(tf.add(xw[0] as tf.Tensor, hu(0)), bhPart(0)));
      const r = sigma(tf.add(tf.add(xw[1] as tf.Tensor, hu(1)), bhPart(1)));
      const candidate = resetAfter
        ? act(tf.add(xw[2] as tf.Tensor, tf.mul(r, tf.add(hu(2), bhPart(2)))))
        : act(tf.add(xw[2] as tf.Tensor, tf.matMul(tf.mul(r, h) as tf.Tensor2D, uParts[2] as tf.Tensor2D)));
      const hNew = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate)) as tf.Tensor2D;
      return { carry: { h: hNew }, y: hNew };
    });
  const shapes: Record<keyof RnnParams, number[]> = {
    kernel: [inputSize, g * units],
    recurrentKernel: [units, g * units],
    bias: biasShape,
  };
  const sequence = (params: RnnParams, xs: tf.Tensor3D, carry0: Carry, o: SequenceOptions) => {
    const inputs = { x: xs, ...params, h0: carry0.h, c0: carry0.c, mask: o.mask };
    const out = runKernel(
      KERNEL[kind] as typeof lstmSequence,
      inputs as never,
      {
        ...attrs,
        reverse: o.reverse,
        maskedOutput: o.maskedOutput,
      } as never,
    ) as { ys: tf.Tensor3D; hT: tf.Tensor2D; cT?: tf.Tensor2D };
    const carry = kind === 'lstm' ? { h: out.hT, c: out.cT } : { h: out.hT };
    return { ys: out.ys, carry: carry as Carry };
  };
  return {
    kind,
    config: options,
    inputSize,
    outputSize: units,
    checkParams(params: RnnParams) {
      for (const [key, shape] of Object.entries(shapes)) {
        const value = (params as Record<string, tf.Tensor | undefined>)[key];
        if (value?.shape.join() !== shape.join()) {
          throw badArgument('SHAPE_MISMATCH', `params.${key}`, `shape [${shape.join(', ')}]`, value);
        }
      }
    },
    // As @recur/cells' cells: only activations the kernels implement run fused.
    ...(fused && [activation, recurrentActivation].every((a) => kernelActivations.includes(a)) ? { sequence } : {}),
    init(rng: Rng): RnnParams {
      return {
        kernel: randn([inputSize, g * units], rng, 0.5) as tf.Tensor2D,
        recurrentKernel: randn([units, g * units], rng, 0.5) as tf.Tensor2D,
        bias: randn(biasShape, rng, 0.3),
      };
    },
    initCarry(batch: number): Carry {
      const h = tf.zeros([batch, units]) as tf.Tensor2D;
      return kind === 'lstm' ? { h, c: tf.zeros([batch, units]) as tf.Tensor2D } : { h };
    },
    step,
  };
}

/** The same cell with and without its sequence kernel, sharing one set of params. */
export function cellPair(kind: Kind, options: Omit<TestCellOptions, 'fused'>) {
  return { fused: testCell(kind, { ...options, fused: true }), stepped: testCell(kind, { ...options, fused: false }) };
}

/** A random carry for `cell` with `batch` rows. The caller owns it. */
export function randomCarry(kind: Kind, batch: number, units: number, rng: Rng): Carry {
  const h = randn([batch, units], rng, 0.5) as tf.Tensor2D;
  return kind === 'lstm' ? { h, c: randn([batch, units], rng, 0.5) as tf.Tensor2D } : { h };
}

/** Steps `cell` by hand over `xs` from t = 0 (no padding): outputs `[B, T, H]` and the final carry. */
export function stepByHand(cell: Cell<Carry, RnnParams>, params: RnnParams, xs: tf.Tensor3D, initial?: Carry) {
  return tf.tidy(() => {
    let carry = initial ?? cell.initCarry(xs.shape[0]);
    const ys: tf.Tensor2D[] = [];
    for (const x of tf.unstack(xs, 1)) {
      const out = cell.step(params, carry, x as tf.Tensor2D);
      carry = out.carry;
      ys.push(out.y);
    }
    return { outputs: tf.stack(ys, 1), carry };
  });
}

/** Disposes every tensor in a scan result or a record of tensors. */
export function release(...things: unknown[]): void {
  tf.dispose(things as tf.TensorContainer[]);
}

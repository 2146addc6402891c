/**
 * A kernel case's values: what the parity harness (sequence-kernels.ts) compares, and
 * what tests that compare two configurations of one backend read. Apart from the harness
 * because it imports nothing from vitest, so a Web Worker can run it too (vitest's
 * `expect` only works where vitest runs the test).
 */
import { type AnyKernelDescriptor, runKernel } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { type ExamplePins, exampleSource } from './example-source.js';

export interface KernelCase {
  readonly descriptor: AnyKernelDescriptor;
  readonly seed: number;
  /** Draws of the descriptor's example to pin (`{ batch: 6, reverse: true }`). */
  readonly pins?: ExamplePins;
}

/**
 * Visible outputs, then the gradients of a random linear function of them w.r.t. each
 * differentiable input (`skipFirst`: each but the first), as arrays: what the parity
 * harness compares, for tests that compare two configurations of one backend (thread
 * counts, builds).
 */
export function kernelCaseValues(c: KernelCase, skipFirst = false): number[][] {
  return tf.tidy(() => {
    const d = c.descriptor;
    const { inputs, attrs } = d.example(exampleSource(c.seed, c.pins));
    const all = d.differentiable.filter((name) => inputs[name] !== undefined);
    // Without the first (`x` of the sequence kernels): core asks the backward to skip its gradient.
    const names = skipFirst ? all.slice(1) : all;
    const source = exampleSource(c.seed + 1);
    let probes: tf.Tensor[] = [];
    const f = (...xs: tf.Tensor[]) => {
      const given = { ...inputs, ...Object.fromEntries(names.map((name, i) => [name, xs[i]])) };
      const outs = runKernel(d, given as never, attrs as never) as Record<string, tf.Tensor>;
      const visible = d.outputs.map((name) => outs[name] as tf.Tensor);
      if (probes.length === 0) probes = visible.map((o) => source.uniform(o.shape, -1, 1));
      return tf.addN(visible.map((o, i) => tf.sum(tf.mul(o, probes[i] as tf.Tensor)))) as tf.Scalar;
    };
    const outs = runKernel(d, inputs as never, attrs as never) as Record<string, tf.Tensor>;
    // A kernel with no differentiable input (Adam's update) has outputs alone.
    const grads = names.length === 0 ? [] : tf.grads(f)(names.map((name) => inputs[name] as tf.Tensor));
    return [...d.outputs.map((name) => outs[name] as tf.Tensor), ...grads].map((t) => Array.from(t.dataSync()));
  });
}

/**
 * The visible outputs of `c` with its mask cast from bool to float32, as `scan` passes a
 * user's mask, or undefined for a kernel without a mask. tfjs' cpu backend casts without
 * a copy, so the float32 tensor keeps its one-byte `Uint8Array`: tests of code that reads
 * the arrays itself must cover it.
 */
export function castMaskOutputs(c: KernelCase): number[][] | undefined {
  return tf.tidy(() => {
    const d = c.descriptor;
    const { inputs, attrs } = d.example(exampleSource(c.seed, c.pins));
    const mask = (inputs as Record<string, tf.Tensor | undefined>).mask;
    if (mask === undefined) return undefined;
    const outs = runKernel(
      d,
      { ...inputs, mask: tf.cast(tf.cast(mask, 'bool'), 'float32') } as never,
      attrs as never,
    ) as Record<string, tf.Tensor>;
    return d.outputs.map((name) => Array.from((outs[name] as tf.Tensor).dataSync()));
  });
}

import { type AnyKernelDescriptor, KERNEL_DESCRIPTORS, runKernel } from '@recur/core';
import type { BackendKernel } from '@recur/core/kernel-api';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { type ExamplePins, exampleSource } from './example-source.js';
import { expectClose } from './tolerance.js';

/**
 * The parity harness every backend's fused kernels are held to: for each descriptor in
 * `KERNEL_DESCRIPTORS`, its own random example inputs (shapes, masks, directions,
 * attributes), then the outputs and the gradients of a random linear function of them
 * with respect to every differentiable input, fused against core's reference.
 */
export interface KernelCase {
  readonly descriptor: AnyKernelDescriptor;
  readonly seed: number;
  /** Draws of the descriptor's example to pin (`{ batch: 6, reverse: true }`). */
  readonly pins?: ExamplePins;
}

/**
 * Visible outputs, then the gradients of a random linear function of them w.r.t. each
 * differentiable input, as arrays: what the parity harness compares, for tests that
 * compare two configurations of one backend (thread counts, builds).
 */
export function kernelCaseValues(c: KernelCase): number[][] {
  return tf.tidy(() => {
    const d = c.descriptor;
    const { inputs, attrs } = d.example(exampleSource(c.seed, c.pins));
    const names = d.differentiable.filter((name) => inputs[name] !== undefined);
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

/** Registers (or removes) kernel configs for `backend`. */
export function registerKernels(configs: readonly tf.KernelConfig[], backend: string, on: boolean): void {
  for (const k of configs) {
    const present = tf.getKernel(k.kernelName, backend) != null;
    if (on && !present) tf.registerKernel(k);
    if (!on && present) tf.unregisterKernel(k.kernelName, backend);
  }
}

/**
 * Runs `c` with the reference, then with the backend's fused kernels for its descriptor
 * registered: forward within 1e-5, gradients within 1e-4, and no tensor left behind.
 * Leaves the fused kernels registered.
 */
export function expectFusedMatchesReference(c: KernelCase, kernels: readonly BackendKernel[], backend: string): void {
  const configs = kernels.find((k) => k.descriptor === c.descriptor)?.configs ?? [];
  const before = tf.memory().numTensors;
  registerKernels(configs, backend, false);
  const reference = kernelCaseValues(c);
  registerKernels(configs, backend, true);
  const fused = kernelCaseValues(c);
  expect(tf.memory().numTensors).toBe(before);
  expect(fused.length).toBe(reference.length);
  const visible = c.descriptor.outputs.length;
  for (const [i, values] of fused.entries()) {
    const tolerance = i < visible ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-4, atol: 1e-4 };
    expectClose(values, reference[i] as number[], tolerance);
  }
}

/** Random cases: every descriptor, each with its own random example (reported as `name seed N`). */
export function kernelCases(
  descriptors: readonly AnyKernelDescriptor[] = KERNEL_DESCRIPTORS,
): fc.Arbitrary<KernelCase> {
  return fc
    .record({ descriptor: fc.constantFrom(...descriptors), seed: fc.integer({ min: 0, max: 1_000_000 }) })
    .map((c) => ({ ...c, [fc.toStringMethod]: () => `${c.descriptor.name} seed ${c.seed}` }));
}

/**
 * Checks a backend's kernel list: one entry per descriptor of `KERNEL_DESCRIPTORS`, none
 * twice, each config registered under its descriptor's forward or backward name for
 * `backend`, and a fused backward only beside a fused forward.
 */
export function expectCoversEveryDescriptor(kernels: readonly BackendKernel[], backend: string): void {
  const descriptors = kernels.map((k) => k.descriptor);
  expect(new Set(descriptors).size).toBe(descriptors.length);
  expect(descriptors.map((d) => d.name).sort()).toEqual(KERNEL_DESCRIPTORS.map((d) => d.name).sort());
  for (const { descriptor, configs } of kernels) {
    expect(KERNEL_DESCRIPTORS).toContain(descriptor);
    const names = configs.map((config) => config.kernelName);
    expect(new Set(names).size).toBe(names.length);
    for (const config of configs) {
      expect([descriptor.name, descriptor.gradName]).toContain(config.kernelName);
      expect(config.backendName).toBe(backend);
    }
    if (names.includes(descriptor.gradName)) expect(names).toContain(descriptor.name);
  }
}

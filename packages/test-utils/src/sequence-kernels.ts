/**
 * The parity harness every backend's fused kernels are held to: for each descriptor in
 * `KERNEL_DESCRIPTORS`, its own random example inputs (shapes, masks, directions,
 * attributes), then the outputs and the gradients of a random linear function of them
 * with respect to every differentiable input, fused against core's reference.
 */
import { type AnyKernelDescriptor, KERNEL_DESCRIPTORS } from '@recur/core';
import type { BackendKernel } from '@recur/core/kernel-api';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { exampleSource } from './example-source.js';
import { type KernelCase, kernelCaseValues } from './kernel-case-values.js';
import { expectClose } from './tolerance.js';

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

/**
 * With `kernels` registered, the gradients of every differentiable input but the first
 * (which core then asks the backward kernel to skip) equal, bit for bit, those of a run
 * that differentiates every input: skipping a gradient changes no other.
 */
export function expectSkippingChangesNothing(c: KernelCase, kernels: readonly BackendKernel[], backend: string): void {
  const configs = kernels.find((k) => k.descriptor === c.descriptor)?.configs ?? [];
  registerKernels(configs, backend, true);
  const visible = c.descriptor.outputs.length;
  const full = kernelCaseValues(c);
  const skipping = kernelCaseValues(c, true);
  expect(skipping.slice(0, visible)).toEqual(full.slice(0, visible));
  expect(skipping.slice(visible)).toEqual(full.slice(visible + 1));
}

/**
 * `kernels`' backward of `c.descriptor` (its first differentiable input `x`), run by hand
 * on the case's forward: told to skip x (`skipGradients`), it returns zeros for dX and
 * every other gradient bit for bit as without the attribute.
 */
export function expectBackwardSkipsX(c: KernelCase, kernels: readonly BackendKernel[], backend: string): void {
  const d = c.descriptor;
  expect(d.differentiable[0]).toBe('x');
  registerKernels(kernels.find((k) => k.descriptor === d)?.configs ?? [], backend, true);
  const [full, skipped] = tf.tidy(() => {
    const { inputs, attrs } = d.example(exampleSource(c.seed, c.pins));
    const given: tf.NamedTensorMap = { ...d.complete(inputs as never) };
    const outs = tf.engine().runKernel(d.name, given, attrs as tf.NamedAttrMap) as tf.Tensor[];
    [...d.outputs, ...d.workspace].forEach((name, i) => {
      given[name] = outs[i] as tf.Tensor;
    });
    const probes = exampleSource(c.seed + 1);
    d.outputs.forEach((name, i) => {
      given[`d${name}`] = probes.uniform((outs[i] as tf.Tensor).shape, -1, 1);
    });
    const backward = (extra: object) =>
      (tf.engine().runKernel(d.gradName, given, { ...attrs, ...extra } as tf.NamedAttrMap) as tf.Tensor[]).map((t) =>
        Array.from(t.dataSync()),
      );
    return [backward({}), backward({ skipGradients: ['x'] })];
  });
  expect(full[0]?.some((v) => v !== 0)).toBe(true);
  expect(skipped[0]?.every((v) => v === 0)).toBe(true);
  expect(skipped.slice(1)).toEqual(full.slice(1));
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

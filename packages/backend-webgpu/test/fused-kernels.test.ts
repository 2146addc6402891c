/**
 * The fused WGSL kernels against core's reference (the shared parity harness: forward
 * within 1e-5, gradients within 1e-4), in Node on Dawn and in headless Chromium (the
 * browser project runs this file too). Every dispatch on a software GPU is slow, so the
 * cases are few and small, chosen to cover what each kernel branches on.
 */
import { WEBGPU_KERNELS, webgpu } from '@recur/backend-webgpu';
import {
  type AnyKernelDescriptor,
  gruSequence,
  linearScan,
  lstmSequence,
  RecurError,
  runKernel,
  SEQUENCE_KERNEL_ACTIVATIONS,
  useBackend,
} from '@recur/core';
import {
  checkLeaks,
  type ExamplePins,
  exampleSource,
  expectCoversEveryDescriptor,
  expectFusedMatchesReference,
  type KernelCase,
  kernelCases,
  registerKernels,
} from '@recur/test-utils';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSteps } from '../src/kernels/program.js';

const FUSED: readonly AnyKernelDescriptor[] = [lstmSequence, gruSequence, linearScan];
const expectMatch = (c: KernelCase) => expectFusedMatchesReference(c, WEBGPU_KERNELS, 'webgpu');

interface Counted {
  runWebGPUProgram(...args: unknown[]): unknown;
  numDataIds(): number;
}

/** The shader keys of the GPU programs `fn` dispatches, tfjs' own and Recur's (`recur_…`). */
function dispatches(fn: () => unknown): string[] {
  const backend = tf.backend() as unknown as Counted;
  const original = backend.runWebGPUProgram;
  const keys: string[] = [];
  backend.runWebGPUProgram = (...args: unknown[]) => {
    keys.push(String((args[0] as { shaderKey: string }).shaderKey));
    return original.apply(backend, args);
  };
  try {
    fn();
  } finally {
    backend.runWebGPUProgram = original;
  }
  return keys;
}

/**
 * Runs the forward and, when `withGradients`, the backward of `descriptor` on its example
 * for `pins`; returns the GPU programs they dispatched (the example's own excluded).
 */
function runOnce(descriptor: AnyKernelDescriptor, pins: ExamplePins, withGradients: boolean): string[] {
  return tf.tidy(() => {
    const { inputs, attrs } = descriptor.example(exampleSource(5, pins));
    const names = descriptor.differentiable.filter((name) => inputs[name] !== undefined);
    const outputs = (...xs: tf.Tensor[]) => {
      const given = { ...inputs, ...Object.fromEntries(names.map((name, i) => [name, xs[i]])) };
      return runKernel(descriptor, given as never, attrs as never) as Record<string, tf.Tensor>;
    };
    const total = (...xs: tf.Tensor[]) => {
      const outs = outputs(...xs);
      return tf.addN(descriptor.outputs.map((name) => tf.sum(outs[name] as tf.Tensor))) as tf.Scalar;
    };
    const given = names.map((name) => inputs[name] as tf.Tensor);
    return dispatches(() => (withGradients ? tf.grads(total)(given) : outputs(...given)));
  });
}

describe('webgpu fused kernels', () => {
  beforeAll(async () => {
    await useBackend(webgpu);
  });
  checkLeaks();

  describe('against the reference', () => {
    it('should match forward within 1e-5 and gradients within 1e-4 over random shapes, masks and directions', () => {
      fc.assert(fc.property(kernelCases(FUSED), expectMatch), { numRuns: 6, seed: 42 });
    });

    it('should match at T = 1 and odd T, with masks, reverse and initial states, in every variant', () => {
      const shapes = [
        { time: 1, masked: true, initial: true, reverse: false, maskedOutput: 'zeros' },
        { time: 5, masked: true, initial: true, reverse: true, maskedOutput: 'previous' },
        { time: 3, masked: false, initial: false, reverse: false, maskedOutput: 'previous' },
      ];
      const variants: ExamplePins[] = [
        { resetAfter: false },
        { resetAfter: true, recurrentBias: true },
        { resetAfter: true, recurrentBias: false },
      ];
      shapes.forEach((pins, i) => {
        expectMatch({ descriptor: lstmSequence, seed: 1, pins });
        expectMatch({ descriptor: linearScan, seed: 2, pins: { ...pins, restRank: 2 } });
        expectMatch({ descriptor: gruSequence, seed: 3, pins: { ...pins, ...variants[i] } });
      });
    });

    it('should match with every activation the kernels accept, as candidate and as gate', () => {
      SEQUENCE_KERNEL_ACTIVATIONS.forEach((activation, i) => {
        const n = SEQUENCE_KERNEL_ACTIVATIONS.length;
        const recurrentActivation = SEQUENCE_KERNEL_ACTIVATIONS[(i + 3) % n] as string;
        // Through the recurrence an exponential grows as exp(exp(·)): one step keeps the
        // comparison about the kernels rather than the conditioning.
        const explosive = activation === 'exponential' || recurrentActivation === 'exponential';
        const pins = { time: explosive ? 1 : 3, scale: 0.25, masked: true, activation, recurrentActivation };
        // Each activation once as candidate and once as gate, LSTM and both GRUs in turn.
        if (i % 3 === 0) expectMatch({ descriptor: lstmSequence, seed: i, pins });
        else expectMatch({ descriptor: gruSequence, seed: i, pins: { ...pins, resetAfter: i % 3 === 1 } });
      });
    });

    it('should scan past one chunk per lane and loop over units past one workgroup', () => {
      // 64 lanes per workgroup: T = 150 gives chunks of 3 steps, the last lanes empty.
      for (const reverse of [false, true]) {
        const pins = { batch: 2, time: 150, restRank: 1, rest0: 3, masked: true, initial: true, reverse };
        expectMatch({ descriptor: linearScan, seed: 4, pins });
      }
      const wide = { batch: 2, time: 3, input: 4, units: 70, masked: true, scale: 0.2 };
      expectMatch({ descriptor: lstmSequence, seed: 6, pins: { ...wide, reverse: true } });
      expectMatch({ descriptor: gruSequence, seed: 6, pins: { ...wide, resetAfter: false } });
      expectMatch({ descriptor: gruSequence, seed: 6, pins: { ...wide, resetAfter: true, recurrentBias: true } });
    });
  });

  describe('inputs held in i32 buffers', () => {
    it('should read a mask cast from bool and an input cast from int32 as their float twins', () => {
      for (const descriptor of FUSED) {
        const [viewed, plain] = tf.tidy(() => {
          const pins = { time: 4, masked: true, initial: true, input: 3 };
          const { inputs, attrs } = descriptor.example(exampleSource(8, pins));
          const mask = inputs.mask as tf.Tensor;
          const first = descriptor.inputs[0] as string;
          // Integer values, so the int32 view and the float copy hold the same numbers.
          const whole = tf.round(tf.mul(inputs[first] as tf.Tensor, 4));
          const views = {
            mask: tf.cast(tf.greater(mask, 0.5), 'float32'),
            [first]: tf.cast(tf.cast(whole, 'int32'), 'float32'),
          };
          const copies = { mask: tf.add(mask, 0), [first]: whole };
          const run = (given: object) => {
            const outs = runKernel(descriptor, { ...inputs, ...given } as never, attrs as never) as Record<
              string,
              tf.Tensor
            >;
            return descriptor.outputs.map((name) => Array.from((outs[name] as tf.Tensor).dataSync()));
          };
          return [run(views), run(copies)];
        });
        expect(viewed).toEqual(plain);
      }
    });
  });

  describe('dispatches', () => {
    const count = (descriptor: AnyKernelDescriptor, time: number, withGradients: boolean) =>
      runOnce(descriptor, { time, batch: 2, units: 3, masked: true }, withGradients).length;

    it('should run the recurrent kernels as one dispatch per step forward and one per step backward', () => {
      for (const descriptor of [lstmSequence, gruSequence]) {
        expect(count(descriptor, 8, false) - count(descriptor, 4, false)).toBe(4);
        expect(count(descriptor, 8, true) - count(descriptor, 4, true)).toBe(8);
      }
    });

    it('should run the linear scan as one scan dispatch forward and one backward, whatever T', () => {
      for (const time of [3, 150]) {
        const keys = runOnce(linearScan, { time, masked: true, initial: true, reverse: false }, true);
        const scans = keys.filter((k) => k.startsWith('recur_'));
        expect(scans).toEqual(['recur_linear_scan_forward_false', 'recur_linear_scan_backward_false']);
      }
    });

    it('should release every intermediate buffer', () => {
      const backend = tf.backend() as unknown as Counted;
      for (const descriptor of FUSED) {
        const before = backend.numDataIds();
        runOnce(descriptor, { time: 4, masked: true, initial: true }, true);
        expect(backend.numDataIds()).toBe(before);
      }
    });
  });

  describe('plug-in kernel list', () => {
    it('should list each core descriptor once and report the WGSL kernels as fused', () => {
      expectCoversEveryDescriptor(WEBGPU_KERNELS, 'webgpu');
      const names = WEBGPU_KERNELS.flatMap((k) => k.configs.map((c) => c.kernelName));
      expect(names).toEqual(FUSED.flatMap((d) => [d.name, d.gradName]));
      for (const name of names) expect(tf.getKernel(name, 'webgpu')).toBeDefined();
      expect(webgpu.capabilities().fusedKernels).toEqual(names);
    });

    it('should leave core reference kernels when the fused ones are removed', () => {
      const configs = WEBGPU_KERNELS.flatMap((k) => [...k.configs]);
      registerKernels(configs, 'webgpu', false);
      try {
        expect(webgpu.capabilities().fusedKernels).toEqual([]);
      } finally {
        registerKernels(configs, 'webgpu', true);
      }
    });
  });

  describe('input checks', () => {
    it('should refuse a tensor whose shape disagrees with x and h0, naming it', () => {
      const call = () =>
        tf.tidy(() =>
          tf.engine().runKernel(
            lstmSequence.name,
            {
              x: tf.zeros([2, 3, 4]),
              kernel: tf.zeros([4, 8]),
              recurrentKernel: tf.zeros([2, 8]),
              bias: tf.zeros([8]),
              h0: tf.zeros([2, 2]),
              c0: tf.zeros([2, 2]),
              mask: tf.ones([3, 2]),
            },
            { activation: 'tanh', recurrentActivation: 'sigmoid', reverse: false, maskedOutput: 'zeros' },
          ),
        );
      expect(call).toThrow(RecurError);
      expect(call).toThrow(/'mask'.*shape \[2, 3\].*\[3, 2\]/);
    });

    it('should refuse a workspace larger than one storage binding of the device, saying so', () => {
      const small = { device: { limits: { maxStorageBufferBindingSize: 1024 } } } as unknown as WebGPUBackend;
      const spec = { key: 'lstm_forward_tanh_sigmoid', inputs: [], uniforms: [], workgroups: 1, code: '' };
      expect(() => runSteps(small, spec, [], 257, [])).toThrow(RecurError);
      expect(() => runSteps(small, spec, [], 257, [])).toThrow(
        /1028 bytes exceeds .*maxStorageBufferBindingSize \(1024/,
      );
    });
  });
});

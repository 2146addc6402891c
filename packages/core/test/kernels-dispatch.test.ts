import {
  type AnyKernelDescriptor,
  elmanSequence,
  gruSequence,
  hasFusedKernel,
  KERNEL_DESCRIPTORS,
  lstmSequence,
  RecurElmanSequence,
  RecurGruSequence,
  RecurLstmSequence,
  Rng,
  scan,
} from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { caseInputs, caseLoss, makeCase, useReferenceKernels } from './kernels-cases.js';
import type { Kind } from './scan-cells.js';
import { cellPair, randn, release } from './scan-cells.js';

const KERNELS: [Kind, AnyKernelDescriptor][] = [
  ['elman', elmanSequence],
  ['lstm', lstmSequence],
  ['gru', gruSequence],
];

/**
 * Registers `d`'s reference forward (or backward) under its kernel name for the active
 * backend, as a plug-in's fused kernel would, counting calls.
 */
function fakeKernel(d: AnyKernelDescriptor, which: 'forward' | 'backward') {
  const backendName = tf.getBackend();
  const name = which === 'forward' ? d.name : d.gradName;
  const seen = { calls: 0, inputs: [] as string[], attrs: {} as tf.NamedAttrMap, workspaceShapes: [] as number[][] };
  tf.registerKernel({
    kernelName: name,
    backendName,
    kernelFunc: ({ inputs, attrs }) => {
      seen.calls++;
      seen.inputs = Object.keys(inputs).sort();
      seen.attrs = attrs ?? {};
      if (which === 'backward') {
        const grads = d.referenceGrad(inputs as never, attrs as never);
        return d.differentiable.map((n) => grads[n] as tf.Tensor);
      }
      const outputs = d.reference(inputs as never, attrs as never);
      seen.workspaceShapes = d.workspace.map((n) => (outputs[n] as tf.Tensor).shape);
      return [...d.outputs, ...d.workspace].map((n) => outputs[n] as tf.Tensor);
    },
  });
  return { seen, unregister: () => tf.unregisterKernel(name, backendName) };
}

describe('KERNEL_DESCRIPTORS', () => {
  it('should name every kernel and its backward once', () => {
    const names = KERNEL_DESCRIPTORS.flatMap((d) => [d.name, d.gradName]);
    expect(new Set(names).size).toBe(names.length);
    for (const name of [
      RecurLstmSequence,
      RecurGruSequence,
      RecurElmanSequence,
      'RecurLinearScan',
      'RecurLogLinearScan',
      'RecurWkvSequence',
    ]) {
      expect(names).toContain(name);
      expect(names).toContain(`${name}Grad`);
    }
  });

  it('should list each differentiable input among the inputs, and never the mask', () => {
    for (const d of KERNEL_DESCRIPTORS) {
      for (const name of d.differentiable) expect(d.inputs).toContain(name);
      expect(d.differentiable).not.toContain('mask');
      for (const name of d.savedOutputs) expect(d.outputs).toContain(name);
    }
  });
});

describeBackends('sequence kernel dispatch', () => {
  checkLeaks();
  useReferenceKernels();

  describe.each(KERNELS)('%s', (kind, descriptor) => {
    const scenario = { batch: 3, time: 4, mask: 'holes', initial: true, reverse: true } as const;

    it('should run a kernel the backend registers, and the reference again once it is unregistered', () => {
      const c = makeCase(kind, { resetAfter: true }, scenario, 61);
      const opts = { ...c.options, initialState: c.initial };
      const reference = scan(c.fused, c.params, c.xs, opts);
      expect(hasFusedKernel(descriptor)).toBe(false);
      const fake = fakeKernel(descriptor, 'forward');
      try {
        expect(hasFusedKernel(descriptor)).toBe(true);
        const fused = scan(c.fused, c.params, c.xs, opts);
        expect(fake.seen.calls).toBe(1);
        expectClose(fused.outputs, reference.outputs, { rtol: 0, atol: 0 });
        expectClose(fused.state?.h as tf.Tensor, reference.state?.h as tf.Tensor, { rtol: 0, atol: 0 });
        expect(fake.seen.attrs).toMatchObject({ reverse: true, maskedOutput: 'previous', activation: 'tanh' });
        // No mask given: the registry contract still hands the kernel one (all ones).
        const unmasked = scan(c.fused, c.params, c.xs);
        expect(fake.seen.inputs).toContain('mask');
        expect(fake.seen.inputs).toEqual(
          ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'mask', ...(kind === 'lstm' ? ['c0'] : [])].sort(),
        );
        release(fused, unmasked);
      } finally {
        fake.unregister();
      }
      const again = scan(c.fused, c.params, c.xs, opts);
      expect(fake.seen.calls).toBe(2);
      expectClose(again.outputs, reference.outputs, { rtol: 0, atol: 0 });
      release(reference, again);
      c.dispose();
    });

    it('should differentiate a registered forward through the registered backward, or the reference one', () => {
      const c = makeCase(kind, { resetAfter: true }, scenario, 62);
      const gradients = () => tf.tidy(() => tf.grads(caseLoss(c, kind, true))(caseInputs(c, kind)));
      const expected = gradients();
      const fakeForward = fakeKernel(descriptor, 'forward');
      try {
        // Forward registered, backward not: the reference backward runs on its workspace.
        const viaReferenceBackward = gradients();
        expect(fakeForward.seen.calls).toBe(1);
        viaReferenceBackward.forEach((g, i) => {
          expectClose(g, expected[i] as tf.Tensor, { rtol: 1e-6, atol: 1e-7 });
        });
        const fakeBackward = fakeKernel(descriptor, 'backward');
        try {
          const viaRegisteredBackward = gradients();
          expect(fakeBackward.seen.calls).toBe(1);
          viaRegisteredBackward.forEach((g, i) => {
            expectClose(g, expected[i] as tf.Tensor, { rtol: 1e-6, atol: 1e-7 });
          });
          tf.dispose(viaRegisteredBackward);
        } finally {
          fakeBackward.unregister();
        }
        tf.dispose(viaReferenceBackward);
      } finally {
        fakeForward.unregister();
      }
      tf.dispose(expected);
      c.dispose();
    });

    it('should skip the gradient of x when only the weights are differentiated, and change no other', () => {
      const c = makeCase(kind, { resetAfter: true }, scenario, 65);
      // The scenario's initial states are the case's own: every input here is.
      const [xs, ...rest] = tf.tidy(() => caseInputs(c, kind));
      const loss = caseLoss(c, kind, true);
      const weights = (...w: tf.Tensor[]) => loss(xs as tf.Tensor, ...w);
      const expected = tf.tidy(() => tf.grads(loss)(caseInputs(c, kind)));
      const fakeForward = fakeKernel(descriptor, 'forward');
      const fakeBackward = fakeKernel(descriptor, 'backward');
      try {
        const onlyWeights = tf.tidy(() => tf.grads(weights)(rest));
        expect(fakeBackward.seen.attrs.skipGradients).toEqual(['x']);
        onlyWeights.forEach((g, i) => {
          expectClose(g, expected[i + 1] as tf.Tensor, { rtol: 0, atol: 0 });
        });
        const all = tf.tidy(() => tf.grads(loss)(caseInputs(c, kind)));
        expect(fakeBackward.seen.attrs.skipGradients).toBeUndefined();
        all.forEach((g, i) => {
          expectClose(g, expected[i] as tf.Tensor, { rtol: 0, atol: 0 });
        });
        expect(fakeBackward.seen.calls).toBe(2);
        tf.dispose([...onlyWeights, ...all]);
      } finally {
        fakeBackward.unregister();
        fakeForward.unregister();
      }
      tf.dispose(expected);
      c.dispose();
    });

    it('should make no zero gradient for the workspace of a registered forward under a tape', () => {
      const c = makeCase(kind, { resetAfter: true }, scenario, 64);
      const fakeForward = fakeKernel(descriptor, 'forward');
      const makeTensor = vi.spyOn(tf.engine(), 'makeTensor');
      try {
        const grads = tf.tidy(() => tf.grads(caseLoss(c, kind, true))(caseInputs(c, kind)));
        expect(fakeForward.seen.calls).toBe(1);
        // tfjs makes zeros with makeTensor for each output of a tape node that received no gradient.
        const made = makeTensor.mock.calls.map(([, shape]) => shape.join());
        const workspace = fakeForward.seen.workspaceShapes.map((shape) => shape.join());
        expect(workspace.length).toBeGreaterThan(0);
        for (const shape of workspace) expect(made).not.toContain(shape);
        tf.dispose(grads);
      } finally {
        makeTensor.mockRestore();
        fakeForward.unregister();
      }
      c.dispose();
    });

    it('should use a registered backward under the reference forward', () => {
      const c = makeCase(kind, { resetAfter: false }, { batch: 2, time: 3 }, 63);
      const gradients = () => tf.tidy(() => tf.grads(caseLoss(c, kind, true))(caseInputs(c, kind)));
      const expected = gradients();
      const fakeBackward = fakeKernel(descriptor, 'backward');
      try {
        const viaRegistered = gradients();
        expect(fakeBackward.seen.calls).toBe(1);
        // The caller gave no mask, and the backward kernel still receives one.
        expect(fakeBackward.seen.inputs).toContain('mask');
        viaRegistered.forEach((g, i) => {
          expectClose(g, expected[i] as tf.Tensor, { rtol: 1e-6, atol: 1e-7 });
        });
        tf.dispose(viaRegistered);
      } finally {
        fakeBackward.unregister();
      }
      tf.dispose(expected);
      c.dispose();
    });
  });

  it('should step a cell whose activation has no sequence kernel (swish) instead of calling the kernel', () => {
    const { fused, stepped } = cellPair('elman', { inputSize: 3, units: 4, activation: 'swish' });
    const rng = new Rng(64);
    const params = fused.init(rng);
    const xs = randn([2, 3, 3], rng) as tf.Tensor3D;
    const fake = fakeKernel(elmanSequence, 'forward');
    try {
      const a = scan(fused, params, xs);
      const b = scan(stepped, params, xs);
      expect(fake.seen.calls).toBe(0);
      expectClose(a.outputs, b.outputs, { rtol: 0, atol: 0 });
      release(a, b);
    } finally {
      fake.unregister();
    }
    release(params, xs);
  });
});

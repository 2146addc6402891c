/**
 * `adamUpdate` (core's `RecurAdamUpdate`, one Adam / AdamW step of one variable) fused on
 * the cpu backend: one pass over the variable instead of about 17 tfjs ops. tfjs' cpu
 * kernels compute each op in float64 and store it in a Float32Array, which rounds it to
 * the nearest float32 (for +, −, ×, ÷ and √ of float32 operands that is the correctly
 * rounded float32 result); `Math.fround` after every operation does the same, in the
 * reference's order, so the update is bit-identical to tfjs' `AdamOptimizer`.
 */
import { adamUpdate, RecurAdamUpdate } from '@recur/core';
import { adamConstants, expectShape, fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { arraysOf, outputsOn } from './arrays.js';

const f = Math.fround;

export const adamUpdateCpu = fusedKernel(adamUpdate, 'cpu', {
  forward(inputs, attrs, backend: MathBackendCPU) {
    const shape = [...inputs.value.shape];
    for (const name of ['gradient', 'm', 'v'] as const) expectShape(RecurAdamUpdate, name, inputs[name], shape);
    for (const name of ['beta1Power', 'beta2Power'] as const) expectShape(RecurAdamUpdate, name, inputs[name], []);
    const { value, gradient, m, v, beta1Power, beta2Power } = arraysOf(RecurAdamUpdate, backend, inputs);
    const c = adamConstants(attrs);
    const correction1 = f(1 - (beta1Power[0] as number));
    const correction2 = f(1 - (beta2Power[0] as number));
    const size = shape.reduce((a, b) => a * b, 1);
    const newValue = new Float32Array(size);
    const newM = new Float32Array(size);
    const newV = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const g = gradient[i] as number;
      const mi = f(f((m[i] as number) * c.beta1) + f(g * c.oneMinusBeta1));
      const vi = f(f((v[i] as number) * c.beta2) + f(f(g * g) * c.oneMinusBeta2));
      newM[i] = mi;
      newV[i] = vi;
      const denominator = f(f(Math.sqrt(f(vi / correction2))) + c.epsilon);
      const step = f(f(f(mi / correction1) / denominator) * c.negLearningRate);
      newValue[i] = f(step + f((value[i] as number) * c.keep));
    }
    const make = outputsOn(backend);
    return { newValue: make(shape, newValue), newM: make(shape, newM), newV: make(shape, newV) };
  },
});

/**
 * `gruSequence` (core's `RecurGruSequence` and `RecurGruSequenceGrad`) in WGSL, both reset
 * placements: the input projection x·W of every step as ONE tfjs product, ONE dispatch per
 * step (gru-wgsl.ts) forward and backward, then the weight gradients as products over all
 * steps: dx = dZ·Wᵀ, dW = Xᵀ·dZ, db = Σ dZ and
 *   reset after:  dU = H₋₁ᵀ·dHU, db_hh = Σ dHU
 *   reset before: dU = [H₋₁ᵀ·dZ_zr, (r⊙H₋₁)ᵀ·dZ_h] (U_zr sees h, U_h sees r⊙h).
 */
import { gruSequence, RecurGruSequence, RecurGruSequenceGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { gruBackwardStep, gruForwardStep } from './gru-wgsl.js';
import { columnSums, matMul, region, release, reshaped, runSteps, runTfjs } from './program.js';
import { processingSteps, sequenceDims } from './sequence-shapes.js';
import { stepFlags } from './step-flags.js';
import { withActivations } from './wgsl-activations.js';

const STEP_UNIFORMS = ['batch', 'time', 'units', 'step', 'previous'];

function layout(bias: tf.TensorInfo, resetAfter: boolean) {
  return { biasRows: bias.shape.length === 2 ? 2 : 1, workspaceGates: resetAfter ? 4 : 3 };
}

/** `x` columns `[from, from + count)`, a copy the caller owns. */
function columns(backend: WebGPUBackend, x: tf.TensorInfo, from: number, count: number): tf.TensorInfo {
  return runTfjs(backend, tf.Slice, { x }, { begin: [0, from], size: [x.shape[0], count] });
}

export const gruSequenceWebgpu = fusedKernel(gruSequence, 'webgpu', {
  forward(t, attrs, backend: WebGPUBackend) {
    const { resetAfter } = attrs;
    const d = sequenceDims(RecurGruSequence, t, 3, layout(t.bias, resetAfter));
    const { batch: B, time: T, input: I, units: H } = d;
    const recurrentBias = t.bias.shape.length === 2;
    const projected = matMul(backend, reshaped(t.x, [B * T, I]), t.kernel, false, false);
    const flags = stepFlags(backend, t.mask, attrs.maskedOutput, attrs.reverse);
    const spec = {
      key: `gru_forward_${resetAfter}_${recurrentBias}_${attrs.activation}_${attrs.recurrentActivation}`,
      inputs: ['projected', 'recurrentKernel', 'bias', 'h0', 'flags'],
      uniforms: STEP_UNIFORMS,
      workgroups: B,
      code: withActivations(gruForwardStep(resetAfter, recurrentBias), attrs),
    };
    const inputs = [projected, t.recurrentKernel, reshaped(t.bias, [t.bias.shape.length * 3 * H]), t.h0, flags];
    const steps = processingSteps(T, attrs.reverse).map(([step, previous]) => [B, T, H, step, previous]);
    const width = resetAfter ? 4 : 3;
    const stepSize = T * B * H;
    const record = runSteps(backend, spec, inputs, stepSize * (width + 2) + B * H, steps);
    const hsAt = width * stepSize;
    const outputs = {
      gates: region(backend, record, 0, [T, B, width * H]),
      hs: region(backend, record, hsAt, [T, B, H]),
      ys: region(backend, record, hsAt + stepSize, [B, T, H]),
      hT: region(backend, record, hsAt + (attrs.reverse ? 0 : T - 1) * B * H, [B, H]),
    };
    release(backend, projected, flags, record);
    return outputs;
  },
  backward(t, attrs, backend: WebGPUBackend) {
    const { resetAfter } = attrs;
    const d = sequenceDims(RecurGruSequenceGrad, t, 3, layout(t.bias, resetAfter));
    const { batch: B, time: T, input: I, units: H } = d;
    const flags = stepFlags(backend, t.mask, attrs.maskedOutput, attrs.reverse);
    const spec = {
      key: `gru_backward_${resetAfter}_${attrs.activation}_${attrs.recurrentActivation}`,
      inputs: ['recurrentKernel', 'h0', 'flags', 'gates', 'hs', 'dys', 'dhT'],
      uniforms: [...STEP_UNIFORMS, 'isLast'],
      workgroups: B,
      code: withActivations(gruBackwardStep(resetAfter), attrs),
    };
    const inputs = [t.recurrentKernel, t.h0, flags, t.gates, t.hs, t.dys, t.dhT];
    const steps = processingSteps(T, attrs.reverse)
      .reverse()
      .map(([step, previous], s) => [B, T, H, step, previous, s === 0 ? 1 : 0]);
    const rows = B * T;
    const second = resetAfter ? 3 * H : H;
    const record = runSteps(backend, spec, inputs, rows * (4 * H + second) + 2 * B * H, steps);
    const dZ = region(backend, record, 0, [rows, 3 * H]);
    const recurrentSide = region(backend, record, rows * 3 * H, [rows, second]);
    const hPrevious = region(backend, record, rows * (3 * H + second), [rows, H]);
    const dInputBias = columnSums(backend, dZ);
    const made = [flags, record, dZ, recurrentSide, hPrevious];
    let recurrentKernel: tf.TensorInfo;
    let bias = dInputBias;
    if (resetAfter) {
      recurrentKernel = matMul(backend, hPrevious, recurrentSide, true, false);
      if (t.bias.shape.length === 2) {
        const dRecurrentBias = columnSums(backend, recurrentSide);
        const rowsOf = (x: tf.TensorInfo) => reshaped(x, [1, 3 * H]);
        bias = runTfjs(backend, tf.Concat, [rowsOf(dInputBias), rowsOf(dRecurrentBias)], { axis: 0 });
        made.push(dInputBias, dRecurrentBias);
      }
    } else {
      const dZR = columns(backend, dZ, 0, 2 * H);
      const dCandidate = columns(backend, dZ, 2 * H, H);
      const dUzr = matMul(backend, hPrevious, dZR, true, false);
      const dUh = matMul(backend, recurrentSide, dCandidate, true, false);
      recurrentKernel = runTfjs(backend, tf.Concat, [dUzr, dUh], { axis: 1 });
      made.push(dZR, dCandidate, dUzr, dUh);
    }
    const gradients = {
      x: reshaped(matMul(backend, dZ, t.kernel, false, true), [B, T, I]),
      kernel: matMul(backend, reshaped(t.x, [rows, I]), dZ, true, false),
      recurrentKernel,
      bias,
      h0: region(backend, record, rows * (4 * H + second), [B, H]),
    };
    release(backend, ...made);
    return gradients;
  },
});

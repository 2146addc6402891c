/**
 * `lstmSequence` (core's `RecurLstmSequence` and `RecurLstmSequenceGrad`) in WGSL.
 *
 * Forward: the input projection x·W of every step as ONE tfjs product, then ONE dispatch
 * per step fusing the recurrent product h·U, the gates and the state update (one lane per
 * (row, unit)): z = x·W + b + h·U; i, f, o = σ(z_i, z_f, z_o); g = act(z_c);
 * c' = f⊙c + i⊙g; h' = o⊙act(c'). Each step writes the gates, h, c and the output into
 * one record, whose regions become `ys`, `hT`, `cT` and core's workspace layout.
 *
 * Backward: ONE dispatch per step in reverse processing order, one workgroup per row: the
 * gate gradients dz of every unit, a storage barrier, then the carried dh = dz·Uᵀ (+ the
 * padded steps' pass-through). dh of one unit needs dz of all units, and WebGPU has no
 * barrier across workgroups, so a row's units share one (its lanes stride over them):
 * less parallel than a lane per (row, unit) when the batch is small, but one dispatch. The weight gradients follow as products over all steps:
 * dx = dZ·Wᵀ, dW = Xᵀ·dZ, db = Σ dZ, dU = H₋₁ᵀ·dZ, with dZ kept batch-major so that x
 * needs no transpose.
 */
import { lstmSequence, RecurLstmSequence, RecurLstmSequenceGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  columnSums,
  matMul,
  packed,
  region,
  release,
  reshaped,
  runSteps,
  WORKGROUP,
  WORKGROUP_INDEX,
} from './program.js';
import { processingSteps, sequenceDims } from './sequence-shapes.js';
import { stepFlags } from './step-flags.js';
import { withActivations } from './wgsl-activations.js';

const LAYOUT = { biasRows: 1, workspaceGates: 4 };
const STEP_UNIFORMS = ['batch', 'time', 'units', 'step', 'previous'];

/** Record: gates [T,B,4H], hs [T,B,H], cs [T,B,H], ys [B,T,H]. */
const FORWARD_STEP = `
  fn main(index : i32) {
    let B = uniforms.batch; let T = uniforms.time; let H = uniforms.units;
    let t = uniforms.step; let p = uniforms.previous;
    if (index >= B * H) { return; }
    let b = index / H; let j = index - b * H;
    let G = 4 * H; let hsAt = T * B * G; let csAt = hsAt + T * B * H; let ysAt = csAt + T * B * H;
    var acc = vec4<f32>(0.0);
    for (var m = 0; m < H; m++) {
      var hm = h0[b * H + m];
      if (p >= 0) { hm = result[hsAt + (p * B + b) * H + m]; }
      let u = m * G + j;
      acc += hm * vec4<f32>(recurrentKernel[u], recurrentKernel[u + H], recurrentKernel[u + 2 * H], recurrentKernel[u + 3 * H]);
    }
    let at = (b * T + t) * G + j;
    let projectedZ = vec4<f32>(projected[at], projected[at + H], projected[at + 2 * H], projected[at + 3 * H]);
    let z = projectedZ + vec4<f32>(bias[j], bias[j + H], bias[j + 2 * H], bias[j + 3 * H]) + acc;
    let i = gate(z.x); let f = gate(z.y); let g = candidate(z.z); let o = gate(z.w);
    var hPrevious = h0[index]; var cPrevious = c0[index];
    if (p >= 0) { hPrevious = result[hsAt + (p * B + b) * H + j]; cPrevious = result[csAt + (p * B + b) * H + j]; }
    var c = f * cPrevious + i * g;
    var h = o * candidate(c);
    if (flags[b * T + t] == 0.0) { h = hPrevious; c = cPrevious; }
    let gateAt = (t * B + b) * G + j;
    result[gateAt] = i; result[gateAt + H] = f; result[gateAt + 2 * H] = g; result[gateAt + 3 * H] = o;
    result[hsAt + (t * B + b) * H + j] = h;
    result[csAt + (t * B + b) * H + j] = c;
    result[ysAt + (b * T + t) * H + j] = flags[B * T + b * T + t] * h;
  }`;

/**
 * Record: dZ [B,T,4H], h₋₁ [B,T,H] (the state each step started from), then the carried
 * dh and dc [B,H]. `states` packs h0, c0, dhT, dcT (a stage binds 8 buffers). Uniform `isLast` is 1 at the first backward step (dhT, dcT join there).
 */
const BACKWARD_STEP = `
  fn main(index : i32) {
    let B = uniforms.batch; let T = uniforms.time; let H = uniforms.units;
    let t = uniforms.step; let p = uniforms.previous;
    let b = ${WORKGROUP_INDEX};
    let inRange = b < B;
    let G = 4 * H; let hpAt = B * T * G; let dhAt = hpAt + B * T * H; let dcAt = dhAt + B * H;
    let real = inRange && flags[b * T + t] != 0.0;
    let weight = select(0.0, 1.0, real);
    for (var j = i32(localIndex); inRange && j < H; j += ${WORKGROUP}) {
      var dhCarried = states[2 * B * H + b * H + j]; var dcCarried = states[3 * B * H + b * H + j];
      if (uniforms.isLast == 0) { dhCarried = result[dhAt + b * H + j]; dcCarried = result[dcAt + b * H + j]; }
      let dhTotal = dhCarried + dys[(b * T + t) * H + j] * flags[B * T + b * T + t];
      let dhNew = dhTotal * weight;
      let gi = (t * B + b) * G + j;
      let i = gates[gi]; let f = gates[gi + H]; let g = gates[gi + 2 * H]; let o = gates[gi + 3 * H];
      // At real steps cs holds c', so a = act(c'); at padded steps dhNew is 0 anyway.
      let a = candidate(cs[(t * B + b) * H + j]);
      let dcNew = dcCarried * weight + candidateBack(dhNew * o, a);
      var hPrevious = states[b * H + j]; var cPrevious = states[B * H + b * H + j];
      if (p >= 0) { cPrevious = cs[(p * B + b) * H + j]; hPrevious = hs[(p * B + b) * H + j]; }
      let dz = (b * T + t) * G + j;
      result[dz] = gateBack(dcNew * g, i);
      result[dz + H] = gateBack(dcNew * cPrevious, f);
      result[dz + 2 * H] = candidateBack(dcNew * i, g);
      result[dz + 3 * H] = gateBack(dhNew * a, o);
      result[hpAt + (b * T + t) * H + j] = hPrevious;
      // h_t = m·h' + (1 − m)·h_{t−1} (same for c): padded steps pass gradients through.
      result[dcAt + b * H + j] = dcNew * f + dcCarried * (1.0 - weight);
      result[dhAt + b * H + j] = dhTotal * (1.0 - weight);
    }
    storageBarrier();
    for (var j = i32(localIndex); inRange && j < H; j += ${WORKGROUP}) {
      var acc = 0.0;
      for (var k = 0; k < G; k++) { acc += result[(b * T + t) * G + k] * recurrentKernel[j * G + k]; }
      result[dhAt + b * H + j] = acc + result[dhAt + b * H + j];
    }
  }`;

export const lstmSequenceWebgpu = fusedKernel(lstmSequence, 'webgpu', {
  forward(t, attrs, backend: WebGPUBackend) {
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurLstmSequence, t, 4, LAYOUT);
    const projected = matMul(backend, reshaped(t.x, [B * T, I]), t.kernel, false, false);
    const flags = stepFlags(backend, t.mask, attrs.maskedOutput, attrs.reverse);
    const spec = {
      key: `lstm_forward_${attrs.activation}_${attrs.recurrentActivation}`,
      inputs: ['projected', 'recurrentKernel', 'bias', 'h0', 'c0', 'flags'],
      uniforms: STEP_UNIFORMS,
      workgroups: Math.ceil((B * H) / WORKGROUP),
      code: withActivations(FORWARD_STEP, attrs),
    };
    const inputs = [projected, t.recurrentKernel, t.bias, t.h0, t.c0, flags];
    const steps = processingSteps(T, attrs.reverse).map(([step, previous]) => [B, T, H, step, previous]);
    const record = runSteps(backend, spec, inputs, T * B * 7 * H, steps);
    const stepSize = T * B * H;
    const last = (attrs.reverse ? 0 : T - 1) * B * H;
    const outputs = {
      gates: region(backend, record, 0, [T, B, 4 * H]),
      hs: region(backend, record, 4 * stepSize, [T, B, H]),
      cs: region(backend, record, 5 * stepSize, [T, B, H]),
      ys: region(backend, record, 6 * stepSize, [B, T, H]),
      hT: region(backend, record, 4 * stepSize + last, [B, H]),
      cT: region(backend, record, 5 * stepSize + last, [B, H]),
    };
    release(backend, projected, flags, record);
    return outputs;
  },
  backward(t, attrs, backend: WebGPUBackend) {
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurLstmSequenceGrad, t, 4, LAYOUT);
    const flags = stepFlags(backend, t.mask, attrs.maskedOutput, attrs.reverse);
    const states = packed(backend, [t.h0, t.c0, t.dhT, t.dcT]);
    const spec = {
      key: `lstm_backward_${attrs.activation}_${attrs.recurrentActivation}`,
      inputs: ['recurrentKernel', 'states', 'flags', 'gates', 'hs', 'cs', 'dys'],
      uniforms: [...STEP_UNIFORMS, 'isLast'],
      workgroups: B,
      code: withActivations(BACKWARD_STEP, attrs),
    };
    const inputs = [t.recurrentKernel, states, flags, t.gates, t.hs, t.cs, t.dys];
    const steps = processingSteps(T, attrs.reverse)
      .reverse()
      .map(([step, previous], s) => [B, T, H, step, previous, s === 0 ? 1 : 0]);
    const rows = B * T;
    const record = runSteps(backend, spec, inputs, rows * 5 * H + 2 * B * H, steps);
    const dZ = region(backend, record, 0, [rows, 4 * H]);
    const hPrevious = region(backend, record, rows * 4 * H, [rows, H]);
    const x = reshaped(t.x, [rows, I]);
    const gradients = {
      x: reshaped(matMul(backend, dZ, t.kernel, false, true), [B, T, I]),
      kernel: matMul(backend, x, dZ, true, false),
      recurrentKernel: matMul(backend, hPrevious, dZ, true, false),
      bias: columnSums(backend, dZ),
      h0: region(backend, record, rows * 5 * H, [B, H]),
      c0: region(backend, record, rows * 5 * H + B * H, [B, H]),
    };
    release(backend, flags, states, record, dZ, hPrevious);
    return gradients;
  },
});

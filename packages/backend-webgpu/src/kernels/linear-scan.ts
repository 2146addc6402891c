/**
 * `linearScan` (core's `RecurLinearScan` and `RecurLinearScanGrad`) in WGSL: h_t = a_t ⊙
 * h_{t−1} + b_t as a parallel scan over time, one workgroup per (row, feature) lane, ONE
 * dispatch for the forward and one for the backward.
 *
 * The scan is chunked (Blelloch 1990, "Prefix sums and their applications", §1.4, the
 * work-efficient form for more elements than processors): each of the workgroup's lanes
 * composes the affine maps x ↦ a·x + b of its contiguous chunk of ⌈T/64⌉ steps, a
 * Hillis–Steele scan in workgroup memory (log₂ 64 = 6 rounds) composes the chunks'
 * prefixes, and each lane replays its chunk from the state its prefix gives. Any T fits
 * one dispatch; work stays O(T) per lane.
 *
 * Backward: the same scan run against processing order, g_t = dh_t + a'_{t+1} g_{t+1}
 * (dhT joins at the last step; a' = 1 at padded steps), then db_t = g_t, da_t = g_t h_{t−1}
 * (zero at padded steps) and dh0 = a'_1 g_1.
 */
import { linearScan, RecurLinearScan, RecurLinearScanGrad } from '@recur/core';
import { fusedKernel, scanDims } from '@recur/core/kernel-api';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { region, release, reshaped, runSteps, WORKGROUP, WORKGROUP_INDEX } from './program.js';

/**
 * The scan skeleton over positions q = 0…T−1 in scan order: `step` maps q to its input
 * time `t`; `coefficient` and `offset` give the map at q (reading `t`, `lane`, `f`,
 * `row`); `initial` the state before q = 0; `emit` stores state `h` at q.
 */
function scanProgram(parts: { step: string; coefficient: string; offset: string; initial: string; emit: string }) {
  return `
  var<workgroup> prefixA : array<f32, ${WORKGROUP}>;
  var<workgroup> prefixB : array<f32, ${WORKGROUP}>;
  fn real(row : i32, t : i32) -> bool { return mask[row * uniforms.time + t] != 0.0; }
  fn coefficient(row : i32, f : i32, t : i32, q : i32) -> f32 {
    let T = uniforms.time; let F = uniforms.features; ${parts.coefficient}
  }
  fn offset(row : i32, f : i32, t : i32) -> f32 { let T = uniforms.time; let F = uniforms.features; ${parts.offset} }
  fn main(index : i32) {
    let T = uniforms.time; let F = uniforms.features;
    let lane = ${WORKGROUP_INDEX};
    let inRange = lane < uniforms.batch * F;
    let row = lane / F; let f = lane - row * F;
    let k = i32(localIndex);
    let chunk = (T + ${WORKGROUP - 1}) / ${WORKGROUP};
    let begin = min(k * chunk, T); let end = min(begin + chunk, T);
    // The chunk's own map: x ↦ A·x + Bc.
    var A = 1.0; var Bc = 0.0;
    for (var q = begin; inRange && q < end; q++) {
      let t = ${parts.step};
      let a = coefficient(row, f, t, q);
      A = a * A; Bc = a * Bc + offset(row, f, t);
    }
    prefixA[k] = A; prefixB[k] = Bc;
    workgroupBarrier();
    // Hillis–Steele: after the round of distance d, lane k holds chunks k−2d+1…k composed.
    for (var d = 1; d < ${WORKGROUP}; d *= 2) {
      var earlierA = 1.0; var earlierB = 0.0;
      if (k >= d) { earlierA = prefixA[k - d]; earlierB = prefixB[k - d]; }
      workgroupBarrier();
      prefixB[k] = prefixA[k] * earlierB + prefixB[k];
      prefixA[k] = prefixA[k] * earlierA;
      workgroupBarrier();
    }
    if (!inRange || begin >= end) { return; }
    var h = ${parts.initial};
    if (k > 0) { h = prefixA[k - 1] * h + prefixB[k - 1]; }
    for (var q = begin; q < end; q++) {
      let t = ${parts.step};
      h = coefficient(row, f, t, q) * h + offset(row, f, t);
      ${parts.emit}
    }
  }`;
}

// Forward record: hs [B,T,F], hT [B,F].
const FORWARD = (reverse: boolean) =>
  scanProgram({
    step: reverse ? 'T - 1 - q' : 'q',
    coefficient: 'if (!real(row, t)) { return 1.0; } return a[(row * T + t) * F + f];',
    offset: 'if (!real(row, t)) { return 0.0; } return b[(row * T + t) * F + f];',
    initial: 'h0[row * F + f]',
    emit: `result[(row * T + t) * F + f] = h;
      if (q == T - 1) { result[uniforms.batch * T * F + row * F + f] = h; }`,
  });

// Backward record: da [B,T,F], db [B,T,F], dh0 [B,F]. Scan position q runs processing
// step T−1−q, whose map takes g_{s+1} with the next processing step's coefficient a'.
const BACKWARD = (reverse: boolean) =>
  scanProgram({
    step: reverse ? 'q' : 'T - 1 - q',
    coefficient: `if (q == 0) { return 1.0; }
      let next = ${reverse ? 't - 1' : 't + 1'};
      if (!real(row, next)) { return 1.0; }
      return a[(row * T + next) * F + f];`,
    offset: 'return dhs[(row * T + t) * F + f];',
    initial: 'dhT[row * F + f]',
    emit: `let at = (row * T + t) * F + f;
      let first = ${reverse ? 'T - 1' : '0'};
      var hPrevious = h0[row * F + f];
      if (t != first) { hPrevious = hs[(row * T + ${reverse ? 't + 1' : 't - 1'}) * F + f]; }
      let isReal = real(row, t);
      result[at] = select(0.0, h * hPrevious, isReal);
      result[uniforms.batch * T * F + at] = select(0.0, h, isReal);
      if (t == first) { result[2 * uniforms.batch * T * F + row * F + f] = select(1.0, a[at], isReal) * h; }`,
  });

function lanes(d: { batch: number; features: number }): number {
  return d.batch * d.features;
}

/** `x [B,T,...rest]` as `[B·T·F]` for the shader. */
const flat = (x: TensorInfo) => reshaped(x, [x.shape.reduce((p, n) => p * n, 1)]);

export const linearScanWebgpu = fusedKernel(linearScan, 'webgpu', {
  forward(t, attrs, backend: WebGPUBackend) {
    const d = scanDims(RecurLinearScan, t, ['a', 'b'], ['h0']);
    const spec = {
      key: `linear_scan_forward_${attrs.reverse}`,
      inputs: ['a', 'b', 'h0', 'mask'],
      uniforms: ['batch', 'time', 'features'],
      workgroups: lanes(d),
      code: FORWARD(attrs.reverse),
    };
    const size = d.batch * d.time * d.features;
    const inputs = [flat(t.a), flat(t.b), flat(t.h0), t.mask];
    const record = runSteps(backend, spec, inputs, size + lanes(d), [[d.batch, d.time, d.features]]);
    const outputs = { hs: region(backend, record, 0, d.stepShape), hT: region(backend, record, size, d.stateShape) };
    release(backend, record);
    return outputs;
  },
  backward(t, attrs, backend: WebGPUBackend) {
    const d = scanDims(RecurLinearScanGrad, t, ['a', 'b', 'hs', 'dhs'], ['h0', 'dhT']);
    const spec = {
      key: `linear_scan_backward_${attrs.reverse}`,
      inputs: ['a', 'h0', 'mask', 'hs', 'dhs', 'dhT'],
      uniforms: ['batch', 'time', 'features'],
      workgroups: lanes(d),
      code: BACKWARD(attrs.reverse),
    };
    const size = d.batch * d.time * d.features;
    const inputs = [flat(t.a), flat(t.h0), t.mask, flat(t.hs), flat(t.dhs), flat(t.dhT)];
    const record = runSteps(backend, spec, inputs, 2 * size + lanes(d), [[d.batch, d.time, d.features]]);
    const gradients = {
      a: region(backend, record, 0, d.stepShape),
      b: region(backend, record, size, d.stepShape),
      h0: region(backend, record, 2 * size, d.stateShape),
    };
    release(backend, record);
    return gradients;
  },
});

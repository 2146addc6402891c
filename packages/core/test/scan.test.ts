import { type Carry, type Cell, Rng, scan } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { type Kind, type RnnParams, randn, randomCarry, release, stepByHand, testCell } from './scan-cells.js';

const I = 3;
const H = 4;
const tol = { rtol: 1e-5, atol: 1e-6 };

// Each property holds on both paths: the stepped one (no `sequence`) and the kernel one.
const CASES: [string, Kind, boolean][] = [
  ['stepped elman', 'elman', false],
  ['stepped lstm', 'lstm', false],
  ['kernel lstm', 'lstm', true],
  ['kernel gru', 'gru', true],
];

describeBackends('scan', () => {
  checkLeaks();

  describe.each(CASES)('%s', (_label, kind, fused) => {
    const cell = testCell(kind, { inputSize: I, units: H, fused, resetAfter: true });
    const setup = (seed: number, batch = 3, time = 5) => {
      const rng = new Rng(seed);
      return { params: cell.init(rng), xs: randn([batch, time, I], rng) as tf.Tensor3D, rng };
    };

    it('should equal stepping the cell by hand', () => {
      const { params, xs } = setup(1);
      const result = scan(cell, params, xs);
      const byHand = stepByHand(cell, params, xs);
      expect(result.outputs.shape).toEqual([3, 5, H]);
      expectClose(result.outputs, byHand.outputs, tol);
      for (const key of Object.keys(byHand.carry)) {
        expectClose(result.state?.[key] as tf.Tensor, byHand.carry[key] as tf.Tensor, tol);
      }
      release(params, xs, result, byHand);
    });

    it('should equal flipping by hand when reverse with keepOrder', () => {
      const { params, xs } = setup(2);
      const kept = scan(cell, params, xs, { reverse: true, keepOrder: true });
      const processing = scan(cell, params, xs, { reverse: true });
      const flipped = tf.reverse(xs, 1);
      const forward = scan(cell, params, flipped);
      const forwardBack = tf.reverse(forward.outputs, 1);
      expectClose(kept.outputs, forwardBack, tol);
      expectClose(processing.outputs, forward.outputs, tol);
      expectClose(kept.state?.h as tf.Tensor, forward.state?.h as tf.Tensor, tol);
      release(params, xs, kept, processing, flipped, forward, forwardBack);
    });

    it('should equal one run over the whole sequence when run statefully in two halves', () => {
      const { params, xs, rng } = setup(3, 2, 6);
      const initial = randomCarry(kind, 2, H, rng);
      const whole = scan(cell, params, xs, { initialState: initial });
      const [first, second] = tf.split(xs, [4, 2], 1) as tf.Tensor3D[];
      const a = scan(cell, params, first as tf.Tensor3D, { initialState: initial });
      const b = scan(cell, params, second as tf.Tensor3D, { initialState: a.state });
      const joined = tf.concat([a.outputs, b.outputs], 1);
      expectClose(joined, whole.outputs, tol);
      for (const key of Object.keys(initial)) {
        expectClose(b.state?.[key] as tf.Tensor, whole.state?.[key] as tf.Tensor, tol);
      }
      release(params, xs, initial, whole, first, second, a, b, joined);
    });

    it('should return the last real output when returnSequences is false', () => {
      const { params, xs } = setup(4);
      const full = scan(cell, params, xs, { seqLengths: [5, 2, 0] });
      const last = scan(cell, params, xs, { seqLengths: [5, 2, 0], returnSequences: false, returnState: false });
      expect(last.outputs.shape).toEqual([3, H]);
      expect(last.state).toBeUndefined();
      const expected = tf.tidy(() => {
        const rows = tf.unstack(full.outputs);
        return tf.stack([
          tf.reshape(tf.slice(rows[0] as tf.Tensor, [4, 0], [1, H]), [H]),
          tf.reshape(tf.slice(rows[1] as tf.Tensor, [1, 0], [1, H]), [H]),
          tf.zeros([H]),
        ]);
      });
      expectClose(last.outputs, expected, tol);
      const unmasked = scan(cell, params, xs, { returnSequences: false, reverse: true });
      const reversedFull = scan(cell, params, xs, { reverse: true });
      const lastProcessed = tf.tidy(() => tf.squeeze(tf.slice(reversedFull.outputs, [0, 4, 0], [3, 1, H]), [1]));
      expectClose(unmasked.outputs, lastProcessed, tol);
      release(params, xs, full, last, expected, unmasked, reversedFull, lastProcessed);
    });

    it('should give the same last output and gradients from a declared output state as from slicing the outputs', () => {
      const { params, xs, rng } = setup(12, 4, 5);
      const declared: Cell<Carry, RnnParams> = { ...cell, outputState: 'h' };
      const initial = randomCarry(kind, 4, H, rng);
      const weights = randn([4, H], rng);
      // Padding in the middle, at the end, at the start, and a row that is padding only.
      const mask = tf.tensor2d([
        [1, 1, 1, 1, 1],
        [1, 0, 1, 0, 0],
        [0, 0, 1, 1, 1],
        [0, 0, 0, 0, 0],
      ]);
      for (const reverse of [false, true]) {
        const run = (c: Cell<Carry, RnnParams>) =>
          tf.valueAndGrads(
            (x: tf.Tensor, kernel: tf.Tensor, recurrentKernel: tf.Tensor, bias: tf.Tensor, h0: tf.Tensor) => {
              const last = scan(c, { kernel, recurrentKernel, bias } as RnnParams, x as tf.Tensor3D, {
                mask,
                reverse,
                initialState: { ...initial, h: h0 },
                returnSequences: false,
                returnState: false,
              }).outputs;
              return tf.sum(tf.mul(last, weights));
            },
          )([xs, params.kernel, params.recurrentKernel, params.bias, initial.h as tf.Tensor]);
        const sliced = run(cell);
        const fromState = run(declared);
        expect(fromState.value.dataSync()).toEqual(sliced.value.dataSync());
        sliced.grads.forEach((g, i) => {
          expectClose(fromState.grads[i] as tf.Tensor, g, tol);
        });
        release(sliced, fromState);
        // The declared state is what the last output is read from: no Slice of the outputs runs.
        const runKernel = vi.spyOn(tf.engine(), 'runKernel');
        const outputs = [cell, declared].map((c) => {
          runKernel.mockClear();
          const options = { mask, reverse, initialState: initial, returnSequences: false, returnState: false };
          const { outputs: last } = scan(c, params, xs, options);
          return { last, slices: runKernel.mock.calls.filter(([name]) => name === 'Slice').length };
        });
        runKernel.mockRestore();
        // One Slice fewer: the outputs' (a backend without the fused kernel runs core's
        // reference, which slices inside, as many times either way).
        expect((outputs[0]?.slices ?? 0) - (outputs[1]?.slices ?? 0)).toBe(1);
        expect(outputs[1]?.last.dataSync()).toEqual(outputs[0]?.last.dataSync());
        release(outputs.map(({ last }) => last));
      }
      release(params, xs, initial, weights, mask);
    });

    it('should keep the state and emit zeros at padded steps', () => {
      const { params, xs } = setup(5, 2, 5);
      // Padding in the middle and at the start, not only at the end.
      const mask = tf.tensor2d([
        [1, 1, 0, 1, 0],
        [0, 1, 1, 0, 1],
      ]);
      const result = scan(cell, params, xs, { mask, maskedOutput: 'zeros' });
      const values = result.outputs.arraySync() as number[][][];
      const maskRows = mask.arraySync();
      for (let b = 0; b < 2; b++) {
        // Compact the row's real steps and run them alone: the outputs must match in place.
        const realSteps = (maskRows[b] as number[]).flatMap((m, t) => (m ? [t] : []));
        const row = tf.tidy(() => tf.gather(tf.slice(xs, [b, 0, 0], [1, 5, I]), realSteps, 1)) as tf.Tensor3D;
        const alone = scan(cell, params, row);
        const aloneValues = (alone.outputs.arraySync() as number[][][])[0] as number[][];
        realSteps.forEach((t, k) => {
          expectClose(values[b]?.[t] as number[], aloneValues[k] as number[], tol);
        });
        (maskRows[b] as number[]).forEach((m, t) => {
          if (!m) expectClose(values[b]?.[t] as number[], new Array(H).fill(0), { rtol: 0, atol: 0 });
        });
        const rowCarry = tf.slice(result.state?.h as tf.Tensor, [b, 0], [1, H]);
        expectClose(rowCarry, alone.state?.h as tf.Tensor, tol);
        release(row, alone, rowCarry);
      }
      release(params, xs, mask, result);
    });

    it("should repeat the last real output at padded steps with maskedOutput 'previous'", () => {
      const { params, xs } = setup(6, 2, 5);
      const mask = tf.tensor2d([
        [0, 1, 0, 1, 0],
        [1, 1, 1, 0, 0],
      ]);
      const zeros = scan(cell, params, xs, { mask, maskedOutput: 'zeros' });
      const previous = scan(cell, params, xs, { mask, maskedOutput: 'previous' });
      const z = zeros.outputs.arraySync() as number[][][];
      const p = previous.outputs.arraySync() as number[][][];
      // Before the first real step there is no output yet: zeros, as Keras.
      expectClose(p[0]?.[0] as number[], new Array(H).fill(0), { rtol: 0, atol: 0 });
      expectClose(p[0]?.[2] as number[], z[0]?.[1] as number[], tol);
      expectClose(p[0]?.[4] as number[], z[0]?.[3] as number[], tol);
      expectClose(p[1]?.[3] as number[], z[1]?.[2] as number[], tol);
      expectClose(p[1]?.[4] as number[], z[1]?.[2] as number[], tol);
      expectClose(previous.state?.h as tf.Tensor, zeros.state?.h as tf.Tensor, tol);
      release(params, xs, mask, zeros, previous);
    });

    it('should give identical results for a mask and the equivalent seqLengths, whatever its dtype', () => {
      const { params, xs } = setup(7);
      const lengths = [5, 3, 1];
      const rows = lengths.map((n) => Array.from({ length: 5 }, (_, t) => (t < n ? 1 : 0)));
      const masks = [tf.tensor2d(rows), tf.tensor2d(rows, undefined, 'bool'), tf.tensor2d(rows, undefined, 'int32')];
      const byLengths = scan(cell, params, xs, { seqLengths: lengths, reverse: true, keepOrder: true });
      for (const mask of masks) {
        const byMask = scan(cell, params, xs, { mask, reverse: true, keepOrder: true });
        expectClose(byMask.outputs, byLengths.outputs, { rtol: 0, atol: 0 });
        expectClose(byMask.state?.h as tf.Tensor, byLengths.state?.h as tf.Tensor, { rtol: 0, atol: 0 });
        release(byMask);
      }
      release(params, xs, masks, byLengths);
    });

    it('should give a row padded at the end the final state of the row run alone', () => {
      const { params, xs } = setup(8, 3, 6);
      const padded = scan(cell, params, xs, { seqLengths: [6, 4, 1] });
      [6, 4, 1].forEach((length, b) => {
        const row = tf.slice(xs, [b, 0, 0], [1, length, I]);
        const alone = scan(cell, params, row);
        for (const key of Object.keys(alone.state ?? {})) {
          const mine = tf.slice(padded.state?.[key] as tf.Tensor, [b, 0], [1, H]);
          expectClose(mine, alone.state?.[key] as tf.Tensor, tol);
          mine.dispose();
        }
        release(row, alone);
      });
      release(params, xs, padded);
    });

    it('should hand out the last output and the final state as distinct tensors', () => {
      // The test cells return their new h as y, as most cells do.
      const { params, xs } = setup(12);
      const result = scan(cell, params, xs, { returnSequences: false });
      result.outputs.dispose();
      expect(result.state?.h?.isDisposed).toBe(false);
      release(params, xs, result);
    });

    it('should neither keep nor dispose its inputs', () => {
      const { params, xs, rng } = setup(9);
      const initialState = randomCarry(kind, 3, H, rng);
      const mask = tf.ones([3, 5]) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const result = scan(cell, params, xs, { initialState, mask });
      expect(tf.memory().numTensors - before).toBe(1 + Object.keys(initialState).length);
      release(result);
      expect(tf.memory().numTensors).toBe(before);
      for (const t of [xs, mask, ...Object.values(params), ...Object.values(initialState)]) {
        expect(t.isDisposed).toBe(false);
      }
      release(params, xs, initialState, mask);
    });
  });

  describe('gradients', () => {
    it.each([false, true])('should reach tf.Variable params and the initial state (sequence form: %s)', (fused) => {
      const cell = testCell('lstm', { inputSize: I, units: H, fused });
      const rng = new Rng(10);
      const init = cell.init(rng);
      const params = {
        kernel: tf.variable(init.kernel),
        recurrentKernel: tf.variable(init.recurrentKernel),
        bias: tf.variable(init.bias),
      };
      const xs = randn([2, 4, I], rng) as tf.Tensor3D;
      const [h0, c0] = tf.tidy(() => [tf.variable(randn([2, H], rng, 0.5)), tf.variable(randn([2, H], rng, 0.5))]);
      const { value, grads } = tf.variableGrads(() =>
        tf.tidy(() => {
          const r = scan(cell, params, xs, {
            initialState: { h: h0 as tf.Tensor2D, c: c0 as tf.Tensor2D },
            seqLengths: [4, 2],
          });
          return tf.add(tf.sum(tf.square(r.outputs)), tf.sum(r.state?.c as tf.Tensor)) as tf.Scalar;
        }),
      );
      for (const v of [params.kernel, params.recurrentKernel, params.bias, h0, c0]) {
        const g = grads[v.name];
        expect(g?.shape).toEqual(v.shape);
        expect(tf.tidy(() => tf.sum(tf.abs(g as tf.Tensor)).dataSync()[0])).toBeGreaterThan(0);
      }
      tf.dispose([value, ...Object.values(grads)]);
      release(init, params, xs, h0, c0);
    });
  });
});

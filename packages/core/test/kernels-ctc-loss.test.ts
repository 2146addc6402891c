import { ctcLoss, minimumCtcSteps, RecurError, runKernel } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useReferenceKernels } from './kernels-cases.js';

/** The label a frame path emits: repeats merged, then blanks dropped. */
function collapse(path: readonly number[], blank: number): number[] {
  return path.filter((k, t) => k !== blank && (t === 0 || path[t - 1] !== k));
}

/** −ln Σ over every frame path of `rows` (log-probabilities) that collapses to `label`, in float64. */
function bruteNll(rows: readonly number[][], label: readonly number[], blank: number): number {
  const classes = rows[0]?.length ?? 1;
  let total = rows.length === 0 && label.length === 0 ? 1 : 0;
  const walk = (t: number, path: number[], logp: number) => {
    if (t === rows.length) {
      const emitted = collapse(path, blank);
      if (emitted.length === label.length && emitted.every((k, i) => k === label[i])) total += Math.exp(logp);
      return;
    }
    for (let k = 0; k < classes; k++) walk(t + 1, [...path, k], logp + (rows[t]?.[k] as number));
  };
  if (rows.length > 0) walk(0, [], 0);
  return -Math.log(total);
}

/** Rows of log-probabilities, `[B][T][C]`, from a fixed formula. */
function logProbsOf(batch: number, time: number, classes: number): number[][][] {
  return Array.from({ length: batch }, (_, b) =>
    Array.from({ length: time }, (_, t) => {
      const z = Array.from({ length: classes }, (_, c) => 2 * Math.sin(1 + 5 * b + 3 * t + 1.7 * c));
      const lse = Math.log(z.reduce((a, v) => a + Math.exp(v), 0));
      return z.map((v) => v - lse);
    }),
  );
}

function inputsOf(lp: number[][][], labels: number[][], lengths: number[], blank: number) {
  const width = Math.max(0, ...labels.map((l) => l.length));
  return {
    logProbs: tf.tensor3d(lp),
    labels: tf.tensor2d(
      labels.flatMap((l) => [...l, ...new Array<number>(width - l.length).fill(blank)]),
      [labels.length, width],
      'int32',
    ),
    inputLengths: tf.tensor1d(lengths, 'int32'),
    labelLengths: tf.tensor1d(
      labels.map((l) => l.length),
      'int32',
    ),
  };
}

describe('minimumCtcSteps', () => {
  it('should count one step per label and one blank between each repeated pair', () => {
    expect(minimumCtcSteps([])).toBe(0);
    expect(minimumCtcSteps([1, 2, 1])).toBe(3);
    expect(minimumCtcSteps([1, 1, 2, 2, 2])).toBe(8);
  });
});

describeBackends('RecurCtcLoss reference', () => {
  checkLeaks();
  useReferenceKernels();

  it('should equal brute-force enumeration of all alignments per row, with lengths, repeats and empty labels', () => {
    const lp = logProbsOf(5, 5, 3);
    // Blank 2; row 3 has no step and the empty label (p = 1).
    const labels = [[1, 0], [1, 1], [], [], [0, 1]];
    const lengths = [5, 4, 3, 0, 2];
    const blank = 2;
    const inputs = inputsOf(lp, labels, lengths, blank);
    const { losses } = runKernel(ctcLoss, inputs, { blank, zeroInfinity: false });
    const expected = lp.map((rows, b) => bruteNll(rows.slice(0, lengths[b]), labels[b] as number[], blank));
    expectClose(Array.from(losses.dataSync()), expected, { rtol: 1e-5, atol: 1e-5 });
    tf.dispose([losses, ...Object.values(inputs)]);
  });

  it('should give +∞ to a row with no alignment, 0 with zeroInfinity, and no gradient to it either way', () => {
    const lp = logProbsOf(2, 3, 3);
    const inputs = inputsOf(lp, [[1], [1, 1, 2]], [3, 3], 0);
    const { logProbs, ...rest } = inputs;
    for (const zeroInfinity of [false, true]) {
      const { losses } = runKernel(ctcLoss, inputs, { blank: 0, zeroInfinity });
      const [first, second] = Array.from(losses.dataSync());
      expect(first).toBeCloseTo(bruteNll(lp[0] as number[][], [1], 0), 5);
      expect(second).toBe(zeroInfinity ? 0 : Number.POSITIVE_INFINITY);
      losses.dispose();
    }
    const grad = tf.grad((x: tf.Tensor) => {
      const { losses } = runKernel(ctcLoss, { logProbs: x as tf.Tensor3D, ...rest }, { blank: 0, zeroInfinity: true });
      return tf.sum(losses);
    })(logProbs);
    const g = Array.from(grad.dataSync());
    expect(g.slice(9).every((v) => v === 0)).toBe(true);
    expect(g.slice(0, 9).some((v) => v !== 0)).toBe(true);
    tf.dispose([grad, ...Object.values(inputs)]);
  });

  it('should name the input or attribute that does not fit, leaving no tensor behind', () => {
    const inputs = inputsOf(logProbsOf(2, 3, 3), [[1], [2]], [3, 3], 0);
    const before = tf.memory().numTensors;
    const floatLabels = tf.cast(inputs.labels, 'float32') as tf.Tensor2D;
    const longer = tf.tensor1d([3, 4], 'int32');
    const tooMany = tf.tensor1d([1, 2], 'int32');
    const blankLabel = tf.tensor2d([[1], [0]], [2, 1], 'int32');
    const cases: [() => unknown, string, RegExp][] = [
      [
        () => runKernel(ctcLoss, { ...inputs, labels: floatLabels }, { blank: 0, zeroInfinity: false }),
        'BAD_DATA',
        /input 'labels': expected an int32 tensor of shape \[2, labels\]/,
      ],
      [
        () => runKernel(ctcLoss, { ...inputs, inputLengths: longer }, { blank: 0, zeroInfinity: false }),
        'BAD_DATA',
        /inputLengths\[1\]: expected an integer in \[0, 3\], received 4/,
      ],
      [
        () => runKernel(ctcLoss, { ...inputs, labelLengths: tooMany }, { blank: 0, zeroInfinity: false }),
        'BAD_DATA',
        /labelLengths\[1\]: expected an integer in \[0, 1\], received 2/,
      ],
      [
        () => runKernel(ctcLoss, { ...inputs, labels: blankLabel }, { blank: 0, zeroInfinity: false }),
        'BAD_DATA',
        /labels\[1\]\[0\]: expected a class id in \[0, 3\) other than the blank 0, received 0/,
      ],
      [
        () => runKernel(ctcLoss, inputs, { blank: 3, zeroInfinity: false }),
        'BAD_CONFIG',
        /attribute 'blank': expected an integer in \[0, 3\)/,
      ],
      [
        () => runKernel(ctcLoss, inputs, { blank: 0, zeroInfinity: 1 as never }),
        'BAD_CONFIG',
        /attribute 'zeroInfinity': expected a boolean/,
      ],
    ];
    for (const [run, code, message] of cases) {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RecurError);
      expect((error as RecurError).code).toBe(code);
      expect((error as RecurError).message).toMatch(message);
    }
    tf.dispose([floatLabels, longer, tooMany, blankLabel]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(inputs));
  });
});

describeBackends('RecurCtcLoss, reference and fused, with a class ruled out (log-probability −∞)', () => {
  checkLeaks();

  // Class 2 has probability 0 at every step of row 0 and at step 1 of row 1.
  const lp = logProbsOf(2, 4, 3).map((rows, b) =>
    rows.map((row, t) => {
      if (b === 1 && t !== 1) return row;
      const z = [row[0] as number, row[1] as number];
      const lse = Math.log(Math.exp(z[0] as number) + Math.exp(z[1] as number));
      return [...z.map((v) => v - lse), Number.NEGATIVE_INFINITY];
    }),
  );
  const labels = [[1], [2, 1]];

  it.each([false, true])('should equal brute force, gradient finite (reference only: %s)', (reference) => {
    const saved = reference
      ? [ctcLoss.name, ctcLoss.gradName].flatMap((name) => {
          const k = tf.getKernel(name, tf.getBackend());
          if (k != null) tf.unregisterKernel(name, k.backendName);
          return k == null ? [] : [k];
        })
      : [];
    try {
      const inputs = inputsOf(lp, labels, [4, 4], 0);
      const { logProbs, ...rest } = inputs;
      const run = (x: tf.Tensor) =>
        runKernel(ctcLoss, { logProbs: x as tf.Tensor3D, ...rest }, { blank: 0, zeroInfinity: false }).losses;
      const losses = run(logProbs);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(run(x)))(logProbs);
      const expected = lp.map((rows, b) => bruteNll(rows, labels[b] as number[], 0));
      expectClose(Array.from(losses.dataSync()), expected, { rtol: 1e-5, atol: 1e-5 });
      expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([losses, grad, ...Object.values(inputs)]);
    } finally {
      for (const k of saved) tf.registerKernel(k);
    }
  });
});

import { RecurError, Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import { type CtcLossOptions, ctcLoss } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

type LogProbs = number[][][];

/** Random log-softmax rows, [batch][time][classes]. */
function randomLogProbs(seed: number, batch: number, time: number, classes: number): LogProbs {
  const rng = new Rng(seed);
  return Array.from({ length: batch }, () =>
    Array.from({ length: time }, () => {
      const z = Array.from({ length: classes }, () => 3 * (rng.next() - 0.5));
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((a, x) => a + Math.exp(x - m), 0));
      return z.map((x) => x - lse);
    }),
  );
}

/** The label a frame path emits: repeats merged, then blanks dropped. */
function collapse(path: readonly number[], blank: number): number[] {
  return path.filter((k, t) => k !== blank && (t === 0 || path[t - 1] !== k));
}

/** −ln Σ over every frame path of the row's first `length` steps that collapses to `label`, in float64. */
function bruteNll(rows: number[][], length: number, label: readonly number[], blank: number): number {
  const classes = (rows[0] as number[]).length;
  let total = 0;
  const walk = (t: number, path: number[], logp: number) => {
    if (t === length) {
      const emitted = collapse(path, blank);
      if (emitted.length === label.length && emitted.every((k, i) => k === label[i])) total += Math.exp(logp);
      return;
    }
    for (let k = 0; k < classes; k++) walk(t + 1, [...path, k], logp + (rows[t]?.[k] as number));
  };
  walk(0, [], 0);
  return -Math.log(total);
}

function bruteLosses(lp: LogProbs, labels: number[][], lengths: number[], blank: number): number[] {
  return lp.map((rows, b) => bruteNll(rows, lengths[b] as number, labels[b] as number[], blank));
}

const readAndDispose = (t: tf.Tensor) => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

describeBackends('ctcLoss', () => {
  checkLeaks();

  describe('per row', () => {
    const cases: [string, number[][], number[], number][] = [
      ['distinct labels, full lengths', [[1, 2], [2], [1, 2, 1]], [6, 6, 6], 0],
      [
        'repeated labels need a blank between them',
        [
          [1, 1],
          [2, 2, 2],
          [1, 1, 2],
        ],
        [6, 5, 4],
        0,
      ],
      ['empty labels: all blanks', [[], [], [1]], [6, 3, 1], 0],
      ['a blank index other than 0', [[0, 1], [1, 1], []], [5, 6, 4], 2],
      ['the shortest fitting inputs', [[1, 2, 1], [1, 1], [2]], [3, 3, 1], 0],
    ];
    it.each(cases)('should equal brute-force enumeration of all alignments: %s', (_name, labels, lengths, blank) => {
      const lp = randomLogProbs(
        lengths.reduce((a, b) => a + b, 0),
        3,
        6,
        3,
      );
      const x = tf.tensor3d(lp);
      const got = readAndDispose(ctcLoss(x, { labels, inputLengths: lengths, blank, reduction: 'none' }));
      expectClose(got, bruteLosses(lp, labels, lengths, blank), { rtol: 1e-5, atol: 1e-6 });
      x.dispose();
    });

    it('should give p = (number of alignments) / C^T for uniform probabilities', () => {
      // Label [1] over T = 3 with 3 classes: the paths b b 1, b 1 b, 1 b b, b 1 1, 1 1 b, 1 1 1 (6 of 27).
      const x = tf.fill([1, 3, 3], Math.log(1 / 3)) as tf.Tensor3D;
      const [loss] = readAndDispose(ctcLoss(x, { labels: [[1]], reduction: 'none' }));
      expect(loss).toBeCloseTo(-Math.log(6 / 27), 5);
      x.dispose();
    });

    it('should give probabilities that sum to 1 over every label a row can emit (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 3 }), (seed, time) => {
          const lp = randomLogProbs(seed, 1, time, 3);
          const x = tf.tensor3d(lp);
          const labels: number[][] = [[]];
          for (let n = 1; n <= time; n++) {
            for (const prefix of labels.filter((l) => l.length === n - 1)) labels.push([...prefix, 1], [...prefix, 2]);
          }
          let total = 0;
          for (const label of labels) {
            const [nll] = readAndDispose(ctcLoss(x, { labels: [label], reduction: 'none', zeroInfinity: true }));
            // zeroInfinity maps impossible labels to 0; those have p = 0.
            if (label.length + label.filter((k, i) => i > 0 && label[i - 1] === k).length <= time) {
              total += Math.exp(-(nll as number));
            }
          }
          x.dispose();
          expect(total).toBeCloseTo(1, 4);
        }),
        { numRuns: 15 },
      );
    });
  });

  describe('PyTorch parity', () => {
    // torch.nn.functional.ctc_loss (PyTorch 1.13, float64) on log_softmax(x) with
    // x[b, t, c] = 2 sin(1 + 7b + 3t + 1.3c); the gradient is in x, through log_softmax
    // (PyTorch's own gradient in the log-probabilities differs from the true one, see
    // ctc-lattice.ts, but agrees after log_softmax).
    const x = () =>
      tf.tensor3d(
        Array.from({ length: 4 }, (_, b) =>
          Array.from({ length: 12 }, (_, t) =>
            Array.from({ length: 6 }, (_, c) => 2 * Math.sin(1 + 7 * b + 3 * t + 1.3 * c)),
          ),
        ),
      );
    const options = { labels: [[1, 2, 2, 3], [5], [], [4, 4, 4, 1, 2]], inputLengths: [12, 7, 5, 12] };

    it("should equal nn.CTCLoss per row and for 'mean', and its gradient through log_softmax", () => {
      const logits = x();
      const perRow = readAndDispose(tf.tidy(() => ctcLoss(tf.logSoftmax(logits), { ...options, reduction: 'none' })));
      expectClose(perRow, [19.381038, 13.828186, 11.684829, 17.740766], { rtol: 1e-5 });
      const [mean] = readAndDispose(tf.tidy(() => ctcLoss(tf.logSoftmax(logits), options)));
      expect(mean).toBeCloseTo(8.476607, 4);
      const g = readAndDispose(tf.grad((z: tf.Tensor) => ctcLoss(tf.logSoftmax(z) as tf.Tensor3D, options))(logits));
      expectClose(g.slice(0, 6), [-0.0100673, -0.0178422, 0.001453, 0.0004935, 0.0029817, 0.0229812], { atol: 1e-6 });
      const last = (3 * 12 + 11) * 6;
      expectClose(g.slice(last, last + 6), [-0.0106569, 0.0027574, -0.0131296, 0.0186828, 0.0017, 0.0006462], {
        atol: 1e-6,
      });
      logits.dispose();
    });
  });

  describe('reductions', () => {
    const labels = [[1, 2], [], [2, 2, 1]];
    const lengths = [6, 4, 5];
    const lp = randomLogProbs(5, 3, 6, 3);
    const brute = bruteLosses(lp, labels, lengths, 0);

    it("should divide each row by its label length (at least 1) and average for 'mean', as PyTorch", () => {
      const x = tf.tensor3d(lp);
      const [mean] = readAndDispose(ctcLoss(x, { labels, inputLengths: lengths }));
      const expected = brute.reduce((a, v, b) => a + v / Math.max((labels[b] as number[]).length, 1), 0) / 3;
      expect(mean).toBeCloseTo(expected, 4);
      const [sum] = readAndDispose(ctcLoss(x, { labels, inputLengths: lengths, reduction: 'sum' }));
      expect(sum).toBeCloseTo(
        brute.reduce((a, v) => a + v, 0),
        4,
      );
      x.dispose();
    });
  });

  describe('gradient', () => {
    it.each(['mean', 'sum', 'none'] as const)(
      'should match float64 central differences of the brute-force loss, zero past each input length: %s',
      (reduction) => {
        const labels = [[1, 1], [2], [], [1, 2]];
        const lengths = [5, 3, 2, 4];
        const weights = [0.5, -1.5, 2, 1];
        const lp = randomLogProbs(9, 4, 5, 3);
        const reduce = (losses: number[]) =>
          losses.reduce((a, v, b) => {
            const n = Math.max((labels[b] as number[]).length, 1);
            if (reduction === 'none') return a + v * (weights[b] as number);
            return a + (reduction === 'mean' ? v / n / 4 : v);
          }, 0);
        const x = tf.tensor3d(lp);
        const w = tf.tensor1d(weights);
        const g = tf.grad((input: tf.Tensor) => {
          const loss = ctcLoss(input as tf.Tensor3D, { labels, inputLengths: lengths, reduction });
          return reduction === 'none' ? tf.sum(tf.mul(loss, w)) : loss;
        })(x);
        const h = 1e-6;
        const numeric = lp.flatMap((rows, b) =>
          rows.flatMap((row, t) =>
            row.map((_, k) => {
              const shifted = (d: number) => {
                const copy = structuredClone(lp);
                (copy[b]?.[t] as number[])[k] = (row[k] as number) + d;
                return reduce(bruteLosses(copy, labels, lengths, 0));
              };
              return (shifted(h) - shifted(-h)) / (2 * h);
            }),
          ),
        );
        const analytic = readAndDispose(g);
        expectClose(analytic, numeric, { rtol: 1e-3, atol: 1e-5 });
        // Row 1 (length 3) and row 2 (length 2) get nothing past their lengths.
        expect(analytic.slice(1 * 15 + 9, 2 * 15).every((v) => v === 0)).toBe(true);
        expect(analytic.slice(2 * 15 + 6, 3 * 15).every((v) => v === 0)).toBe(true);
        tf.dispose([x, w]);
      },
    );
  });

  describe('impossible alignments', () => {
    const lp = randomLogProbs(3, 2, 4, 3);

    it('should name the row whose label cannot fit, with what it needs', () => {
      const x = tf.tensor3d(lp);
      const options: CtcLossOptions = { labels: [[1], [1, 1, 2]], inputLengths: [4, 3] };
      expect(() => ctcLoss(x, options)).toThrow(RecurError);
      expect(() => ctcLoss(x, options)).toThrow(
        /row 1: no alignment of its 3 labels fits in its 3 input steps .*at least 4/,
      );
      x.dispose();
    });

    it('should give 0 and no gradient for that row with zeroInfinity, as PyTorch, leaving the others', () => {
      const x = tf.tensor3d(lp);
      const options = {
        labels: [[1], [1, 1, 2]],
        inputLengths: [4, 3],
        zeroInfinity: true,
        reduction: 'none',
      } as const;
      const losses = readAndDispose(ctcLoss(x, options));
      expect(losses[1]).toBe(0);
      expect(losses[0]).toBeCloseTo(bruteNll(lp[0] as number[][], 4, [1], 0), 5);
      const g = readAndDispose(tf.grad((input: tf.Tensor) => tf.sum(ctcLoss(input as tf.Tensor3D, options)))(x));
      expect(g.slice(12).every((v) => v === 0)).toBe(true);
      expect(g.slice(0, 12).some((v) => v !== 0)).toBe(true);
      x.dispose();
    });
  });

  describe('bad input', () => {
    it('should name the argument, what it expected and what came', () => {
      const x = tf.tensor3d(randomLogProbs(1, 2, 3, 3));
      const flat = tf.zeros([2, 3]);
      const cases: [() => unknown, string, RegExp][] = [
        [
          () => ctcLoss(flat as never, { labels: [] }),
          'SHAPE_MISMATCH',
          /^logProbs: expected a float32 tensor of shape \[batch, time, classes\]/,
        ],
        [() => ctcLoss(x, { labels: [[1]] }), 'BAD_DATA', /^options.labels: expected an array of 2 label arrays/],
        [
          () => ctcLoss(x, { labels: [[1], [0]] }),
          'BAD_DATA',
          /^options.labels\[1\]\[0\]: expected a class id in \[0, 3\) other than the blank 0, received 0/,
        ],
        [() => ctcLoss(x, { labels: [[1], [3]] }), 'BAD_DATA', /^options.labels\[1\]\[0\].*received 3/],
        [
          () => ctcLoss(x, { labels: [[1], [2]], inputLengths: [3, 4] }),
          'BAD_DATA',
          /^options.inputLengths\[1\]: expected an integer in \[0, 3\], received 4/,
        ],
        [
          () => ctcLoss(x, { labels: [[1], [2]], blank: 3 }),
          'BAD_CONFIG',
          /^options.blank: expected an integer in \[0, 3\)/,
        ],
        [() => ctcLoss(x, { labels: [[1], [2]], reduction: 'avg' as never }), 'BAD_CONFIG', /^options.reduction/],
        [() => ctcLoss(x, { labels: [[1], [2]], lengths: [1, 1] } as never), 'BAD_CONFIG', /^options.lengths/],
      ];
      for (const [run, code, message] of cases) {
        const before = tf.memory().numTensors;
        let error: unknown;
        try {
          run();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RecurError);
        expect((error as RecurError).code).toBe(code);
        expect((error as RecurError).message).toMatch(message);
        expect(tf.memory().numTensors - before).toBe(0);
      }
      tf.dispose([x, flat]);
    });
  });
});

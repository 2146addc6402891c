import { mlstm, slstm } from '@recur/cells';
import { type Carry, type Cell, RecurError, Rng, scan } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { xlstmBlock, xlstmStack } from '../src/index.js';
import { randomTensor } from './helpers/oracle.js';

const [B, T, D] = [2, 6, 4];
/** GELU in its tanh form (Hendrycks & Gimpel 2016, eq. 2), as core's `gelu` activation. */
const gelu = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
const swish = (v: number) => v / (1 + Math.exp(-v));

/** Row-wise layer norm of `[n, w]` rows in float64 (gain 1, shift 0, as a fresh block). */
function layerNorm(rows: number[][], eps = 1e-5): number[][] {
  return rows.map((r) => {
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const variance = r.reduce((a, b) => a + (b - mean) ** 2, 0) / r.length;
    return r.map((v) => (v - mean) / Math.sqrt(variance + eps));
  });
}

const matmul = (a: number[][], w: number[][]) =>
  a.map((r) => (w[0] as number[]).map((_, j) => r.reduce((s, v, k) => s + v * (w[k] as number[])[j]!, 0)));

/** The cell over `rows` ([B·T, n], batch-major) by scan: the cell itself is tested against its paper. */
function cellRows(cell: Cell, params: unknown, rows: number[][]): number[][] {
  return tf.tidy(() => {
    const xs = tf.tensor3d(rows.flat(), [B, T, cell.inputSize]);
    const ys = scan(cell, params as never, xs).outputs;
    return (tf.reshape(ys, [B * T, cell.outputSize]).arraySync() as number[][]).map((r) => r.slice());
  });
}

describeBackends('xlstm blocks', () => {
  checkLeaks();

  it('should compute the post-up-projection block of fig. 9 (h = x + sLSTM(LN x); y = h + FFN(LN h))', () => {
    const block = xlstmBlock('postUpProjection', slstm({ inputSize: D, units: D, heads: 2 }), D);
    const params = block.init(new Rng(1));
    const x = randomTensor<tf.Rank.R3>([B, T, D], 2);
    const out = block.apply(params, x);
    const rows = x.arraySync().flat() as number[][];
    const cellOut = cellRows(block.cell as Cell, params.cell, layerNorm(rows));
    const h = rows.map((r, i) => r.map((v, j) => v + (cellOut[i] as number[])[j]!));
    const n = layerNorm(h);
    const [gate, up, down] = [params.gate, params.up, params.down].map((w) => w.arraySync() as number[][]);
    const inner = matmul(n, gate!).map((r, i) => r.map((v, j) => gelu(v) * (matmul(n, up!)[i] as number[])[j]!));
    const expected = matmul(inner, down!).map((r, i) => r.map((v, j) => v + (h[i] as number[])[j]!));
    expectClose(out.output, expected.flat(), { rtol: 1e-5, atol: 1e-5 });
    expect(block.outputSize).toBe(D);
    tf.dispose([params, x, out] as tf.TensorContainer[]);
  });

  it('should compute the pre-up-projection block of fig. 10 (y = x + ((mLSTM(a) + s⊙a) ⊙ swish(b))·W_down)', () => {
    const block = xlstmBlock('preUpProjection', mlstm({ inputSize: 2 * D, units: 2 * D, heads: 2 }), D);
    const params = block.init(new Rng(2));
    const x = randomTensor<tf.Rank.R3>([B, T, D], 3);
    const out = block.apply(params, x);
    const rows = x.arraySync().flat() as number[][];
    const z = layerNorm(rows);
    const [up, gate, down] = [params.up, params.gate, params.down].map((w) => w.arraySync() as number[][]);
    const a = matmul(z, up!);
    const b = matmul(z, gate!);
    const cellOut = cellRows(block.cell as Cell, params.cell, a);
    const skip = Array.from(params.skip!.dataSync());
    const gated = cellOut.map((r, i) =>
      r.map((v, j) => (v + skip[j]! * (a[i] as number[])[j]!) * swish((b[i] as number[])[j]!)),
    );
    const expected = matmul(gated, down!).map((r, i) => r.map((v, j) => v + (rows[i] as number[])[j]!));
    expectClose(out.output, expected.flat(), { rtol: 1e-5, atol: 1e-5 });
    tf.dispose([params, x, out] as tf.TensorContainer[]);
  });

  describe('xlstmStack', () => {
    const blocks = {
      m: xlstmBlock('preUpProjection', mlstm({ inputSize: 2 * D, units: 2 * D, heads: 2, chunkSize: 2 }), D, {
        returnState: true,
      }),
      s: xlstmBlock('postUpProjection', slstm({ inputSize: D, units: D, heads: 2 }), D, { returnState: true }),
    };

    it("should stack blocks by the pattern 'msmm', each with its own weights", () => {
      const model = xlstmStack('msmm', blocks);
      const params = model.init(new Rng(3)) as unknown as { cell: Carry }[];
      expect(model.layers.map((l) => (l as { blockKind?: string }).blockKind)).toEqual([
        'preUpProjection',
        'postUpProjection',
        'preUpProjection',
        'preUpProjection',
      ]);
      expect(params[0]!.cell.kernel!.dataSync()).not.toEqual(params[2]!.cell.kernel!.dataSync());
      tf.dispose(params as unknown as tf.TensorContainer);
    });

    it('should give in two halves, the state passed back in, what one run over the whole sequence gives (TBPTT, streaming)', () => {
      const model = xlstmStack('msm', blocks);
      const params = model.init(new Rng(4));
      const x = randomTensor<tf.Rank.R3>([B, T, D], 5);
      tf.tidy(() => {
        const whole = model.apply(params, x);
        const first = model.apply(params, tf.slice(x, [0, 0, 0], [B, T / 2, D]) as tf.Tensor3D);
        const second = model.apply(params, tf.slice(x, [0, T / 2, 0], [B, T / 2, D]) as tf.Tensor3D, {
          initialState: first.state,
        });
        expectClose(tf.concat([first.output, second.output] as tf.Tensor3D[], 1), whole.output as tf.Tensor, {
          rtol: 1e-5,
          atol: 1e-5,
        });
      });
      tf.dispose([params, x] as tf.TensorContainer[]);
    });

    it('should give the real steps of a padded row what the unpadded row gives, and pass the mask on', () => {
      const model = xlstmStack('sm', blocks);
      const params = model.init(new Rng(5));
      const x = randomTensor<tf.Rank.R3>([B, T, D], 6);
      const mask = tf.tensor2d([
        [1, 1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 1],
      ]);
      tf.tidy(() => {
        const padded = model.apply(params, x, { mask });
        const short = model.apply(params, tf.slice(x, [0, 0, 0], [1, 4, D]) as tf.Tensor3D);
        expectClose(tf.slice(padded.output as tf.Tensor3D, [0, 0, 0], [1, 4, D]), short.output as tf.Tensor, {
          rtol: 1e-5,
          atol: 1e-5,
        });
        expectClose(padded.mask as tf.Tensor, mask);
      });
      tf.dispose([params, x, mask] as tf.TensorContainer[]);
    });

    it('should train: every weight of every block gets a finite, non-zero gradient', () => {
      const model = xlstmStack('ms', blocks);
      const params = model.init(new Rng(6));
      const x = randomTensor<tf.Rank.R3>([B, T, D], 7);
      const leaves = tf.tidy(() => {
        const flat: tf.Tensor[] = [];
        const walk = (p: unknown) => {
          if (p instanceof tf.Tensor) flat.push(p);
          else if (p !== null && typeof p === 'object') for (const v of Object.values(p)) walk(v);
        };
        walk(params);
        const rebuild = (p: unknown, values: tf.Tensor[]): unknown => {
          if (p instanceof tf.Tensor) return values.shift();
          if (Array.isArray(p)) return p.map((v) => rebuild(v, values));
          return Object.fromEntries(Object.entries(p as object).map(([k, v]) => [k, rebuild(v, values)]));
        };
        const grads = tf.grads((...ts: tf.Tensor[]) =>
          tf.sum(tf.square(model.apply(rebuild(params, [...ts]) as typeof params, x).output as tf.Tensor)),
        )(flat);
        return grads.map((g) => Array.from(g.dataSync()));
      });
      for (const g of leaves) {
        expect(g.every(Number.isFinite)).toBe(true);
        expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(0);
      }
      tf.dispose([params, x] as tf.TensorContainer[]);
    });
  });

  describe('config', () => {
    it('should reject a cell of the wrong width, naming what the block needs', () => {
      expect(() => xlstmBlock('preUpProjection', slstm({ inputSize: D, units: D }), D)).toThrow(
        /xlstmBlock cell: expected a cell with inputSize and outputSize 8/,
      );
      expect(() => xlstmBlock('postUpProjection', slstm({ inputSize: D, units: D }), D + 1)).toThrow(RecurError);
    });

    it.each([
      [() => xlstmBlock('sideways' as never, slstm({ inputSize: D, units: D }), D), /xlstmBlock kind/],
      [
        () => xlstmBlock('postUpProjection', slstm({ inputSize: D, units: D }), D, { projectionFactor: 0 }),
        /projectionFactor/,
      ],
      [() => xlstmStack('', {}), /xlstmStack pattern/],
      [
        () => xlstmStack('mx', { m: xlstmBlock('postUpProjection', slstm({ inputSize: D, units: D }), D) }),
        /pattern\[1\]/,
      ],
    ])('should throw a RecurError naming the bad argument (%#)', (make, message) => {
      expect(make).toThrow(RecurError);
      expect(make).toThrow(message);
    });
  });
});

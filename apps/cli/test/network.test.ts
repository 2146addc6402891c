import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BLOCK_CELLS } from '../src/model/blocks.js';
import { finalNorm } from '../src/model/final-norm.js';
import { ALL_CELL_CHOICES, network } from '../src/model/network.js';
import { leaves } from '../src/model/params.js';

describeBackends('network', () => {
  checkLeaks();

  describe.each(BLOCK_CELLS)('of %s blocks', (cell) => {
    // Widths 8 and 6 give the xLSTM cells 4 heads and 1; a 5-wide input needs a projection (RWKV's own).
    it.each([
      [{ kind: 'tokens', vocabSize: 9, dim: 5 } as const, 8],
      [{ kind: 'tokens', vocabSize: 9, dim: 6 } as const, 6],
      [{ kind: 'features', size: 3 } as const, 6],
    ])('should count the weights init makes before making any (input %j, units %i)', (input, units) => {
      const net = network({ input, cell, layers: 2, units, outputs: 4, perStep: true });
      const params = net.init(new Rng(1));
      const made = leaves(params).reduce((n, [, t]) => n + t.size, 0);
      expect(net.parameterCount).toBe(made);
      tf.dispose(leaves(params).map(([, t]) => t));
    });
  });

  it.each([
    [{ kind: 'tokens', vocabSize: 9, dim: 5 } as const, 1],
    [{ kind: 'features', size: 3 } as const, 3],
  ])('should count the weights init makes for a time-delay stack (input %j, %i layers)', (input, layers) => {
    const net = network({ input, cell: 'lstm', model: 'tdnn', layers, units: 4, outputs: 2, perStep: false });
    const params = net.init(new Rng(1));
    expect(net.parameterCount).toBe(leaves(params).reduce((n, [, t]) => n + t.size, 0));
    tf.dispose(leaves(params).map(([, t]) => t));
  });

  it('should normalise the residual stream of every step before the head (zero mean, unit variance), passing the mask on', () => {
    const norm = finalNorm(4);
    const params = norm.init(new Rng(1));
    const x = tf.tensor3d([
      [
        [1, 2, 3, 4],
        [100, -50, 0, 7],
      ],
    ]);
    const mask = tf.tensor2d([[1, 0]]);
    const out = norm.apply(params, x, { mask });
    const [mean, variance] = tf.tidy(() => {
      const m = tf.moments(out.output, -1);
      return [m.mean.arraySync() as number[][], m.variance.arraySync() as number[][]];
    });
    expectClose(mean.flat(), [0, 0], { atol: 1e-5 });
    expectClose(variance.flat(), [1, 1], { atol: 1e-3 });
    expect(out.mask?.arraySync()).toEqual([[1, 0]]);
    const narrow = tf.zeros([1, 2, 3]) as tf.Tensor3D;
    expect(() => norm.apply(params, narrow)).toThrow(/expected a sequence \[batch, time, 4\]/);
    tf.dispose([x, narrow, mask, out.output, out.mask as tf.Tensor, params.gain, params.shift]);
  });

  it('should drop out each layer input and the head input while training only, the masks drawn from the given rng', () => {
    const config = { input: { kind: 'tokens', vocabSize: 9, dim: 4 }, cell: 'lstm', layers: 2, units: 6 } as const;
    const plain = network({ ...config, outputs: 3, perStep: true });
    const dropped = network({ ...config, outputs: 3, perStep: true, dropout: 0.5 });
    expect(dropped.parameterCount).toBe(plain.parameterCount);
    const kinds = (dropped.layer as unknown as { layers: readonly { kind: string }[] }).layers.map((l) => l.kind);
    expect(kinds).toEqual(['embedding', 'dropout', 'recurrent', 'dropout', 'recurrent', 'dropout', 'dense']);
    const params = dropped.init(new Rng(4));
    // The same weights without the (weightless) dropout entries.
    const plainParams = params.filter((_, i) => kinds[i] !== 'dropout');
    const ids = tf.tensor2d(
      [
        [1, 2, 3, 4, 5],
        [6, 7, 8, 0, 2],
      ],
      [2, 5],
      'int32',
    );
    const run = (net: typeof plain, p: typeof params, options: Parameters<typeof plain.apply>[2] = {}) =>
      tf.tidy(() => {
        const out = net.apply(p, ids, options);
        tf.dispose(out.state as tf.TensorContainer);
        return out.output.arraySync() as number[][][];
      });
    const reference = run(plain, plainParams);
    expectClose(run(dropped, params).flat(2), reference.flat(2), { atol: 0 });
    expectClose(run(dropped, params, { training: false, rng: new Rng(1) }).flat(2), reference.flat(2), { atol: 0 });
    const trained = run(dropped, params, { training: true, rng: new Rng(1) });
    expect(trained.flat(2).some((v, i) => Math.abs(v - (reference.flat(2)[i] as number)) > 1e-3)).toBe(true);
    expect(run(dropped, params, { training: true, rng: new Rng(1) })).toEqual(trained);
    expect(() => dropped.apply(params, ids, { training: true })).toThrow(/rng/);
    ids.dispose();
    tf.dispose(leaves(params).map(([, t]) => t));
  });

  // Every body the CLI builds, read once per sequence by each head.
  const bodies = [
    ...ALL_CELL_CHOICES.map((cell) => ({ cell, name: cell })),
    { cell: 'lstm' as const, model: 'tdnn' as const, name: 'tdnn' },
  ];

  describe.each(bodies)('of $name', ({ name: _, ...body }) => {
    it.each(['max', 'last'] as const)('should give a padded text the output it gives alone (pool %s)', (pool) => {
      const net = network({
        input: { kind: 'tokens', vocabSize: 9, dim: 4, paddingId: 0 },
        ...body,
        layers: 2,
        units: 4,
        outputs: 3,
        perStep: false,
        pool,
      });
      const params = net.init(new Rng(2));
      const outputOf = (rows: number[][]) =>
        tf.tidy(() => {
          const out = net.apply(params, tf.tensor2d(rows, [rows.length, rows[0]?.length ?? 0], 'int32'));
          tf.dispose(out.state as tf.TensorContainer);
          return out.output.arraySync() as number[][];
        });
      const padded = outputOf([
        [3, 4, 5, 0, 0],
        [6, 7, 8, 2, 1],
      ]);
      expectClose(padded[0] as number[], outputOf([[3, 4, 5]])[0] as number[], { atol: 1e-5 });
      expectClose(padded[1] as number[], outputOf([[6, 7, 8, 2, 1]])[0] as number[], { atol: 1e-5 });
      tf.dispose(leaves(params).map(([, t]) => t));
    });
  });
});

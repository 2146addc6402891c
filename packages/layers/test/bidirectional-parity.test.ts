import { elman, gru, lstm } from '@recur/cells';
import type { Cell } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, it } from 'vitest';
import { bidirectional, type LayerOutput, type MergeMode, type RecurrentOptions, recurrent } from '../src/index.js';
import { expectOracleParity, maskFromRanges, type OracleKind, oracleRnn, randomTensor } from './helpers/oracle.js';

const INPUT = 3;
const UNITS = 4;

const CELLS: Record<OracleKind, { cell: () => Cell; stateKeys: readonly string[] }> = {
  simpleRNN: { cell: () => elman({ inputSize: INPUT, units: UNITS }), stateKeys: ['h'] },
  lstm: { cell: () => lstm({ inputSize: INPUT, units: UNITS }), stateKeys: ['h', 'c'] },
  gru: { cell: () => gru({ inputSize: INPUT, units: UNITS, resetAfter: false }), stateKeys: ['h'] },
};

interface Run {
  readonly kind?: OracleKind;
  readonly merge: MergeMode;
  readonly batch: number;
  readonly time: number;
  readonly options: RecurrentOptions;
  readonly mask?: readonly (readonly [number, number])[];
  readonly initialState?: boolean;
  readonly gradients?: boolean;
}

function check(run: Run): void {
  const { batch, time, options, merge } = run;
  const { cell, stateKeys } = CELLS[run.kind ?? 'lstm'];
  const x = randomTensor<tf.Rank.R3>([batch, time, INPUT], 2);
  const mask = run.mask === undefined ? undefined : maskFromRanges(run.mask, time);
  const count = 2 * stateKeys.length;
  const states = run.initialState
    ? Array.from({ length: count }, (_, i) => randomTensor([batch, UNITS], 20 + i, 0.5))
    : undefined;
  const carry = (s: readonly tf.Tensor[]) => Object.fromEntries(stateKeys.map((k, i) => [k, s[i]]));
  const carryList = (c: unknown) => stateKeys.map((k) => (c as Record<string, tf.Tensor>)[k] as tf.Tensor);
  const flatten = (r: LayerOutput<unknown, unknown>) => {
    const state = r.state as { forward: unknown; backward: unknown } | undefined;
    return [
      ...(merge === 'none' ? (r.output as tf.Tensor[]) : [r.output as tf.Tensor]),
      ...(state === undefined ? [] : [...carryList(state.forward), ...carryList(state.backward)]),
    ];
  };
  const oracle = tfl.layers.bidirectional({
    layer: oracleRnn(run.kind ?? 'lstm', {
      units: UNITS,
      returnSequences: options.returnSequences ?? false,
      returnState: options.returnState ?? false,
      goBackwards: options.reverse ?? false,
    }) as tfl.RNN,
    // tfjs-layers spells merge 'none' as null.
    mergeMode: (merge === 'none' ? null : merge) as 'concat',
  });
  try {
    expectOracleParity({
      // tfjs-layers' Bidirectional repeats the previous output at masked steps.
      recur: bidirectional(recurrent(cell(), options), { merge, maskedOutput: 'previous' }) as never,
      oracle,
      x,
      ...(mask === undefined ? {} : { mask }),
      ...(states === undefined
        ? {}
        : {
            initialState: {
              oracle: states,
              toRecur: (s: tf.Tensor[]) => ({
                forward: carry(s.slice(0, count / 2)),
                backward: carry(s.slice(count / 2)),
              }),
            },
          }),
      flatten,
      gradients: run.gradients ?? true,
    });
  } finally {
    x.dispose();
    mask?.dispose();
    tf.dispose(states);
  }
}

describeBackends('bidirectional', () => {
  checkLeaks();

  describe('LSTM against tfjs-layers Bidirectional', () => {
    it.each(['concat', 'sum', 'ave', 'mul', 'none'] as const)(
      "should match sequences merged with '%s', final states and gradients (batch 7)",
      (merge) => {
        check({ merge, batch: 7, time: 5, options: { returnSequences: true, returnState: true } });
      },
    );

    it('should match last outputs from given initial states for batch 1, gradients included', () => {
      check({ merge: 'concat', batch: 1, time: 4, options: { returnState: true }, initialState: true });
    });

    it('should match a masked run (padding at either end and inside), outputs aligned in time', () => {
      check({
        merge: 'concat',
        batch: 7,
        time: 6,
        options: { returnSequences: true, returnState: true },
        mask: [
          [0, 6],
          [0, 3],
          [2, 6],
          [1, 4],
          [0, 1],
          [5, 6],
          [0, 0],
        ],
      });
    });

    it('should match the last outputs of a masked run', () => {
      check({
        merge: 'sum',
        batch: 7,
        time: 5,
        options: {},
        mask: [
          [0, 5],
          [0, 2],
          [1, 5],
          [0, 1],
          [2, 3],
          [0, 4],
          [3, 5],
        ],
      });
    });

    it('should match a wrapped layer that already goes backwards', () => {
      check({ merge: 'concat', batch: 7, time: 5, options: { returnSequences: true, reverse: true } });
    });

    it("should match outputs and states at time 1 (gradients not compared: tfjs-layers' throw at time 1, tfjs#1529)", () => {
      check({
        merge: 'concat',
        batch: 7,
        time: 1,
        options: { returnSequences: true, returnState: true },
        gradients: false,
      });
    });
  });

  describe.each(['simpleRNN', 'gru'] as const)('%s against tfjs-layers Bidirectional', (kind) => {
    it('should match concatenated sequences, final states and gradients', () => {
      check({ kind, merge: 'concat', batch: 7, time: 4, options: { returnSequences: true, returnState: true } });
    });

    it('should match averaged last outputs from initial states', () => {
      check({ kind, merge: 'ave', batch: 7, time: 4, options: { returnState: true }, initialState: true });
    });
  });
});

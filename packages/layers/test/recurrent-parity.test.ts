import { elman, gru, lstm } from '@recur/cells';
import type { Cell } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { type LayerOutput, type RecurrentOptions, recurrent } from '../src/index.js';
import { expectOracleParity, maskFromRanges, type OracleKind, oracleRnn, randomTensor } from './helpers/oracle.js';

const INPUT = 3;
const UNITS = 4;

const KINDS: readonly { name: string; oracle: OracleKind; cell: () => Cell; stateKeys: readonly string[] }[] = [
  { name: 'SimpleRNN', oracle: 'simpleRNN', cell: () => elman({ inputSize: INPUT, units: UNITS }), stateKeys: ['h'] },
  { name: 'LSTM', oracle: 'lstm', cell: () => lstm({ inputSize: INPUT, units: UNITS }), stateKeys: ['h', 'c'] },
  {
    name: 'GRU (resetAfter false)',
    oracle: 'gru',
    cell: () => gru({ inputSize: INPUT, units: UNITS, resetAfter: false }),
    stateKeys: ['h'],
  },
];

interface Run {
  readonly batch: number;
  readonly time: number;
  readonly options: RecurrentOptions;
  readonly mask?: readonly (readonly [number, number])[];
  readonly initialState?: boolean;
  readonly gradients?: boolean;
}

describeBackends('recurrent', () => {
  checkLeaks();

  describe.each(KINDS)('$name against tfjs-layers', (kind) => {
    function check(run: Run): void {
      const { batch, time, options } = run;
      const x = randomTensor<tf.Rank.R3>([batch, time, INPUT], 1);
      const mask = run.mask === undefined ? undefined : maskFromRanges(run.mask, time);
      const states = run.initialState
        ? kind.stateKeys.map((_, i) => randomTensor([batch, UNITS], 10 + i, 0.5))
        : undefined;
      const flatten = (r: LayerOutput<unknown, unknown>) => [
        r.output as tf.Tensor,
        ...(r.state === undefined
          ? []
          : kind.stateKeys.map((k) => (r.state as Record<string, tf.Tensor>)[k] as tf.Tensor)),
      ];
      try {
        expectOracleParity({
          recur: recurrent(kind.cell(), options) as never,
          oracle: oracleRnn(kind.oracle, {
            units: UNITS,
            returnSequences: options.returnSequences ?? false,
            returnState: options.returnState ?? false,
            goBackwards: options.reverse ?? false,
          }),
          x,
          ...(mask === undefined ? {} : { mask }),
          ...(states === undefined
            ? {}
            : {
                initialState: {
                  oracle: states,
                  toRecur: (s: tf.Tensor[]) => Object.fromEntries(kind.stateKeys.map((k, i) => [k, s[i]])),
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

    it('should match outputs, final state and gradients over sequences of batch 7', () => {
      check({ batch: 7, time: 5, options: { returnSequences: true, returnState: true } });
    });

    it('should match the last output and its gradients for batch 1', () => {
      check({ batch: 1, time: 4, options: {} });
    });

    it('should match goBackwards (reverse: outputs in processing order) with gradients', () => {
      check({ batch: 7, time: 5, options: { returnSequences: true, reverse: true } });
    });

    it('should match the last output and final state of a reversed run', () => {
      check({ batch: 7, time: 5, options: { reverse: true, returnState: true } });
    });

    it('should match runs from given initial states, gradients with respect to them included', () => {
      check({ batch: 7, time: 4, options: { returnSequences: true, returnState: true }, initialState: true });
    });

    it("should match outputs and final state at time 1 (gradients not compared: tfjs-layers' throw at time 1, tfjs#1529)", () => {
      check({ batch: 7, time: 1, options: { returnSequences: true, returnState: true }, gradients: false });
    });

    it("should match a masked run with maskedOutput 'previous' (padding at either end, inside, everywhere)", () => {
      check({
        batch: 7,
        time: 6,
        options: { returnSequences: true, returnState: true, maskedOutput: 'previous' },
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

    it('should match a masked reversed run and its last output', () => {
      check({
        batch: 7,
        time: 6,
        options: { reverse: true, returnState: true, maskedOutput: 'previous' },
        mask: [
          [0, 6],
          [0, 3],
          [2, 6],
          [1, 4],
          [0, 1],
          [5, 6],
          [0, 2],
        ],
      });
    });

    it('should match a masked run from given initial states', () => {
      check({
        batch: 7,
        time: 5,
        options: { returnSequences: true, returnState: true, maskedOutput: 'previous' },
        mask: [
          [0, 5],
          [0, 3],
          [0, 1],
          [0, 4],
          [0, 2],
          [0, 5],
          [0, 3],
        ],
        initialState: true,
      });
    });

    // tfjs-layers' rnn() repeats its previous output at a masked step, and before a row's
    // first real step that is the initial state's h (states[0]).
    it("should emit the initial h at leading padded steps with maskedOutput 'previous', as tfjs-layers", () => {
      check({
        batch: 6,
        time: 5,
        options: { returnSequences: true, returnState: true, maskedOutput: 'previous' },
        mask: [
          [2, 5],
          [1, 4],
          [0, 0],
          [4, 5],
          [0, 5],
          [3, 4],
        ],
        initialState: true,
      });
    });

    it('should emit the initial h for leading padding of a reversed run, and as the last output of an empty row', () => {
      check({
        batch: 5,
        time: 5,
        options: { reverse: true, returnState: true, maskedOutput: 'previous' },
        mask: [
          [0, 3],
          [1, 2],
          [0, 0],
          [0, 5],
          [2, 5],
        ],
        initialState: true,
      });
    });
  });
});

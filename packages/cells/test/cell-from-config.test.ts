import {
  type AnyCell,
  CELL_KINDS,
  type CellConfig,
  cellFromConfig,
  elman,
  type GruCell,
  gru,
  jordan,
  type LstmCell,
  lstm,
} from '@recur/cells';
import { type Cell, RecurError, Rng } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, expectTypeOf, it } from 'vitest';
import { VARIANTS } from './support/fixtures.js';

describeBackends('cellFromConfig', () => {
  checkLeaks();

  it('should list every kind it builds', () => {
    expect([...CELL_KINDS].sort()).toEqual(['elman', 'gru', 'jordan', 'lstm']);
    expect(new Set(VARIANTS.map((v) => v.config.kind))).toEqual(new Set(CELL_KINDS));
  });

  it.each(VARIANTS)(
    'should build the cell its kind names and round-trip its config through JSON: $name',
    ({ config }) => {
      const cell = cellFromConfig(config);
      expect(cell.kind).toBe(config.kind);
      const saved = JSON.parse(JSON.stringify({ kind: cell.kind, ...cell.config })) as CellConfig;
      const again = cellFromConfig(saved);
      expect(again.config).toEqual(cell.config);
      expect(again.sequence === undefined).toBe(cell.sequence === undefined);
    },
  );

  it('should build the same cell as the kind-specific factory', () => {
    const pairs = [
      [cellFromConfig({ kind: 'elman', inputSize: 2, units: 3 }), elman({ inputSize: 2, units: 3 })],
      [
        cellFromConfig({ kind: 'jordan', inputSize: 2, units: 3, outputSize: 1 }),
        jordan({ inputSize: 2, units: 3, outputSize: 1 }),
      ],
      [
        cellFromConfig({ kind: 'lstm', inputSize: 2, units: 3, cifg: true }),
        lstm({ inputSize: 2, units: 3, cifg: true }),
      ],
      [cellFromConfig({ kind: 'gru', inputSize: 2, units: 3 }), gru({ inputSize: 2, units: 3 })],
    ] as const;
    for (const [fromConfig, direct] of pairs) {
      expect(fromConfig.config).toEqual(direct.config);
      const a = fromConfig.init(new Rng(1));
      const b = direct.init(new Rng(1));
      expect(Object.keys(a)).toEqual(Object.keys(b));
      tf.dispose([a, b]);
    }
  });

  it('should reject an unknown kind with BAD_CONFIG naming config.kind and the known kinds', () => {
    const bad = { kind: 'transformer', inputSize: 2, units: 3 } as unknown as CellConfig;
    expect(() => cellFromConfig(bad)).toThrow(RecurError);
    expect(() => cellFromConfig(bad)).toThrow(
      /cellFromConfig config\.kind: expected one of 'elman', 'jordan', 'lstm', 'gru', received 'transformer'/,
    );
    expect(() => cellFromConfig(null as unknown as CellConfig)).toThrow(/cellFromConfig config: expected an object/);
  });

  it('should type its result by kind, and every cell as a core Cell', () => {
    expectTypeOf(cellFromConfig({ kind: 'lstm', inputSize: 1, units: 2 })).toEqualTypeOf<LstmCell>();
    expectTypeOf(cellFromConfig({ kind: 'gru', inputSize: 1, units: 2 })).toEqualTypeOf<GruCell>();
    expectTypeOf<AnyCell>().toExtend<Cell>();
    expectTypeOf<LstmCell['config']['peephole']>().toEqualTypeOf<boolean>();
    expectTypeOf<LstmCell['config']['projSize']>().toEqualTypeOf<number | undefined>();
  });
});

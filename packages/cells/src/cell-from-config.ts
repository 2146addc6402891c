import { assertOneOf, badArgument } from '@recur/core';
import { type ElmanCell, type ElmanConfig, elman } from './elman.js';
import { type GruCell, type GruConfig, gru } from './gru.js';
import { type JordanCell, type JordanConfig, jordan } from './jordan.js';
import { type LstmCell, type LstmConfig, lstm } from './lstm.js';

/** Every cell kind `cellFromConfig` builds, for pickers such as the CLI's `--cell`. */
export const CELL_KINDS = ['elman', 'jordan', 'lstm', 'gru'] as const;

export type CellKind = (typeof CELL_KINDS)[number];

/** Each kind's config and cell types. */
export interface CellTypes {
  elman: { config: ElmanConfig; cell: ElmanCell };
  jordan: { config: JordanConfig; cell: JordanCell };
  lstm: { config: LstmConfig; cell: LstmCell };
  gru: { config: GruConfig; cell: GruCell };
}

/** A cell's config tagged with its kind: `{ kind: 'lstm', inputSize, units, ... }`. */
export type CellConfig<K extends CellKind = CellKind> = {
  [Kind in K]: { readonly kind: Kind } & CellTypes[Kind]['config'];
}[K];

/** Any cell this package builds (discriminated by `kind`). */
export type AnyCell = CellTypes[CellKind]['cell'];

/**
 * The cell a tagged config describes. `cellFromConfig({ kind: cell.kind, ...cell.config })`
 * rebuilds an equal cell, so a config saved as JSON round-trips.
 */
export function cellFromConfig<K extends CellKind>(config: CellConfig<K>): CellTypes[K]['cell'] {
  if (config === null || typeof config !== 'object') {
    throw badArgument(
      'BAD_CONFIG',
      'cellFromConfig config',
      `an object { kind: ${CELL_KINDS.join(' | ')}, ... }`,
      config,
    );
  }
  const { kind, ...rest } = config as CellConfig;
  assertOneOf(kind, CELL_KINDS, 'cellFromConfig config.kind');
  const build: { [Kind in CellKind]: (c: CellTypes[Kind]['config']) => CellTypes[Kind]['cell'] } = {
    elman,
    jordan,
    lstm,
    gru,
  };
  return (build[kind] as (c: unknown) => CellTypes[K]['cell'])(rest);
}

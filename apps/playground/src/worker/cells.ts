import { gru, lstm, minGru, minLstm, mlstm, rwkv, slstm } from '@recur/cells';
import { type Cell, RecurError } from '@recur/core';
import { CELL_NAMES, type CellName } from '../protocol.js';

const BUILD: Record<CellName, (inputSize: number, units: number) => unknown> = {
  lstm: (inputSize, units) => lstm({ inputSize, units }),
  gru: (inputSize, units) => gru({ inputSize, units }),
  mingru: (inputSize, units) => minGru({ inputSize, units }),
  minlstm: (inputSize, units) => minLstm({ inputSize, units }),
  slstm: (inputSize, units) => slstm({ inputSize, units }),
  mlstm: (inputSize, units) => mlstm({ inputSize, units }),
  rwkv: (inputSize, units) => rwkv({ inputSize, units }),
};

/** The picker's cell `name`, from `inputSize` features to `units`. */
export function cellFor(name: string, inputSize: number, units: number): Cell {
  if (!(CELL_NAMES as readonly string[]).includes(name)) {
    throw new RecurError(
      'BAD_CONFIG',
      `cell: expected one of ${CELL_NAMES.join(', ')}, received ${JSON.stringify(name)}`,
    );
  }
  return BUILD[name as CellName](inputSize, units) as Cell;
}

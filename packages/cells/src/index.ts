export {
  type AnyCell,
  CELL_KINDS,
  type CellConfig,
  type CellKind,
  type CellTypes,
  cellFromConfig,
} from './cell-from-config.js';
export { type ElmanCarry, type ElmanCell, type ElmanConfig, type ElmanParams, elman } from './elman.js';
export { type GruCarry, type GruCell, type GruConfig, type GruParams, gru } from './gru.js';
export type { MinRnnOptions } from './internal/min-rnn.js';
export { FORGET_GATES, type ForgetGate } from './internal/xlstm.js';
export { type JordanCarry, type JordanCell, type JordanConfig, type JordanParams, jordan } from './jordan.js';
export { type LstmCarry, type LstmCell, type LstmConfig, type LstmParams, lstm } from './lstm.js';
export { type MinGruCarry, type MinGruCell, type MinGruConfig, type MinGruParams, minGru } from './min-gru.js';
export { type MinLstmCarry, type MinLstmCell, type MinLstmConfig, type MinLstmParams, minLstm } from './min-lstm.js';
export {
  type MlstmCarry,
  type MlstmCell,
  type MlstmConfig,
  type MlstmParallel,
  type MlstmParams,
  mlstm,
} from './mlstm.js';
export { type RwkvCarry, type RwkvCell, type RwkvConfig, type RwkvParams, rwkv } from './rwkv.js';
export { type SlstmCarry, type SlstmCell, type SlstmConfig, type SlstmParams, slstm } from './slstm.js';

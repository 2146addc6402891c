/** Messages between the page and the training worker. */

export const BACKEND_NAMES = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * The recurrent cells the picker offers: the classic two and the comeback cells, each one
 * layer of the cell run over time (minGRU and minLSTM by their parallel scan, sLSTM and
 * RWKV by their fused kernels where the backend has them, mLSTM chunkwise).
 */
export const CELL_NAMES = ['lstm', 'gru', 'mingru', 'minlstm', 'slstm', 'mlstm', 'rwkv'] as const;
export type CellName = (typeof CELL_NAMES)[number];
/** What reads the forecaster's look-back: a cell, or a time-delay (TDNN) stack. */
export type ForecastBody = CellName | 'tdnn';

export interface TrainingOptions {
  /** Optimizer steps to take. */
  readonly steps: number;
  readonly learningRate: number;
  readonly units: number;
  readonly batchSize: number;
}

export interface TextTask extends TrainingOptions {
  readonly kind: 'text';
  readonly cell: CellName;
  readonly text: string;
  /** Characters per training sequence. */
  readonly seqLength: number;
}

export interface ForecastTask extends TrainingOptions {
  readonly kind: 'forecast';
  readonly cell: ForecastBody;
  readonly values: readonly number[];
  /** Months of history the model reads to predict the next one. */
  readonly lookBack: number;
}

export type Task = TextTask | ForecastTask;

export type Decoding =
  | { readonly kind: 'sample'; readonly temperature: number; readonly topK: number; readonly seed: number }
  | { readonly kind: 'beam'; readonly beamWidth: number };

export type ToWorker =
  | { readonly type: 'train'; readonly backend: BackendName; readonly task: Task }
  | { readonly type: 'stop' }
  | { readonly type: 'generate'; readonly prompt: string; readonly length: number; readonly decoding: Decoding }
  | { readonly type: 'forecast'; readonly values: readonly number[] }
  | { readonly type: 'export' }
  | { readonly type: 'import'; readonly backend: BackendName; readonly bytes: ArrayBuffer };

export interface ModelSummary {
  readonly kind: 'text' | 'forecast';
  readonly cell: ForecastBody;
  readonly parameters: number;
  readonly steps: number;
  readonly backend: string;
}

export type FromWorker =
  | { readonly type: 'backend'; readonly name: string; readonly details: Record<string, string | number | boolean> }
  | { readonly type: 'progress'; readonly step: number; readonly loss: number; readonly itemsPerSecond: number }
  | {
      readonly type: 'trained';
      readonly model: ModelSummary;
      readonly losses: readonly number[];
      readonly stopped: boolean;
    }
  | { readonly type: 'forecast'; readonly truth: readonly number[]; readonly predicted: readonly (number | null)[] }
  | { readonly type: 'generated'; readonly prompt: string; readonly text: string }
  | { readonly type: 'exported'; readonly bytes: ArrayBuffer; readonly fileName: string }
  | { readonly type: 'imported'; readonly model: ModelSummary }
  | { readonly type: 'error'; readonly message: string; readonly code?: string };

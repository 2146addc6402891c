/** What a progress display or logger receives after each optimizer step. */
export interface BatchEvent {
  readonly step: number;
  readonly epoch: number;
  readonly batch: number;
  /** The TBPTT chunk within the batch (0 without truncated BPTT). */
  readonly chunk: number;
  readonly loss: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly learningRate: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Samples (sequences) per second over this step. */
  readonly samplesPerSecond: number;
  /** Time steps (tokens) per second over this step, when the batch has a time axis. */
  readonly tokensPerSecond: number;
  /** Steps skipped so far because the loss or a gradient was not finite. */
  readonly skippedSteps: number;
}

/** What `onEpochEnd` learns after each epoch. */
export interface EpochEvent {
  readonly epoch: number;
  readonly step: number;
  /** Mean training loss over the epoch's steps. */
  readonly loss: number;
  /** Validation loss and metrics, prefixed `val_` (absent without validation data). */
  readonly validation: Readonly<Record<string, number>>;
  readonly seconds: number;
}

/** Functions `fit` calls as training goes; each may return a promise, which `fit` awaits. */
export interface Callbacks {
  onBatchEnd?(event: BatchEvent): void | Promise<void>;
  onEpochEnd?(event: EpochEvent): void | Promise<void>;
  /** Return true to stop training after the current step. */
  shouldStop?(): boolean;
}

import { assertBoolean, assertPositiveInteger, badArgument } from '@recur/core';
import type { Int32Array2D } from './arrays.js';
import { assertInt32Sequence, optionsRecord } from './internal/check.js';

export interface LanguageModelOptions {
  /** Rows per batch: the stream is cut into this many contiguous parts. */
  readonly batchSize: number;
  /** Steps per batch: the truncation length of truncated BPTT. */
  readonly timeSteps: number;
  /** Drop the last batch when it has fewer than `timeSteps` steps. Default false. */
  readonly dropRemainder?: boolean;
}

export interface LanguageModelBatch {
  /** `[batchSize, t]` token ids, `t = timeSteps` except maybe in the last batch. */
  readonly inputs: Int32Array2D;
  /** `[batchSize, t]`: each input's next token. */
  readonly targets: Int32Array2D;
  /** Position of this batch in the epoch. */
  readonly index: number;
}

/** An epoch of {@link LanguageModelBatch}es; iterate it again for the next epoch. */
export interface LanguageModelStream extends Iterable<LanguageModelBatch> {
  readonly batchSize: number;
  readonly timeSteps: number;
  /** Tokens of input per row: `floor((tokens - 1) / batchSize)`. */
  readonly rowLength: number;
  readonly numBatches: number;
}

/**
 * Cuts one token stream into `[batchSize, timeSteps]` chunks for truncated BPTT, as
 * `batchify` + `get_batch` in PyTorch's word-language-model example: row b of the stream is
 * tokens `[b·R, (b+1)·R)` with `R = rowLength`, and row b of batch k+1 starts where row b of
 * batch k stopped, so a stateful model carries its state across batches row by row.
 * Targets are the inputs shifted by one token. The `R·batchSize + 1`-th token onwards is
 * not used.
 */
export function languageModelBatches(tokens: ArrayLike<number>, options: LanguageModelOptions): LanguageModelStream {
  const o = optionsRecord(options, 'options');
  assertPositiveInteger(o.batchSize, 'options.batchSize');
  assertPositiveInteger(o.timeSteps, 'options.timeSteps');
  const dropRemainder = o.dropRemainder ?? false;
  assertBoolean(dropRemainder, 'options.dropRemainder');
  assertInt32Sequence(tokens, 'tokens');
  const { batchSize, timeSteps } = o;
  if (tokens.length < batchSize + 1) {
    throw badArgument(
      'BAD_DATA',
      'tokens',
      `at least batchSize + 1 = ${batchSize + 1} tokens (one input and its target per row)`,
      `${tokens.length} tokens`,
    );
  }
  const rowLength = Math.floor((tokens.length - 1) / batchSize);
  const full = Math.floor(rowLength / timeSteps);
  const numBatches = dropRemainder || rowLength % timeSteps === 0 ? full : full + 1;
  if (numBatches === 0) {
    throw badArgument(
      'BAD_CONFIG',
      'options.timeSteps',
      `at most the row length ${rowLength} with dropRemainder`,
      timeSteps,
    );
  }
  const source = Int32Array.from(tokens);
  return {
    batchSize,
    timeSteps,
    rowLength,
    numBatches,
    *[Symbol.iterator]() {
      for (let k = 0; k < numBatches; k++) {
        const start = k * timeSteps;
        const t = Math.min(timeSteps, rowLength - start);
        const inputs = new Int32Array(batchSize * t);
        const targets = new Int32Array(batchSize * t);
        for (let b = 0; b < batchSize; b++) {
          const from = b * rowLength + start;
          inputs.set(source.subarray(from, from + t), b * t);
          targets.set(source.subarray(from + 1, from + 1 + t), b * t);
        }
        yield {
          inputs: { data: inputs, shape: [batchSize, t] },
          targets: { data: targets, shape: [batchSize, t] },
          index: k,
        };
      }
    },
  };
}

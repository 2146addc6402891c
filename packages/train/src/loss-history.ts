import { RecurError } from '@recur/core';

/** How many of the latest step losses a checkpoint keeps (4 bytes each). */
export const RECENT_LOSSES_KEPT = 10_000;

/** Running statistics over every step since the first, whatever was kept of the losses themselves. */
export interface LossSummary {
  /** Optimizer steps recorded, skipped ones included. */
  readonly steps: number;
  /** Steps whose loss was finite. */
  readonly finiteSteps: number;
  /** Sum of the finite losses, in step order. */
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/**
 * The loss of each step. In memory it holds every step of this run (plus what a resume
 * restored); a checkpoint keeps only the last `RECENT_LOSSES_KEPT` and the running
 * summary, so its size stays bounded however long training goes on.
 */
export class LossHistory {
  readonly losses: number[];
  private steps: number;
  private finiteSteps = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  /** `losses[0]` belongs to step `firstStep`. */
  constructor(
    readonly firstStep = 0,
    recent: ArrayLike<number> = [],
  ) {
    this.losses = Array.from(recent);
    this.steps = firstStep + this.losses.length;
  }

  record(loss: number): void {
    this.losses.push(loss);
    this.steps++;
    if (!Number.isFinite(loss)) return;
    this.finiteSteps++;
    this.sum += loss;
    this.min = Math.min(this.min, loss);
    this.max = Math.max(this.max, loss);
  }

  summary(): LossSummary {
    return { steps: this.steps, finiteSteps: this.finiteSteps, sum: this.sum, min: this.min, max: this.max };
  }

  /** The last losses kept, as float32 (losses come from float32 tensors, so nothing is rounded). */
  recent(): Float32Array {
    return Float32Array.from(this.losses.slice(-RECENT_LOSSES_KEPT));
  }

  /** JSON for a checkpoint: infinities (no finite loss yet) are left out, as JSON has none. */
  summaryJSON(): Record<string, number> {
    const { min, max, ...counts } = this.summary();
    return this.finiteSteps > 0 ? { ...counts, min, max } : counts;
  }

  /** Rebuilds a history from a checkpoint's summary and recent losses, checking both. */
  static restore(json: unknown, recent: Float32Array, step: number): LossHistory {
    const s = json as Partial<Record<keyof LossSummary, unknown>> | null;
    const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    const number = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
    const finite = s?.finiteSteps as number;
    if (
      s === null ||
      typeof s !== 'object' ||
      s.steps !== step ||
      !count(finite) ||
      finite > step ||
      !number(s.sum) ||
      (finite > 0 && !(number(s.min) && number(s.max) && (s.min as number) <= (s.max as number))) ||
      recent.length > Math.min(step, RECENT_LOSSES_KEPT)
    ) {
      throw new RecurError(
        'CORRUPT_CHECKPOINT',
        `checkpoint: loss summary ${JSON.stringify(json)} does not fit step ${step}`,
      );
    }
    const history = new LossHistory(step - recent.length, recent);
    history.finiteSteps = finite;
    history.sum = s.sum as number;
    if (finite > 0) {
      history.min = s.min as number;
      history.max = s.max as number;
    }
    return history;
  }
}

/** A version-1 checkpoint stored every loss as a JSON list; rebuild its summary step by step, without spreading it. */
export function historyFromList(losses: unknown, step: number): LossHistory {
  if (!Array.isArray(losses) || losses.length !== step || !losses.every((l) => l === null || typeof l === 'number')) {
    throw new RecurError('CORRUPT_CHECKPOINT', `checkpoint: the loss list does not hold one loss per step (${step})`);
  }
  const history = new LossHistory();
  // JSON turns NaN (a skipped step) into null.
  for (const loss of losses) history.record(loss === null ? Number.NaN : (loss as number));
  return history;
}

import type { FitOptions, ScheduleConfig } from '@recur/train';
import { usageError } from '../errors.js';
import type { TrainSettings } from '../settings.js';

/** Where cosine decay ends, as a fraction of the peak rate (not 0: the last steps still learn). */
const FINAL_RATE = 0.05;

/**
 * The optimizer and learning-rate schedule of a run. Without the recipe settings this is
 * Adam at a constant `--lr`, as before presets existed; `--weight-decay` > 0 makes it
 * AdamW, `--warmup-steps` adds a linear warm-up, and `--schedule cosine` decays the rate
 * to 5% by the last step, which `--max-steps` or `--epochs` must fix.
 */
export function optimizerOptions(
  settings: TrainSettings,
  lastStep: number | undefined,
): Pick<FitOptions, 'optimizer'> & { schedule?: ScheduleConfig } {
  const rate = settings.learningRate;
  const optimizer: FitOptions['optimizer'] =
    settings.weightDecay !== undefined && settings.weightDecay > 0
      ? { kind: 'adamw', learningRate: rate, weightDecay: settings.weightDecay }
      : { kind: 'adam', learningRate: rate };
  const warmup = settings.warmupSteps ?? 0;
  if (settings.schedule !== 'cosine') {
    if (warmup === 0) return { optimizer };
    return { optimizer, schedule: { kind: 'warmup', warmupSteps: warmup, after: { kind: 'constant', rate } } };
  }
  if (lastStep === undefined) {
    throw usageError('--schedule cosine decays to the last step: give --max-steps or --epochs');
  }
  if (lastStep <= warmup) {
    throw usageError(`--warmup-steps ${warmup} leaves no step to decay over: training ends at step ${lastStep}`);
  }
  const cosine: ScheduleConfig = { kind: 'cosine', rate, decaySteps: lastStep - warmup, minRate: rate * FINAL_RATE };
  return { optimizer, schedule: warmup > 0 ? { kind: 'warmup', warmupSteps: warmup, after: cosine } : cosine };
}

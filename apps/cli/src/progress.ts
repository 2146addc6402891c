import { type BatchEvent, type BudgetClock, type EpochEvent, startBudgetClock } from '@recur/train';
import { SingleBar } from 'cli-progress';
import { type Io, println } from './io.js';
import { duration, fixed, rate } from './tasks/format.js';

export interface ProgressPlan {
  /** Training stops after this many seconds. */
  readonly budgetSeconds: number;
  /** What the budget counts (default: elapsed time). */
  readonly budgetClock?: BudgetClock;
  /** …or at this step, when a step or epoch limit is set. */
  readonly lastStep: number | undefined;
  /** Step the run starts from (resume). */
  readonly firstStep: number;
  readonly metricName: string;
  readonly throughput: 'tokens' | 'samples';
}

/** Seconds between progress lines when the output is not a terminal. */
const LINE_EVERY = 5;

/**
 * Training progress on stderr: a bar with loss, the task's metric, tokens/s or samples/s
 * and the time left, on a terminal; a line every few seconds otherwise (CI, pipes, files).
 * The fraction done is the larger of time used over the budget and steps over the step
 * limit, so the bar and the ETA follow whichever ends training first.
 */
export class TrainingProgress {
  /** Seconds on the budget's clock since the bar started. */
  private readonly elapsed: () => number;
  private readonly bar: SingleBar | undefined;
  private speed = Number.NaN;
  private lastLine = Number.NEGATIVE_INFINITY;
  private last: BatchEvent | undefined;
  private fields: Record<string, string | number>;

  constructor(
    private readonly io: Io,
    private readonly plan: ProgressPlan,
  ) {
    this.elapsed = startBudgetClock(plan.budgetClock);
    this.fields = { step: plan.firstStep, loss: '-', metric: `${plan.metricName} -`, speed: '-', left: '-:--' };
    if (io.tty) {
      this.bar = new SingleBar({
        format: ' train |{bar}| {percentage}% | step {step} | loss {loss} | {metric} | {speed} | ETA {left}',
        stream: io.err as NodeJS.WritableStream,
        barsize: 24,
        hideCursor: true,
        // Cleared on stop, so a note printed between stop and start leaves no stale bar above it.
        clearOnComplete: true,
        gracefulExit: false,
        fps: 5,
      });
      this.bar.start(1000, 0, this.fields);
    }
  }

  update(event: BatchEvent): void {
    this.last = event;
    const perSecond = this.plan.throughput === 'tokens' ? event.tokensPerSecond : event.samplesPerSecond;
    // An exponential average: one slow step (a checkpoint write, GC) should not make the rate jump.
    this.speed = Number.isNaN(this.speed) ? perSecond : 0.9 * this.speed + 0.1 * perSecond;
    const { fraction, eta } = this.estimate(event.step);
    const metric = event.metrics[this.plan.metricName];
    const fields = {
      step: event.step,
      loss: fixed(event.loss, 3),
      metric: `${this.plan.metricName} ${metric === undefined ? '-' : fixed(metric, 3)}`,
      speed: `${rate(this.speed)} ${this.plan.throughput === 'tokens' ? 'tok/s' : 'samples/s'}`,
      left: duration(eta),
    };
    this.fields = fields;
    if (this.bar !== undefined) {
      this.bar.update(Math.round(fraction * 1000), fields);
      return;
    }
    const now = performance.now() / 1000;
    if (now - this.lastLine >= LINE_EVERY) {
      this.lastLine = now;
      println(
        this.io.err,
        `step ${fields.step} (${Math.round(fraction * 100)}%)  loss ${fields.loss}  ${fields.metric}  ${fields.speed}  ETA ${fields.left}`,
      );
    }
  }

  epoch(event: EpochEvent): void {
    const parts = Object.entries(event.validation).map(([k, v]) => `${k} ${fixed(v, 3)}`);
    this.note(
      `epoch ${event.epoch + 1}: loss ${fixed(event.loss, 3)}${parts.length > 0 ? `  ${parts.join('  ')}` : ''}  (${duration(event.seconds)})`,
    );
  }

  /** A line above the bar. */
  note(line: string): void {
    if (this.bar !== undefined) {
      this.bar.stop();
      println(this.io.err, line);
      this.bar.start(
        1000,
        Math.round(this.estimate(this.last?.step ?? this.plan.firstStep).fraction * 1000),
        this.fields,
      );
    } else println(this.io.err, line);
  }

  stop(): void {
    this.bar?.stop();
  }

  /** Seconds on the budget's clock since the bar started. */
  get seconds(): number {
    return this.elapsed();
  }

  private estimate(step: number): { fraction: number; eta: number } {
    const elapsed = this.seconds;
    const { budgetSeconds, lastStep, firstStep } = this.plan;
    let fraction = elapsed / budgetSeconds;
    let eta = budgetSeconds - elapsed;
    if (lastStep !== undefined && step > firstStep) {
      const done = (step - firstStep) / (lastStep - firstStep);
      fraction = Math.max(fraction, done);
      eta = Math.min(eta, (elapsed / (step - firstStep)) * (lastStep - step));
    }
    return { fraction: Math.min(1, fraction), eta: Math.max(0, eta) };
  }
}

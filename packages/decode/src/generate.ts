import { assertPositiveInteger } from '@recur/core';
import type { StepModel } from './step-model.js';
import { assertStrategy, chooseToken, type DecodeStrategy } from './strategy.js';
import {
  assertOptionsObject,
  assertPrompt,
  assertPrompts,
  assertStepModel,
  assertTokenId,
  readLogProbs,
} from './validate.js';

/** How `generate` picks tokens and when it stops. */
export interface GenerateOptions {
  /** Most tokens to generate per row (the end token included). Integer ≥ 1. */
  readonly maxLength: number;
  /** A row stops after emitting this token; it is included in the output. Default: none. */
  readonly endToken?: number;
  /** How each token is picked; default `{ kind: 'greedy' }`. */
  readonly strategy?: DecodeStrategy;
}

const GREEDY: DecodeStrategy = { kind: 'greedy' };

/**
 * Generates a continuation of one prompt: the prompt is fed once, then one token at a
 * time with the carried state. Returns the generated token ids (the prompt excluded, the
 * end token included when reached). Holds no tensor when it returns or throws.
 */
export function generate<State>(
  model: StepModel<State>,
  prompt: readonly number[],
  options: GenerateOptions,
): number[] {
  assertStepModel(model);
  assertPrompt(prompt, model.vocabSize, 'prompt');
  assertGenerateOptions(options, model.vocabSize);
  return collect(model, [prompt], options)[0] as number[];
}

/**
 * `generate` for several prompts at once, one model call per step for the whole batch.
 * Rows that emit the end token leave the batch (their state is dropped with
 * `selectRows`). With sampling, rows draw from the `Rng` in row order at each step.
 */
export function generateBatch<State>(
  model: StepModel<State>,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
): number[][] {
  assertStepModel(model);
  assertPrompts(prompts, model.vocabSize);
  assertGenerateOptions(options, model.vocabSize);
  return collect(model, prompts, options);
}

/**
 * Yields the tokens of `generate(model, prompt, options)` one by one, each as soon as it
 * is chosen (the model steps again only when the next one is asked for). Ending the
 * iteration early (`break` in `for await`, or `return()`) disposes every tensor at once.
 * Arguments are checked when `stream` is called, not at the first `next()`.
 */
export function stream<State>(
  model: StepModel<State>,
  prompt: readonly number[],
  options: GenerateOptions,
): AsyncGenerator<number, void, undefined> {
  assertStepModel(model);
  assertPrompt(prompt, model.vocabSize, 'prompt');
  assertGenerateOptions(options, model.vocabSize);
  // Generators are lazy: nothing runs (no tensor exists) until the first next().
  const steps = decodeSteps(model, [prompt], options);
  return (async function* tokens() {
    for (const picks of steps) yield picks[0]?.[1] as number;
  })();
}

function assertGenerateOptions(options: unknown, vocabSize: number): asserts options is GenerateOptions {
  assertOptionsObject(options);
  const o = options as Partial<GenerateOptions>;
  assertPositiveInteger(o.maxLength, 'options.maxLength');
  if (o.endToken !== undefined) assertTokenId(o.endToken, vocabSize, 'options.endToken', 'BAD_CONFIG');
  if (o.strategy !== undefined) assertStrategy(o.strategy, 'options.strategy');
}

function collect<State>(
  model: StepModel<State>,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
): number[][] {
  const out = prompts.map((): number[] => []);
  for (const picks of decodeSteps(model, prompts, options)) {
    for (const [row, token] of picks) out[row]?.push(token);
  }
  return out;
}

/**
 * The incremental loop shared by `generate`, `generateBatch` and `stream`. Each step yields
 * `[row, token]` for the rows still running; its `finally` disposes the state whether the
 * loop ends, throws or is abandoned by `return()`.
 */
function* decodeSteps<State>(
  model: StepModel<State>,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
): Generator<readonly (readonly [number, number])[], void, undefined> {
  const { vocabSize } = model;
  const strategy = options.strategy ?? GREEDY;
  const first = model.start(prompts);
  let state = first.state;
  let logProbs = first.logProbs;
  // active[r] is the prompt index of row r of the current state.
  let active = prompts.map((_, i) => i);
  try {
    for (let t = 0; ; t++) {
      const lp = readLogProbs(logProbs, active.length, vocabSize);
      const picks = active.map((row, r) => [row, chooseToken(lp, r, vocabSize, strategy)] as const);
      yield picks;
      if (t + 1 >= options.maxLength) return;
      const running = picks.flatMap(([, token], r) => (token === options.endToken ? [] : [r]));
      if (running.length === 0) return;
      if (running.length < active.length) {
        const kept = model.selectRows(state, running);
        model.disposeState(state);
        state = kept;
        active = running.map((r) => active[r] as number);
      }
      const next = model.step(
        running.map((r) => (picks[r] as readonly [number, number])[1]),
        state,
      );
      model.disposeState(state);
      state = next.state;
      logProbs = next.logProbs;
    }
  } finally {
    model.disposeState(state);
  }
}

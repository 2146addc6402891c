import { isTensor, RecurError } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { type ClipConfig, clipGradients, globalNorm } from './clipping.js';
import type { StepContext, TrainableModel } from './model.js';

/** On a non-finite loss or gradient: stop with `NAN_LOSS` (weights untouched), or skip the step. */
export type NonFinitePolicy = 'stop' | 'skip';

export interface StepOutcome<State> {
  readonly loss: number;
  readonly gradNorm: number;
  readonly metrics: Record<string, number>;
  /** Next chunk's state (owned by the caller), if the model returned one. */
  readonly state: State | undefined;
  readonly skipped: boolean;
}

/** Tensors inside a state object (any nesting of records/arrays). */
export function stateTensors(state: unknown): tf.Tensor[] {
  if (isTensor(state)) return [state];
  if (Array.isArray(state)) return state.flatMap(stateTensors);
  if (state !== null && typeof state === 'object') return Object.values(state).flatMap(stateTensors);
  return [];
}

/**
 * One optimizer step: loss and gradients with respect to every variable, a check that
 * both are finite (so a NaN never reaches the weights), clipping, then the update.
 * Variables without a gradient get zeros, so tfjs optimizers (which key their slots by
 * position) always see the same list in the same order.
 */
export function trainStep<Batch, State>(
  model: TrainableModel<Batch, State>,
  batch: Batch,
  context: StepContext<State>,
  optimizer: tf.Optimizer,
  options: { clip?: ClipConfig; nonFinite: NonFinitePolicy; step: number },
): StepOutcome<State> {
  const names = Object.keys(model.variables);
  const vars = names.map((n) => model.variables[n] as tf.Variable);
  let state: State | undefined;
  let metricTensors: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = model.loss(batch, context);
    state = out.state;
    metricTensors = { ...(out.metrics ?? {}) };
    // Keep the state and metrics past variableGrads' tidy; they are disposed below or by the caller.
    for (const t of [...stateTensors(state), ...Object.values(metricTensors)]) tf.keep(t);
    return out.loss;
  }, vars);
  const byName: Record<string, tf.Tensor> = {};
  for (let i = 0; i < names.length; i++) {
    const v = vars[i] as tf.Variable;
    byName[names[i] as string] = grads[v.name] ?? tf.zerosLike(v);
  }
  const loss = value.dataSync()[0] as number;
  value.dispose();
  const metrics = Object.fromEntries(Object.entries(metricTensors).map(([k, t]) => [k, t.dataSync()[0] as number]));
  tf.dispose(Object.values(metricTensors));
  // Unclipped gradients go to the optimizer as they are: clipGradients would copy each (a
  // tfjs op per variable, ~10 µs of dispatch apiece, for a small model a real share of the step).
  const clip = options.clip ?? {};
  const unclipped = clip.globalNorm === undefined && clip.value === undefined;
  const { grads: clipped, norm } = unclipped
    ? { grads: byName, norm: globalNorm(byName) }
    : clipGradients(byName, clip);
  if (!unclipped) tf.dispose(Object.values(byName));
  if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
    tf.dispose(Object.values(clipped));
    if (options.nonFinite === 'stop') {
      tf.dispose(stateTensors(state));
      const what = Number.isFinite(loss) ? `gradient norm ${norm}` : `loss ${loss}`;
      throw new RecurError(
        'NAN_LOSS',
        `training stopped at step ${options.step}: non-finite ${what}; weights were not updated`,
      );
    }
    return { loss, gradNorm: norm, metrics, state, skipped: true };
  }
  const named: tf.NamedTensorMap = {};
  names.forEach((n, i) => {
    named[(vars[i] as tf.Variable).name] = clipped[n] as tf.Tensor;
  });
  optimizer.applyGradients(named);
  tf.dispose(Object.values(clipped));
  return { loss, gradNorm: norm, metrics, state, skipped: false };
}

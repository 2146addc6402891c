import { RecurAdamUpdate, RecurError } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import { AdamWOptimizer, FusedAdamOptimizer, makeOptimizer, setLearningRate } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { hiddenOptimizerScalars, restoreHiddenOptimizerScalars } from '../src/optimizers.js';

/**
 * AdamW as Recur computed it before the fused kernel: tfjs' ops for the decay, then tfjs'
 * own `AdamOptimizer.applyGradients`. The oracle the fused AdamW must equal bit for bit.
 */
class TfjsAdamW extends tf.AdamOptimizer {
  constructor(
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    private readonly weightDecay: number,
  ) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((g) => g.name)
      : Object.keys(variableGradients);
    const keep = 1 - this.learningRate * this.weightDecay;
    tf.tidy(() => {
      for (const name of names) {
        const variable = tf.engine().registeredVariables[name];
        if (keep !== 1 && variable?.trainable) variable.assign(tf.mul(variable, keep));
      }
    });
    super.applyGradients(variableGradients);
  }
}

const SHAPES: readonly number[][] = [[], [7], [3, 5], [2, 3, 4], [37]];

/** Float32 values as their bit patterns: equal only if bit-identical (−0 and NaN included). */
function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
}

/** A variable holding `values`, without a leftover initial tensor. */
function variableOf(values: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor1d(values)));
}

/** One variable per shape, the same random start for every optimizer under test. */
function makeVariables(seed: number, trainable = SHAPES.map(() => true)): tf.Variable[] {
  return SHAPES.map((shape, i) =>
    tf.tidy(() => tf.variable(tf.randomUniform(shape, -1, 1, 'float32', seed + i), trainable[i])),
  );
}

/** Gradients of step `step` spanning many binary orders (Adam's normalisation meets tiny and large ones). */
function gradients(vars: readonly tf.Variable[], step: number): tf.NamedTensorMap {
  return Object.fromEntries(
    vars.map((v, i) => [
      v.name,
      tf.tidy(() =>
        tf.mul(
          tf.randomUniform(v.shape, -1, 1, 'float32', 100 * step + i),
          tf.exp(tf.randomUniform(v.shape, -8, 4, 'float32', 7 + 100 * step + i)),
        ),
      ),
    ]),
  );
}

/** `o.getWeights()` as tensors the caller owns: tfjs returns a fresh iteration count and the slots themselves. */
async function ownedWeights(o: tf.Optimizer): Promise<{ name: string; tensor: tf.Tensor }[]> {
  const weights = await o.getWeights();
  return weights.map((w) => ({ name: w.name, tensor: w.name === 'iter' ? w.tensor : tf.clone(w.tensor) }));
}

interface Trained {
  readonly values: number[][];
  readonly slots: number[][];
  readonly scalars: Record<string, number>;
}

/**
 * Runs `steps` steps of the optimizer `make` builds from fresh variables; `between(step, o)`
 * may change the learning rate or swap the optimizer (a resume) before each step.
 */
async function train(
  make: () => tf.Optimizer,
  steps: number,
  between?: (step: number, o: tf.Optimizer) => Promise<tf.Optimizer> | tf.Optimizer,
  trainable?: boolean[],
): Promise<Trained> {
  const vars = makeVariables(11, trainable);
  let optimizer = make();
  try {
    for (let step = 0; step < steps; step++) {
      if (between !== undefined) optimizer = await between(step, optimizer);
      const grads = gradients(vars, step);
      optimizer.applyGradients(grads);
      tf.dispose(Object.values(grads));
    }
    const weights = await ownedWeights(optimizer);
    const slots = weights.map((w) => bits(w.tensor));
    tf.dispose(weights.map((w) => w.tensor));
    return { values: vars.map(bits), slots, scalars: hiddenOptimizerScalars(optimizer) };
  } finally {
    optimizer.dispose();
    tf.dispose(vars);
  }
}

/** A learning rate that changes every step, as a schedule sets it. */
function schedule(step: number, o: tf.Optimizer): tf.Optimizer {
  setLearningRate(o, 0.003 * (1 + Math.cos(step)) + 1e-4);
  return o;
}

describeBackends('FusedAdamOptimizer', () => {
  checkLeaks();

  it('should equal tf.train.adam bit for bit: values, moments and powers, over several shapes', async () => {
    const expected = await train(() => tf.train.adam(0.01, 0.9, 0.999, 1e-7), 12);
    const got = await train(() => makeOptimizer({ kind: 'adam', learningRate: 0.01 }), 12);
    expect(got).toEqual(expected);
  });

  it('should equal tf.train.adam bit for bit with other β and ε, under a changing learning rate', async () => {
    const expected = await train(() => tf.train.adam(0.01, 0.5, 0.9, 1e-3), 10, schedule);
    const got = await train(() => new FusedAdamOptimizer(0.01, 0.5, 0.9, 1e-3), 10, schedule);
    expect(got).toEqual(expected);
  });

  it('should equal the tfjs-op AdamW bit for bit, decaying trainable variables only, under a schedule', async () => {
    const trainable = [true, false, true, true, true];
    const tfjs = () => new TfjsAdamW(0.02, 0.9, 0.99, 1e-7, 0.3);
    const expected = await train(tfjs, 10, schedule, trainable);
    const fused = () => makeOptimizer({ kind: 'adamw', learningRate: 0.02, beta2: 0.99, weightDecay: 0.3 });
    const got = await train(fused, 10, schedule, trainable);
    expect(got).toEqual(expected);
    const o = fused();
    expect(o).toBeInstanceOf(AdamWOptimizer);
    o.dispose();
  });

  it('should continue bit for bit after its weights and powers are saved and restored mid-run', async () => {
    const expected = await train(() => tf.train.adam(0.01), 10, schedule);
    const resumeAt = async (step: number, o: tf.Optimizer) => {
      schedule(step, o);
      if (step !== 5) return o;
      // What Recur's checkpoints keep: getWeights() and the powers β₁ᵗ, β₂ᵗ.
      const saved = await ownedWeights(o);
      const scalars = hiddenOptimizerScalars(o);
      o.dispose();
      const restored = makeOptimizer({ kind: 'adam', learningRate: 0.01 });
      await restored.setWeights(saved);
      restoreHiddenOptimizerScalars(restored, scalars);
      schedule(step, restored);
      tf.dispose(saved.map((w) => w.tensor));
      return restored;
    };
    expect(await train(() => makeOptimizer({ kind: 'adam', learningRate: 0.01 }), 10, resumeAt)).toEqual(expected);
  });

  it("should restore tfjs Adam's saved weights and go on as tfjs would", async () => {
    const expected = await train(() => tf.train.adam(0.01), 8);
    const swapAt = async (step: number, o: tf.Optimizer) => {
      if (step !== 4) return o;
      const saved = await ownedWeights(o);
      const scalars = hiddenOptimizerScalars(o);
      const fused = new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-7);
      await fused.setWeights(saved);
      restoreHiddenOptimizerScalars(fused, scalars);
      const names = await ownedWeights(fused);
      expect(names.map((w) => w.name)).toEqual(saved.map((w) => w.name));
      tf.dispose([...saved, ...names].map((w) => w.tensor));
      o.dispose();
      return fused;
    };
    expect(await train(() => tf.train.adam(0.01), 8, swapAt)).toEqual(expected);
  });

  it('should take one RecurAdamUpdate kernel per variable, and two ops for the powers β₁ᵗ, β₂ᵗ', async () => {
    const vars = makeVariables(3);
    const optimizer = makeOptimizer({ kind: 'adam' });
    const grads = gradients(vars, 0);
    optimizer.applyGradients(grads); // the first step also makes the moment slots
    const { kernels } = await tf.profile(() => optimizer.applyGradients(grads));
    const names = kernels.map((k) => k.name);
    expect(names.filter((name) => name === RecurAdamUpdate)).toHaveLength(SHAPES.length);
    expect(names).toHaveLength(SHAPES.length + 2);
    tf.dispose([...vars, ...Object.values(grads)]);
    optimizer.dispose();
  });

  it('should decay without a step where a gradient is missing (AdamW), and leave it alone (Adam)', () => {
    const [a, b] = [variableOf([2, -4]), variableOf([1])];
    const adamw = makeOptimizer({ kind: 'adamw', learningRate: 0.1, weightDecay: 0.5 });
    const adam = makeOptimizer({ kind: 'adam', learningRate: 0.1 });
    const g = tf.tensor1d([1]);
    adamw.applyGradients([
      { name: a.name, tensor: undefined as unknown as tf.Tensor },
      { name: b.name, tensor: g },
    ]);
    expect(Array.from(a.dataSync())).toEqual([Math.fround(2 * Math.fround(0.95)), Math.fround(-4 * Math.fround(0.95))]);
    const before = Array.from(a.dataSync());
    adam.applyGradients({ [a.name]: undefined as unknown as tf.Tensor, [b.name]: g });
    expect(Array.from(a.dataSync())).toEqual(before);
    tf.dispose([a, b, g]);
    adamw.dispose();
    adam.dispose();
  });

  it('should refuse a gradient of the wrong shape or dtype, and an unknown variable, moving no weight', () => {
    const [a, b] = [variableOf([1, 2]), variableOf([3, 4, 5])];
    const optimizer = makeOptimizer({ kind: 'adam' });
    const [good, wrong, ints] = [tf.tensor1d([1, 1]), tf.tensor1d([1, 1]), tf.tensor1d([1, 1, 1], 'int32')];
    const refuse = (grads: tf.NamedTensorMap, pattern: RegExp) => {
      const call = () => optimizer.applyGradients(grads);
      expect(call).toThrow(RecurError);
      expect(call).toThrow(pattern);
      expect([...a.dataSync(), ...b.dataSync()]).toEqual([1, 2, 3, 4, 5]);
    };
    refuse({ [a.name]: good, [b.name]: wrong }, /RecurAdamUpdate input 'gradient'.*shape \[3\].*\[2\]/);
    refuse({ [a.name]: good, [b.name]: ints }, /RecurAdamUpdate input 'gradient'.*float32.*int32/);
    refuse({ [a.name]: good, nowhere: good }, /applyGradients variable 'nowhere'/);
    expect(() => optimizer.applyGradients(null as never)).toThrow(/applyGradients variableGradients/);
    setLearningRate(optimizer, -1);
    refuse({ [a.name]: good }, /attribute 'learningRate': expected a finite number ≥ 0, received -1/);
    tf.dispose([a, b, good, wrong, ints]);
    optimizer.dispose();
  });
});

describe('makeOptimizer adam', () => {
  it('should keep tfjs Adam’s class name and config, so serialisation is unchanged', () => {
    const o = makeOptimizer({ kind: 'adam', learningRate: 0.02, beta1: 0.8 });
    expect(o).toBeInstanceOf(tf.AdamOptimizer);
    expect(o.getClassName()).toBe('Adam');
    expect(o.getConfig()).toEqual(tf.train.adam(0.02, 0.8, 0.999, 1e-7).getConfig());
    o.dispose();
  });
});

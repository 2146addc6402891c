/**
 * minGRU and minLSTM trained with `fit`: a task no memoryless model solves, and truncated
 * BPTT carrying the blocks' state across chunks.
 */
import { minGru, minLstm } from '@recur/cells';
import { Rng } from '@recur/core';
import { describeBackends, expectClose } from '@recur/test-utils';
import { fit, type SequenceBatch, type TrainableModel } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { dense, minRnnStack, type ParamTree, recurrent, stacked } from '../src/index.js';

const TIME = 16;
let id = 0;

/**
 * The adding problem (Hochreiter & Schmidhuber 1997, sec. 5.4): each step is (value ∈ [0, 1),
 * marker ∈ {0, 1}); exactly two steps in the first half are marked and the target is the
 * sum of their values, read at the last step. The last steps carry no information about
 * the marked values, so a model without memory can do no better than the mean:
 * MSE = Var(v₁ + v₂) = 1/6.
 */
function adding(batch: number, rng: Rng) {
  const x = new Float32Array(batch * TIME * 2);
  const y = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < TIME; t++) x[(b * TIME + t) * 2] = rng.uniform();
    const first = rng.int(TIME / 2);
    let second = rng.int(TIME / 2 - 1);
    if (second >= first) second++;
    for (const t of [first, second]) {
      x[(b * TIME + t) * 2 + 1] = 1;
      y[b] = (y[b] as number) + (x[(b * TIME + t) * 2] as number);
    }
  }
  return { inputs: tf.tensor3d(x, [batch, TIME, 2]), targets: tf.tensor2d(y, [batch, 1]) };
}

function toVariables(tree: ParamTree, prefix: string, out: Record<string, tf.Variable>): ParamTree {
  if (tree instanceof tf.Tensor) {
    const v = tf.variable(tree, true, `${prefix}`);
    out[prefix] = v;
    return v;
  }
  if (Array.isArray(tree)) return tree.map((t, i) => toVariables(t, `${prefix}/${i}`, out));
  return Object.fromEntries(
    Object.entries(tree).map(([k, t]) => [k, toVariables(t as ParamTree, `${prefix}/${k}`, out)]),
  );
}

describeBackends('min-RNN training', () => {
  it.each(['minGru', 'minLstm'] as const)(
    'should teach a two-layer %s the adding problem at T = 16 to MSE < 0.02 (memoryless: 1/6) in 200 Adam steps',
    async (kind) => {
      const before = tf.memory().numTensors;
      const make = kind === 'minGru' ? minGru : minLstm;
      const model = stacked([
        recurrent(make({ inputSize: 2, units: 16 }), { returnSequences: true }),
        recurrent(make({ inputSize: 16, units: 16 })),
        dense({ inputSize: 16, units: 1 }),
      ]);
      const initial = model.init(new Rng(3));
      const variables: Record<string, tf.Variable> = {};
      const params = toVariables(initial as ParamTree, `adding${id++}`, variables) as typeof initial;
      tf.dispose(initial as unknown as tf.TensorContainer);
      const trainable: TrainableModel<SequenceBatch> = {
        variables,
        loss: (batch) => ({
          loss: tf.losses.meanSquaredError(batch.targets, model.apply(params, batch.inputs as tf.Tensor3D).output),
        }),
      };
      const data = {
        *train(rng: Rng) {
          for (let i = 0; i < 40; i++) yield adding(64, rng);
        },
      };
      await fit(trainable, data, { epochs: 5, optimizer: { kind: 'adam', learningRate: 0.02 }, seed: 1 });
      const test = adding(512, new Rng(99));
      const mse = tf.tidy(
        () => tf.losses.meanSquaredError(test.targets, model.apply(params, test.inputs).output).dataSync()[0]!,
      );
      tf.dispose([test, Object.values(variables)] as tf.TensorContainer[]);
      expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
      // Remembering only one of the two values leaves MSE ≥ Var(v) = 1/12.
      expect(mse).toBeLessThan(0.02);
    },
    // tfjs' cpu backend takes ~45 s here; wasm ~4 s.
    120_000,
  );

  it("should hand each TBPTT chunk the previous chunk's final block states, as applying the stack gives them", async () => {
    const before = tf.memory().numTensors;
    const stack = minRnnStack({ cell: 'minLstm', size: 4, depth: 2, expansion: 2, returnState: true });
    const initial = stack.init(new Rng(5));
    const variables: Record<string, tf.Variable> = {};
    const params = toVariables(initial as ParamTree, `tbptt${id++}`, variables) as typeof initial;
    tf.dispose(initial as unknown as tf.TensorContainer);
    const snapshot = Object.values(variables).map((v) => tf.clone(v));
    type State = NonNullable<ReturnType<typeof stack.apply>['state']>;
    const seen: (number[] | undefined)[] = [];
    const chunks: tf.Tensor3D[] = [];
    const trainable: TrainableModel<SequenceBatch, State> = {
      variables,
      loss(batch, { state, training }) {
        const out = stack.apply(
          params,
          batch.inputs as tf.Tensor3D,
          state === undefined ? {} : { initialState: state },
        );
        if (training) {
          chunks.push(tf.keep(tf.clone(batch.inputs)) as tf.Tensor3D);
          seen.push(state === undefined ? undefined : [0, 1].flatMap((i) => Array.from(state[i]!.h.dataSync())));
        }
        return { loss: tf.losses.meanSquaredError(batch.targets, out.output), state: out.state as State };
      },
    };
    const rng = new Rng(8);
    const x = tf.tensor3d(
      Float32Array.from({ length: 2 * 6 * 4 }, () => rng.uniform(-1, 1)),
      [2, 6, 4],
    );
    const data = {
      *train() {
        yield { inputs: x, targets: tf.tanh(x) };
      },
    };
    await fit(trainable, data, { epochs: 1, optimizer: { kind: 'sgd', learningRate: 0.1 }, tbptt: { k: 3 } });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeUndefined();
    // Chunk 2 starts from chunk 1's state under the weights before the first update.
    for (const [i, v] of Object.values(variables).entries()) v.assign(snapshot[i]!);
    const again = stack.apply(params, chunks[0]!);
    expectClose(
      seen[1]!,
      [0, 1].flatMap((i) => Array.from(again.state![i]!.h.dataSync())),
      { rtol: 1e-5, atol: 1e-6 },
    );
    tf.dispose([x, snapshot, chunks, again, Object.values(variables)] as tf.TensorContainer[]);
    expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  });
});

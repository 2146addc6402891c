import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Workload } from './workloads.js';

/**
 * The same model in tfjs-layers. Sigmoid gates as Recur (tfjs-layers defaults to hard
 * sigmoid), glorot recurrent init (its orthogonal init needs the full tfjs package);
 * softmax in the Dense layer with sparse categorical cross-entropy, Adam.
 */
export function tfjsLayersModel(w: Workload, x: tf.Tensor3D, y: tf.Tensor1D) {
  const rnn = w.cell === 'lstm' ? tfl.layers.lstm : tfl.layers.gru;
  const model = tfl.sequential({
    layers: [
      rnn({
        units: w.hidden,
        inputShape: [w.time, w.input],
        recurrentActivation: 'sigmoid',
        recurrentInitializer: 'glorotUniform',
      }),
      tfl.layers.dense({ units: w.classes, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  const labels = tf.cast(y, 'float32');
  return {
    train: () => model.trainOnBatch(x, labels),
    forward: () => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()),
    dispose: () => {
      model.dispose();
      labels.dispose();
    },
  };
}

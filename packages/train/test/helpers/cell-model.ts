import { type Carry, type Cell, Rng, scan } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

let id = 0;

/**
 * `cell` run by `scan` from the TBPTT state, a dense head on every step; `inputs` are
 * `[batch, time, features]` float32 (`encode` maps the raw batch to them).
 */
export function sequenceModel(cell: Cell, outputs: number, seed: number, encode: (x: tf.Tensor) => tf.Tensor3D) {
  const prefix = `cellModel${id++}`;
  const init = cell.init(new Rng(seed));
  const variables: Record<string, tf.Variable> = {};
  for (const [k, t] of Object.entries(init)) variables[`cell/${k}`] = tf.variable(t, true, `${prefix}/cell/${k}`);
  const w = tf.tidy(() => tf.mul(tf.randomNormal([cell.outputSize, outputs], 0, 1, 'float32', seed), 0.1));
  const zeros = tf.zeros([outputs]);
  variables['head/kernel'] = tf.variable(w, true, `${prefix}/head/kernel`);
  variables['head/bias'] = tf.variable(zeros, true, `${prefix}/head/bias`);
  tf.dispose([w, zeros, Object.values(init)]);
  const cellParams = () =>
    Object.fromEntries(
      Object.entries(variables)
        .filter(([k]) => k.startsWith('cell/'))
        .map(([k, v]) => [k.slice(5), v]),
    );
  const run = (inputs: tf.Tensor, state?: Carry) => {
    const xs = encode(inputs);
    const [b, t] = xs.shape;
    const out = scan(cell, cellParams(), xs, {
      returnState: true,
      ...(state === undefined ? {} : { initialState: state }),
    });
    const flat = tf.reshape(out.outputs, [b * t, cell.outputSize]) as tf.Tensor2D;
    const head = tf.add(tf.matMul(flat, variables['head/kernel'] as tf.Tensor2D), variables['head/bias'] as tf.Tensor);
    return { y: tf.reshape(head, [b, t, outputs]), state: out.state as Carry };
  };
  return { variables, run, dispose: () => tf.dispose(Object.values(variables)) };
}

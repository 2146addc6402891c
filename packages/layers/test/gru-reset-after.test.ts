import { gru } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { recurrent } from '../src/index.js';
import { randomTensor } from './helpers/oracle.js';

const [B, T, I, H] = [7, 5, 3, 4];

/**
 * GRU with the reset gate applied after the recurrent product (Keras `reset_after=True`,
 * cuDNN, PyTorch), written from its equations, one step at a time:
 *   [x_z, x_r, x_h] = x·W + b_in        [h_z, h_r, h_h] = h·U + b_rec
 *   z = σ(x_z + h_z)   r = σ(x_r + h_r)   h̃ = tanh(x_h + r ⊙ h_h)
 *   h' = z ⊙ h + (1 − z) ⊙ h̃
 * with W [I, 3H], U [H, 3H], bias [2, 3H] = [b_in; b_rec], gate order z, r, h.
 */
function reference(
  x: tf.Tensor3D,
  w: tf.Tensor2D,
  u: tf.Tensor2D,
  bias: tf.Tensor2D,
  h0: tf.Tensor2D,
  reverse: boolean,
) {
  const gate = (m: tf.Tensor, g: number) => tf.slice(m, [0, g * H], [-1, H]);
  const bIn = tf.reshape(tf.slice(bias, [0, 0], [1, -1]), [3 * H]);
  const bRec = tf.reshape(tf.slice(bias, [1, 0], [1, -1]), [3 * H]);
  let h: tf.Tensor = h0;
  const outputs: tf.Tensor[] = [];
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const xt = tf.reshape(tf.slice(x, [0, t, 0], [-1, 1, -1]), [-1, I]);
    const xw = tf.add(tf.matMul(xt, w), bIn);
    const hu = tf.add(tf.matMul(h, u), bRec);
    const z = tf.sigmoid(tf.add(gate(xw, 0), gate(hu, 0)));
    const r = tf.sigmoid(tf.add(gate(xw, 1), gate(hu, 1)));
    const candidate = tf.tanh(tf.add(gate(xw, 2), tf.mul(r, gate(hu, 2))));
    h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate));
    outputs.push(h);
  }
  return { outputs: tf.stack(outputs, 1), h };
}

describeBackends('recurrent GRU with resetAfter', () => {
  checkLeaks();

  describe.each([false, true])('reverse %s', (reverse) => {
    it('should match the reset-after equations in outputs, final state and gradients from an initial state', () => {
      const layer = recurrent(gru({ inputSize: I, units: H, resetAfter: true, biasInitializer: 'glorotUniform' }), {
        returnSequences: true,
        returnState: true,
        reverse,
      });
      const params = layer.init(new Rng(3));
      const x = randomTensor<tf.Rank.R3>([B, T, I], 4);
      const h0 = randomTensor<tf.Rank.R2>([B, H], 5, 0.5);
      const weights: tf.Tensor[] = [x, h0, params.kernel, params.recurrentKernel, params.bias as tf.Tensor];
      tf.tidy(() => {
        const r = randomTensor([B, T, H], 6);
        type Run = (
          xs: tf.Tensor,
          h: tf.Tensor,
          k: tf.Tensor,
          u: tf.Tensor,
          b: tf.Tensor,
        ) => { outputs: tf.Tensor; h: tf.Tensor };
        const ours: Run = (xs, h, k, u, b) => {
          const out = layer.apply(
            { kernel: k as tf.Tensor2D, recurrentKernel: u as tf.Tensor2D, bias: b as tf.Tensor2D },
            xs as tf.Tensor3D,
            {
              initialState: { h: h as tf.Tensor2D },
            },
          );
          return { outputs: out.output, h: out.state?.h as tf.Tensor };
        };
        const theirs: Run = (xs, h, k, u, b) =>
          reference(xs as tf.Tensor3D, k as tf.Tensor2D, u as tf.Tensor2D, b as tf.Tensor2D, h as tf.Tensor2D, reverse);
        const a = ours(x, h0, params.kernel, params.recurrentKernel, params.bias as tf.Tensor);
        const e = theirs(x, h0, params.kernel, params.recurrentKernel, params.bias as tf.Tensor);
        expectClose(a.outputs, e.outputs, { rtol: 1e-5, atol: 1e-5 });
        expectClose(a.h, e.h, { rtol: 1e-5, atol: 1e-5 });
        const loss =
          (f: Run) =>
          (...args: tf.Tensor[]) => {
            const o = f(...(args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]));
            return tf.add(tf.sum(tf.mul(o.outputs, r)), tf.sum(o.h)) as tf.Scalar;
          };
        const gOurs = tf.grads(loss(ours))(weights);
        const gTheirs = tf.grads(loss(theirs))(weights);
        gTheirs.forEach((g, i) => {
          expectClose(gOurs[i] as tf.Tensor, g, { rtol: 1e-4, atol: 1e-4 });
        });
      });
      tf.dispose([x, h0, params]);
    });
  });
});

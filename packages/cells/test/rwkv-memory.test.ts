import { rwkv } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { randomTensor } from './support/fixtures.js';

const [BATCH, UNITS] = [4, 8];

/** Peak bytes of tensors while the gradient of Σ ys ⊙ probe runs through RWKV's sequence form at `time` steps. */
async function peakBytes(time: number): Promise<number> {
  const cell = rwkv({ inputSize: UNITS, units: UNITS });
  const rng = new Rng(3);
  const params = cell.init(rng);
  const carry = cell.initCarry(BATCH);
  const xs = randomTensor<tf.Rank.R3>([BATCH, time, UNITS], rng);
  const probe = randomTensor([BATCH, time, UNITS], rng);
  const names = Object.keys(params);
  const info = await tf.profile(() => {
    const grads = tf.grads((...ts: tf.Tensor[]) => {
      const p = Object.fromEntries(names.map((n, i) => [n, ts[i] as tf.Tensor]));
      const { ys } = cell.sequence!(p, ts[names.length] as tf.Tensor3D, carry, {
        reverse: false,
        maskedOutput: 'zeros',
      });
      return tf.sum(tf.mul(ys, probe));
    })([...names.map((n) => params[n] as tf.Tensor), xs]);
    tf.dispose(grads);
  });
  tf.dispose([...Object.values(params), ...Object.values(carry), xs, probe]);
  return info.peakBytes;
}

/** Bytes of one `[BATCH, time, UNITS]` float32 tensor: the unit in which the bound is counted. */
const unit = (time: number) => BATCH * time * UNITS * 4;

describeBackends('rwkv training memory', () => {
  checkLeaks();

  it('should peak below 100 sequence-sized tensors through the gradient, and grow linearly in T', async () => {
    // The bound, in units of one [B, T, C] tensor (channel mixing's k′ is [B, T, 4C]: 4 units),
    // counted as tfjs counts bytes (every tensor, views included). Forward, kept for the
    // backward: the two layer norms' x̂ (2), the five token mixes' x − shift (5), the six
    // products' inputs (6), σ(r) and wkv (2), σ(r′), k′ and relu(k′)²·W′ (6), the WKV kernel's
    // saves (5): 26. Backward: tfjs keeps every gradient until it ends, about two per forward
    // tensor with the products' and reshapes' views: 57 at W4's size, where the step peaked at
    // 88 units (702 MiB at T = 512). The plain-op composition peaked at 210 units here (204 at
    // W4's size: 1,633 MiB at T = 512, 6.5 GB at T = 2048, past wasm's 4 GiB heap).
    const [short, long] = [await peakBytes(64), await peakBytes(128)];
    expect(short / unit(64)).toBeLessThan(100);
    expect(long / unit(128)).toBeLessThan(100);
    // Linear: doubling T at most doubles the peak (the weights' share is constant).
    expect(long / short).toBeLessThan(2.02);
  });
});

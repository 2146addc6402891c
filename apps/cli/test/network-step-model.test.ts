import { Rng } from '@recur/core';
import { beamSearch } from '@recur/decode';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ALL_CELL_CHOICES, type AnyCellChoice, network } from '../src/model/network.js';
import { networkStepModel } from '../src/model/network-step-model.js';
import { leaves } from '../src/model/params.js';

const VOCAB = 7;

function charNet(cell: AnyCellChoice) {
  const net = network({
    input: { kind: 'tokens', vocabSize: VOCAB, dim: 4 },
    cell,
    layers: 2,
    units: 5,
    outputs: VOCAB,
    perStep: true,
  });
  return { net, params: net.init(new Rng(11)) };
}

const rowsOf = (t: tf.Tensor) => t.arraySync() as number[][];

describeBackends('networkStepModel', () => {
  checkLeaks();

  describe.each(ALL_CELL_CHOICES)('over a 2-layer %s stack', (cell) => {
    it('should give the distributions the whole network gives at every step', () => {
      const { net, params } = charNet(cell);
      const model = networkStepModel(net, params);
      const tokens = [3, 1, 4, 1, 5];
      const whole = tf.tidy(() => {
        const out = net.apply(params, tf.tensor2d([tokens], [1, tokens.length], 'int32'));
        tf.dispose(out.state as tf.TensorContainer);
        return tf.logSoftmax(out.output);
      });
      const expected = (whole.arraySync() as number[][][])[0] as number[][];
      let { logProbs, state } = model.start([tokens.slice(0, 1)]);
      expectClose(rowsOf(logProbs)[0] as number[], expected[0] as number[], { atol: 1e-5 });
      for (let t = 1; t < tokens.length; t++) {
        logProbs.dispose();
        const next = model.step([tokens[t] as number], state);
        model.disposeState(state);
        ({ logProbs, state } = next);
        expectClose(rowsOf(logProbs)[0] as number[], expected[t] as number[], { atol: 1e-5 });
      }
      logProbs.dispose();
      model.disposeState(state);
      tf.dispose([whole, ...leaves(params).map(([, t]) => t)]);
    });

    it('should start prompts of different lengths as if each were alone, and select rows of the state', () => {
      const { net, params } = charNet(cell);
      const model = networkStepModel(net, params);
      const prompts = [[1, 2, 3], [4, 5], [6]];
      const together = model.start(prompts);
      prompts.forEach((p, i) => {
        const alone = model.start([p]);
        expectClose(rowsOf(together.logProbs)[i] as number[], rowsOf(alone.logProbs)[0] as number[], { atol: 1e-5 });
        const picked = model.selectRows(together.state, [i]);
        const a = model.step([2], picked);
        const b = model.step([2], alone.state);
        expectClose(a.logProbs, b.logProbs, { atol: 1e-5 });
        for (const s of [picked, a.state, b.state, alone.state]) model.disposeState(s);
        tf.dispose([alone.logProbs, a.logProbs, b.logProbs]);
      });
      expect(() => model.selectRows(together.state, [3])).toThrow(/rows\[0\]: expected a row index in \[0, 3\)/);
      expect(() => model.start([[7]])).toThrow(/prompts\[0\]\[0\]: expected a token id in \[0, 7\)/);
      model.disposeState(together.state);
      together.logProbs.dispose();
      tf.dispose(leaves(params).map(([, t]) => t));
    });

    it("should drive @recur/decode's beam search over the stack's own nested state", () => {
      const { net, params } = charNet(cell);
      const [best] = beamSearch(networkStepModel(net, params), [[1, 2]], { beamWidth: 3, maxLength: 6 });
      expect(best?.[0]?.tokens.length).toBeGreaterThan(0);
      expect(best?.[0]?.tokens.every((t) => Number.isInteger(t) && t >= 0 && t < VOCAB)).toBe(true);
      tf.dispose(leaves(params).map(([, t]) => t));
    });
  });
});

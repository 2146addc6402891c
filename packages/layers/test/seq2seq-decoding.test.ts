import { Rng } from '@recur/core';
import { beamSearch, generate, generateBatch, type StepModel, stream } from '@recur/decode';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ATTENTION_KINDS, type Seq2SeqDecodeState, seq2seqStepModel } from '../src/index.js';
import { BEGIN, paddedSources, SOURCES, smallModel, TARGET_IN } from './helpers/seq2seq-fixture.js';

const TOL = { rtol: 1e-4, atol: 1e-5 };
const rowsOf = (t: tf.Tensor): number[][] => t.arraySync() as number[][];

/** log-softmax of the teacher-forced logits, `[batch][time][vocab]`. */
function teacherForced(
  kind: (typeof ATTENTION_KINDS)[number],
  params: ReturnType<ReturnType<typeof smallModel>['init']>,
) {
  const model = smallModel(kind);
  const { source, sourceLengths } = paddedSources();
  const targetIn = tf.tensor2d(TARGET_IN, [3, 5], 'int32');
  const out = model.apply(params, { source, sourceLengths, targetIn });
  const logProbs = tf.tidy(() => tf.logSoftmax(out.logits).arraySync() as number[][][]);
  const attention = out.attention.arraySync() as number[][][];
  tf.dispose([source, targetIn, out] as tf.TensorContainer);
  return { logProbs, attention };
}

describeBackends('seq2seq decoding', () => {
  checkLeaks();

  describe.each(ATTENTION_KINDS.map((k) => [k]))('%s attention', (kind) => {
    describe('apply', () => {
      it('should weight padded source positions exactly 0 and real ones summing to 1 at every step', () => {
        const model = smallModel(kind);
        const params = model.init(new Rng(1));
        const { attention } = teacherForced(kind, params);
        attention.forEach((steps, b) => {
          for (const w of steps) {
            const real = SOURCES[b]?.length as number;
            expect(w.slice(real)).toEqual(w.slice(real).map(() => 0));
            expectClose(
              w.reduce((a, x) => a + x, 0),
              1,
              { atol: 1e-5 },
            );
          }
        });
        tf.dispose(params as unknown as tf.TensorContainer);
      });
    });

    describe('seq2seqStepModel', () => {
      it('should give step by step the log-probabilities of the teacher-forced pass over the same prefix', () => {
        const model = smallModel(kind);
        const params = model.init(new Rng(2));
        const expected = teacherForced(kind, params).logProbs;
        const decoder: StepModel<Seq2SeqDecodeState> = seq2seqStepModel(model, params, SOURCES);
        let { logProbs, state } = decoder.start(SOURCES.map(() => [BEGIN]));
        for (let t = 0; t < 5; t++) {
          rowsOf(logProbs).forEach((row, b) => {
            expectClose(row, expected[b]?.[t] as number[], TOL);
          });
          logProbs.dispose();
          if (t === 4) break;
          const next = decoder.step(
            TARGET_IN.map((r) => r[t + 1] as number),
            state,
          );
          decoder.disposeState(state);
          ({ logProbs, state } = next);
        }
        decoder.disposeState(state);
        tf.dispose(params as unknown as tf.TensorContainer);
      });

      it('should feed ragged prompts once, each row ending where its prompt ends', () => {
        const model = smallModel(kind);
        const params = model.init(new Rng(3));
        const expected = teacherForced(kind, params).logProbs;
        const decoder = seq2seqStepModel(model, params, SOURCES);
        const lengths = [3, 1, 5];
        const { logProbs, state } = decoder.start(TARGET_IN.map((r, b) => r.slice(0, lengths[b])));
        rowsOf(logProbs).forEach((row, b) => {
          expectClose(row, expected[b]?.[(lengths[b] as number) - 1] as number[], TOL);
        });
        logProbs.dispose();
        decoder.disposeState(state);
        tf.dispose(params as unknown as tf.TensorContainer);
      });

      it('should reorder and repeat every part of the state with selectRows, encoder outputs and mask included', () => {
        const model = smallModel(kind);
        const params = model.init(new Rng(4));
        const expected = teacherForced(kind, params).logProbs;
        const decoder = seq2seqStepModel(model, params, SOURCES);
        const first = decoder.start(SOURCES.map(() => [BEGIN]));
        first.logProbs.dispose();
        const picked = [2, 0, 0, 1];
        const selected = decoder.selectRows(first.state, picked);
        decoder.disposeState(first.state);
        expect(selected.memory.shape[0]).toBe(4);
        expect(rowsOf(selected.sourceMask)).toEqual(
          picked.map((b) => [0, 1, 2, 3, 4].map((t) => (t < (SOURCES[b]?.length as number) ? 1 : 0))),
        );
        const next = decoder.step(
          picked.map((b) => TARGET_IN[b]?.[1] as number),
          selected,
        );
        rowsOf(next.logProbs).forEach((row, r) => {
          expectClose(row, expected[picked[r] as number]?.[1] as number[], TOL);
        });
        tf.dispose(next.logProbs);
        decoder.disposeState(selected);
        decoder.disposeState(next.state);
        tf.dispose(params as unknown as tf.TensorContainer);
      });

      it('should make beam search of width 1 pick the greedy tokens', () => {
        const model = smallModel(kind);
        const params = model.init(new Rng(5));
        const decoder = seq2seqStepModel(model, params, SOURCES);
        const prompts = SOURCES.map(() => [BEGIN]);
        const greedy = generateBatch(decoder, prompts, { maxLength: 6, endToken: 2 });
        const beams = beamSearch(decoder, prompts, { beamWidth: 1, maxLength: 6, endToken: 2 });
        expect(beams.map(([best]) => best?.tokens)).toEqual(greedy);
        tf.dispose(params as unknown as tf.TensorContainer);
      });
    });
  });

  describe('seq2seqStepModel with the other decoders', () => {
    it('should stream the tokens generate returns and sample reproducibly from a seed', async () => {
      const model = smallModel('dot');
      const params = model.init(new Rng(7));
      const one = seq2seqStepModel(model, params, [SOURCES[0] as number[]]);
      const options = { maxLength: 6, endToken: 2 };
      const streamed: number[] = [];
      for await (const token of stream(one, [BEGIN], options)) streamed.push(token);
      expect(streamed).toEqual(generate(one, [BEGIN], options));
      const decoder = seq2seqStepModel(model, params, SOURCES);
      const sample = (seed: number) =>
        generateBatch(
          decoder,
          SOURCES.map(() => [BEGIN]),
          { ...options, strategy: { kind: 'sample', rng: new Rng(seed), temperature: 1.5, topK: 5 } },
        );
      const drawn = sample(11);
      expect(sample(11)).toEqual(drawn);
      expect(drawn.flat().every((t) => Number.isInteger(t) && t >= 0 && t < 7)).toBe(true);
      tf.dispose(params as unknown as tf.TensorContainer);
    });
  });

  describe("bridge 'zeros'", () => {
    it('should start the decoder where a projection bridge with zero weights starts it (tanh(0) = 0)', () => {
      const zeros = smallModel('general', { bridge: 'zeros' });
      const projected = smallModel('general');
      const params = projected.init(new Rng(6));
      expect(Object.keys(params.bridge)).toEqual(['h', 'c']);
      const zeroed = {
        ...params,
        bridge: tf.tidy(() =>
          Object.fromEntries(
            Object.entries(params.bridge).map(([k, p]) => [
              k,
              { kernel: tf.zerosLike(p.kernel), bias: tf.zerosLike(p.bias as tf.Tensor1D) },
            ]),
          ),
        ),
      };
      const own = zeros.init(new Rng(6));
      expect(own.bridge).toEqual({});
      const { source, sourceLengths } = paddedSources();
      const targetIn = tf.tensor2d(TARGET_IN, [3, 5], 'int32');
      const a = zeros.apply({ ...params, bridge: {} }, { source, sourceLengths, targetIn });
      const b = projected.apply(zeroed, { source, sourceLengths, targetIn });
      const c = projected.apply(params, { source, sourceLengths, targetIn });
      expectClose(b.logits, a.logits, { rtol: 1e-6, atol: 1e-6 });
      expect(Math.max(...tf.tidy(() => tf.abs(tf.sub(c.logits, a.logits)).dataSync()))).toBeGreaterThan(1e-4);
      tf.dispose([params, zeroed.bridge, own, source, targetIn, a, b, c] as unknown as tf.TensorContainer);
    });
  });
});

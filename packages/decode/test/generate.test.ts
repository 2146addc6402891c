import { RecurError, Rng } from '@recur/core';
import { type GenerateOptions, generate, generateBatch, type StepModel, stream } from '@recur/decode';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Distribution, randomDistribution, type TableState, tableModel } from './helpers/table-model.js';
import { type TinyLanguageModel, tinyLanguageModel } from './helpers/tiny-rnn.js';

const END = 0;

async function collect(tokens: AsyncIterable<number>): Promise<number[]> {
  const out: number[] = [];
  for await (const t of tokens) out.push(t);
  return out;
}

describeBackends('generate', () => {
  checkLeaks();
  let lm: TinyLanguageModel;
  beforeAll(() => {
    lm = tinyLanguageModel(3);
  });
  afterAll(() => lm.dispose());

  describe('generate', () => {
    it('should give the tokens of a naive loop that re-runs the whole prefix for every token', () => {
      const prompt = [2, 5, 1];
      const naive: number[] = [];
      const prefix = [...prompt];
      for (let i = 0; i < 12; i++) {
        const { logProbs } = lm.restart.start([prefix]);
        const row = Array.from(logProbs.dataSync());
        logProbs.dispose();
        const next = row.indexOf(Math.max(...row));
        naive.push(next);
        prefix.push(next);
      }
      expect(generate(lm.model, prompt, { maxLength: 12 })).toEqual(naive);
      expect(new Set(naive).size).toBeGreaterThan(2);
    });

    it('should sample what the restarting model samples with the same seed', () => {
      const options = (seed: number): GenerateOptions => ({
        maxLength: 15,
        endToken: END,
        strategy: { kind: 'sample', rng: new Rng(seed), temperature: 1.3, topK: 5 },
      });
      for (const seed of [1, 2, 3]) {
        expect(generate(lm.model, [4, 3], options(seed))).toEqual(generate(lm.restart, [4, 3], options(seed)));
      }
    });

    it('should feed the prompt once, then one token per step', () => {
      const model = tableModel(4, randomDistribution(4, 1));
      const tokens = generate(model, [1, 2, 3], { maxLength: 9 });
      expect(tokens).toHaveLength(9);
      expect(model.calls.start).toBe(1);
      expect(model.calls.stepRows).toEqual(Array(8).fill(1));
    });

    it('should stop after the end token and include it', () => {
      const dist: Distribution = (prefix) => (prefix.length < 4 ? [0.1, 0.9, 0] : [0.9, 0.1, 0]);
      const model = tableModel(3, dist);
      expect(generate(model, [2], { maxLength: 10, endToken: END })).toEqual([1, 1, 1, END]);
      expect(model.calls.step).toBe(3);
    });

    it('should dispose everything when the model throws mid-way', () => {
      const table = tableModel(3, randomDistribution(3, 2));
      const failing: StepModel<TableState> = {
        ...table,
        step: (tokens, state) => {
          if (table.calls.step === 2) throw new Error('model failure');
          return table.step(tokens, state);
        },
      };
      expect(() => generate(failing, [1], { maxLength: 10 })).toThrow('model failure');
    });
  });

  describe('generateBatch', () => {
    it('should give each prompt what generate gives it alone, rows stopping at their own end token', () => {
      const prompts = [[1], [2, 3, 4], [5, 5], [3, 1, 2, 4, 1]];
      const options = { maxLength: 12, endToken: END };
      const alone = prompts.map((p) => generate(lm.model, p, options));
      expect(generateBatch(lm.model, prompts, options)).toEqual(alone);
      expect(new Set(alone.map((t) => t.length)).size).toBeGreaterThan(1);
    });

    it('should drop finished rows from the batch it steps', () => {
      const dist: Distribution = (prefix) => (prefix[0] === 1 ? [1, 0, 0] : [0, 0.5, 0.5]);
      const model = tableModel(3, dist);
      const out = generateBatch(model, [[1], [2], [2]], { maxLength: 4, endToken: END });
      expect(out[0]).toEqual([END]);
      expect(model.calls.stepRows).toEqual([2, 2, 2]);
    });
  });

  describe('stream', () => {
    it('should yield the tokens generate returns', async () => {
      const options = (seed: number): GenerateOptions => ({
        maxLength: 20,
        endToken: END,
        strategy: { kind: 'sample', rng: new Rng(seed), topP: 0.9 },
      });
      for (const seed of [4, 5]) {
        expect(await collect(stream(lm.model, [1, 2], options(seed)))).toEqual(
          generate(lm.model, [1, 2], options(seed)),
        );
      }
      expect(await collect(stream(lm.model, [3], { maxLength: 8 }))).toEqual(generate(lm.model, [3], { maxLength: 8 }));
    });

    it('should leak nothing and compute nothing ahead when stopped early', async () => {
      const model = tableModel(4, randomDistribution(4, 3));
      const full = generate(model, [1], { maxLength: 10 });
      const calls = model.calls.step;
      const head: number[] = [];
      for await (const t of stream(model, [1], { maxLength: 10 })) {
        head.push(t);
        if (head.length === 3) break;
      }
      expect(head).toEqual(full.slice(0, 3));
      expect(model.calls.step - calls).toBe(2);
    });

    it('should dispose the state when return() is called mid-stream', async () => {
      const tokens = stream(lm.model, [1, 2], { maxLength: 10 });
      await tokens.next();
      await tokens.next();
      expect(await tokens.return()).toEqual({ done: true, value: undefined });
      expect(await tokens.next()).toEqual({ done: true, value: undefined });
    });

    it('should not start the model when returned before the first token', async () => {
      const model = tableModel(4, randomDistribution(4, 3));
      const tokens = stream(model, [1], { maxLength: 10 });
      await tokens.return();
      expect(model.calls.start).toBe(0);
    });

    it('should check its arguments when called, not at the first next()', () => {
      expect(() => stream(lm.model, [lm.vocabSize], { maxLength: 3 })).toThrow(RecurError);
    });
  });
});

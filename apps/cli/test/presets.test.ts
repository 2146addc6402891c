import { join } from 'node:path';
import { loadCheckpoint } from '@recur/train/node';
import { describe, expect, it } from 'vitest';
import { optimizerOptions } from '../src/commands/optimizer-options.js';
import { presetFlags } from '../src/presets.js';
import { TASK_NAMES, type TrainSettings } from '../src/settings.js';
import { type TrainFlags, trainSettings } from '../src/train-flags.js';
import { recur } from './helpers/cli.js';
import { pronunciationsCsv, tempDir } from './helpers/fixtures.js';

/** The flags commander always fills in (those with a default). */
const BASE: TrainFlags = { backend: 'cpu', seed: 1, checkpointEvery: 100, evalLimit: 0 };

describe('--preset', () => {
  it('should leave every task at its defaults with quick, as with no preset', () => {
    for (const task of TASK_NAMES) {
      const none = trainSettings(task, BASE, '/tmp');
      expect(trainSettings(task, { ...BASE, preset: 'quick' }, '/tmp')).toEqual(none);
      // No recipe setting: plain Adam at a constant rate, as before presets.
      expect(optimizerOptions(none, 1000)).toEqual({ optimizer: { kind: 'adam', learningRate: none.learningRate } });
    }
  });

  it("should set the recipe's values with best, a flag given winning over them", () => {
    const best = trainSettings('g2p', { ...BASE, preset: 'best' }, '/tmp');
    const recipe = presetFlags('g2p', 'best');
    expect(best).toMatchObject({
      units: recipe.units,
      layers: recipe.layers,
      maxSteps: recipe.maxSteps,
      weightDecay: recipe.weightDecay,
      schedule: 'cosine',
      allPronunciations: true,
      beam: recipe.beam,
    });
    const mine = trainSettings(
      'g2p',
      { ...BASE, preset: 'best', units: 32, maxSteps: 900, model: 'attention' },
      '/tmp',
    );
    expect(mine).toMatchObject({ units: 32, maxSteps: 900, model: 'attention', layers: recipe.layers });
    for (const task of TASK_NAMES) {
      const settings = trainSettings(task, { ...BASE, preset: 'best' }, '/tmp');
      // Every recipe fixes where training ends, so that its schedule can decay to it.
      if (settings.maxSteps !== undefined) expect(settings.maxSteps).toBeGreaterThan(settings.warmupSteps ?? 0);
      else expect(settings.epochs).toBeGreaterThan(0);
    }
  });

  it('should refuse recipe flags a task does not take and a cosine schedule without an end', () => {
    expect(() => trainSettings('classify', { ...BASE, dropout: 0.2 }, '/tmp')).toThrow(
      /--dropout does not apply to classify/,
    );
    expect(() => trainSettings('char-lm', { ...BASE, allPronunciations: true }, '/tmp')).toThrow(
      /--all-pronunciations does not apply to char-lm/,
    );
    expect(() => trainSettings('g2p', { ...BASE, preset: 'best', lengthPenalty: 0.6 }, '/tmp')).toThrow(
      /--length-penalty applies to the attention model's beam search/,
    );
    expect(() => trainSettings('forecast', { ...BASE, schedule: 'cosine' }, '/tmp')).toThrow(
      /--schedule cosine decays to the last step: give --max-steps or --epochs/,
    );
  });
});

describe('optimizer and schedule of a run', () => {
  const settings = (extra: Partial<TrainSettings>) =>
    ({ ...trainSettings('forecast', BASE, '/tmp'), learningRate: 0.01, ...extra }) as TrainSettings;

  it('should make AdamW with a weight decay, warm up linearly and decay by cosine to 5% at the last step', () => {
    const o = optimizerOptions(settings({ weightDecay: 0.1, warmupSteps: 10, schedule: 'cosine' }), 110);
    expect(o.optimizer).toEqual({ kind: 'adamw', learningRate: 0.01, weightDecay: 0.1 });
    expect(o.schedule).toEqual({
      kind: 'warmup',
      warmupSteps: 10,
      after: { kind: 'cosine', rate: 0.01, decaySteps: 100, minRate: 0.0005 },
    });
    expect(optimizerOptions(settings({ warmupSteps: 5 }), undefined).schedule).toEqual({
      kind: 'warmup',
      warmupSteps: 5,
      after: { kind: 'constant', rate: 0.01 },
    });
  });

  it('should refuse a warm-up that leaves no step to decay over', () => {
    expect(() => optimizerOptions(settings({ warmupSteps: 100, schedule: 'cosine' }), 100)).toThrow(
      /--warmup-steps 100 leaves no step to decay over: training ends at step 100/,
    );
  });
});

describe('recur train --preset quick', () => {
  it('should train the same weights and report the same numbers as no preset', async () => {
    const dir = await tempDir();
    const csv = await pronunciationsCsv(dir);
    const run = (folder: string, extra: readonly string[]) =>
      recur(
        [
          'train',
          'g2p',
          '--file',
          csv,
          '--units',
          '8',
          '--batch',
          '4',
          '--max-steps',
          '5',
          '--checkpoint-dir',
          folder,
        ].concat(extra),
        dir,
      );
    const plain = await run('plain', []);
    const quick = await run('quick', ['--preset', 'quick']);
    expect(quick.code).toBe(0);
    expect(quick.out).toBe(plain.out);
    const weights = async (folder: string) => (await loadCheckpoint(join(dir, folder, 'model.ckpt'))).weights;
    expect(await weights('quick')).toEqual(await weights('plain'));
  });
});

describe('recur train g2p with the recipe options', () => {
  it('should train with AdamW, warm-up, cosine decay, dropout and every pronunciation, and evaluate with its beam', async () => {
    const dir = await tempDir();
    const csv = await pronunciationsCsv(dir);
    const recipe = ['--weight-decay', '0.01', '--warmup-steps', '2', '--schedule', 'cosine', '--dropout', '0.2'];
    const g2p = ['--beam', '3', '--length-penalty', '0.6', '--all-pronunciations'];
    const result = await recur(
      [
        'train',
        'g2p',
        '--file',
        csv,
        '--units',
        '8',
        '--batch',
        '4',
        '--max-steps',
        '6',
        '--checkpoint-dir',
        'run',
      ].concat(recipe, g2p),
      dir,
    );
    expect(result.err).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^beam 3: phoneme error rate/m);
    const checkpoint = await loadCheckpoint(join(dir, 'run', 'model.ckpt'));
    expect(checkpoint.step).toBe(6);
    expect((checkpoint.config as { settings: unknown }).settings).toMatchObject({
      weightDecay: 0.01,
      warmupSteps: 2,
      schedule: 'cosine',
      dropout: 0.2,
      beam: 3,
      lengthPenalty: 0.6,
      allPronunciations: true,
    });
    // eval without --beam decodes greedily and with the model's beam.
    const evaluated = await recur(['eval', '--model', 'run', '--file', csv], dir);
    expect(evaluated.out).toMatch(/^greedy: .*\nbeam 3: /m);
  });
});

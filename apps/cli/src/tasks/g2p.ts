import { cellFromConfig } from '@recur/cells';
import type { Cell } from '@recur/core';
import { bucketByLength, padSequences } from '@recur/datasets';
import { beamSearch, generateBatch } from '@recur/decode';
import { bidirectional, recurrent, type Seq2SeqParams, seq2seq, seq2seqStepModel } from '@recur/layers';
import { softmaxCrossEntropy } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { loadPronunciations, type Pair, pairsOf } from '../data/pronunciations.js';
import { CliError, usageError } from '../errors.js';
import { definedOnly } from '../flag-values.js';
import { atOnceOnInterrupt, betweenBatches } from '../interrupt.js';
import type { CellChoice } from '../model/network.js';
import type { G2pModel } from '../settings.js';
import { count } from './format.js';
import { openCtc } from './g2p-ctc.js';
import { evaluateG2p } from './g2p-evaluate.js';
import type { Task, TaskContext, TaskSession } from './task.js';

/** Target ids: padding (0), begin and end, then the phonemes. Source ids: padding (0), unknown, then the letters. */
const BEGIN = 1;
const END = 2;
const UNKNOWN_LETTER = 1;
/** Words decoded per batch when evaluating. */
const DECODE_BATCH = 256;

/** Everything that fixes the weights' shapes; stored in the model file. */
export interface G2pNetConfig {
  readonly letters: number;
  readonly phonemes: number;
  readonly cell: CellChoice;
  readonly layers: number;
  readonly units: number;
  readonly embeddingDim: number;
  /** Dropout on each encoder layer's inputs while training (no weights: absent from older files). */
  readonly dropout?: number;
}

/** What a g2p model file holds besides weights: the symbol tables, all `generate` needs. */
const preprocessing = z.strictObject({
  letters: z.array(z.string()).min(2),
  phonemes: z.array(z.string()).min(3),
});
type Saved = z.infer<typeof preprocessing>;

/**
 * Bahdanau/Luong encoder–decoder from `@recur/layers`: bidirectional encoder layers over
 * the letters (units/2 each way, so the memory has `units` features), a decoder cell with
 * input feeding and 'general' attention (Luong et al. 2015, sec. 3.1) over the letters.
 */
function buildModel(c: G2pNetConfig) {
  const cell = (inputSize: number, units: number) =>
    cellFromConfig({ kind: c.cell, inputSize, units }) as unknown as Cell;
  const half = Math.max(1, Math.floor(c.units / 2));
  const encoder = Array.from({ length: c.layers }, (_, i) =>
    bidirectional(
      recurrent(cell(i === 0 ? c.embeddingDim : 2 * half, half), {
        returnSequences: true,
        ...(c.dropout ? { dropout: c.dropout } : {}),
      }),
    ),
  );
  return seq2seq({
    sourceVocabSize: c.letters,
    targetVocabSize: c.phonemes,
    sourceEmbeddingDim: c.embeddingDim,
    targetEmbeddingDim: c.embeddingDim,
    encoder,
    decoder: cell(c.embeddingDim + c.units, c.units),
    attention: 'general',
  });
}

/** Gates per cell kind: each gate has an input kernel, a recurrent kernel and a bias. */
const GATES: Readonly<Record<CellChoice, number>> = { lstm: 4, gru: 3, elman: 1 };

/**
 * Weights of the encoder–decoder, counted from the config before any is allocated (for
 * the size limit): embeddings, the encoder's two directions per layer, the decoder cell,
 * attention and output projections. A slight overcount (GRU's second bias, which
 * `@recur/cells` has only with `resetAfter`) keeps it a bound.
 */
function g2pParameterCount(c: G2pNetConfig): number {
  const cell = (inputSize: number, units: number) => GATES[c.cell] * units * (inputSize + units + 2);
  const half = Math.max(1, Math.floor(c.units / 2));
  let encoder = 0;
  for (let i = 0; i < c.layers; i++) encoder += 2 * cell(i === 0 ? c.embeddingDim : 2 * half, half);
  const embeddings = (c.letters + c.phonemes) * c.embeddingDim;
  const attention = c.units * c.units + 2 * c.units * c.units + c.units * c.phonemes + c.phonemes;
  return embeddings + encoder + cell(c.embeddingDim + c.units, c.units) + attention;
}

async function open(context: TaskContext<'g2p'>): Promise<TaskSession<Seq2SeqParams>> {
  const { settings, saved } = context;
  const data =
    context.use === 'generate' ? { train: [], validation: [], test: [] } : await loadPronunciations(settings.source);
  const pairs = pairsOf(data.train, settings.allPronunciations === true);
  const previous = saved as Saved | undefined;
  // Fixed ids first (padding 0, unknown 1), then the letters in code-unit order.
  const letters = previous?.letters ?? ['<pad>', '<unk>', ...[...new Set(pairs.flatMap((p) => [...p.word]))].sort()];
  const phonemes = previous?.phonemes ?? [
    '<pad>',
    '<bos>',
    '<eos>',
    ...[...new Set(pairs.flatMap((p) => p.phonemes))].sort(),
  ];
  const letterId = new Map(letters.map((l, i) => [l, i]));
  const phonemeId = new Map(phonemes.map((p, i) => [p, i]));
  const encodeWord = (word: string) => Array.from(word, (ch) => letterId.get(ch) ?? UNKNOWN_LETTER);
  const known = (p: Pair) => p.phonemes.every((ph) => phonemeId.has(ph));
  const net: G2pNetConfig = {
    letters: letters.length,
    phonemes: phonemes.length,
    cell: settings.cell,
    layers: settings.layers,
    units: settings.units,
    embeddingDim: settings.embeddingDim,
    ...(settings.dropout ? { dropout: settings.dropout } : {}),
  };
  const model = buildModel(net);
  // Training pairs longer than --seq-length are left out (a few very long names); every test word is decoded.
  const train = context.use === 'train' ? pairs.filter((p) => p.word.length <= settings.maxWordLength && known(p)) : [];
  if (context.use === 'train' && train.length < settings.batch) {
    throw new CliError(
      `only ${train.length} training words fit --seq-length ${settings.maxWordLength}: give more data or a smaller --batch`,
    );
  }
  const toBatch = (pairs: readonly Pair[]) => {
    const source = padSequences(
      pairs.map((p) => encodeWord(p.word)),
      { padding: 'post' },
    );
    const ids = pairs.map((p) => p.phonemes.map((ph) => phonemeId.get(ph) as number));
    const targetIn = padSequences(
      ids.map((s) => [BEGIN, ...s]),
      { padding: 'post' },
    );
    const targetOut = padSequences(
      ids.map((s) => [...s, END]),
      { padding: 'post' },
    );
    const sourceIds = tf.tensor2d(source.data, [...source.shape], 'int32');
    return {
      // `inputs` is the name fit reads batch and time sizes from (samples/s in the progress bar).
      inputs: sourceIds,
      source: sourceIds,
      sourceMask: tf.tensor2d(source.mask, [...source.shape], 'float32'),
      targetIn: tf.tensor2d(targetIn.data, [...targetIn.shape], 'int32'),
      targetOut: tf.tensor2d(targetOut.data, [...targetOut.shape], 'int32'),
      targetMask: tf.tensor2d(targetOut.mask, [...targetOut.shape], 'float32'),
    };
  };
  const batches = (pairs: readonly Pair[], options: Parameters<typeof bucketByLength>[1]) =>
    bucketByLength(
      pairs.map((p) => p.word.length),
      options,
    ).map((idx) => Array.from(idx, (i) => pairs[i] as Pair));
  /** Phoneme sequences for `words`, decoded greedily (beam 1) or by beam search. */
  const transcribe = async (
    params: Seq2SeqParams,
    words: readonly string[],
    beam: number,
    stopped: (() => boolean) | undefined,
    lengthPenalty = 0,
  ): Promise<string[][]> => {
    const out: string[][] = [];
    for (let start = 0; start < words.length; start += DECODE_BATCH) {
      await betweenBatches(stopped);
      const part = words
        .slice(start, start + DECODE_BATCH)
        .map((w) => (w.length > 0 ? encodeWord(w) : [UNKNOWN_LETTER]));
      const decoder = seq2seqStepModel(model, params, part);
      const maxLength = Math.max(...part.map((p) => p.length)) + 6;
      const prompts = part.map(() => [BEGIN]);
      const tokens = atOnceOnInterrupt(() =>
        beam > 1
          ? beamSearch(decoder, prompts, { beamWidth: beam, maxLength, endToken: END, lengthPenalty }).map(
              (h) => h[0]?.tokens ?? [],
            )
          : generateBatch(decoder, prompts, { maxLength, endToken: END }),
      );
      for (const t of tokens) out.push(t.filter((id) => id > END).map((id) => phonemes[id] as string));
    }
    return out;
  };
  const source = settings.source.kind === 'file' ? settings.source.path : 'cmudict';
  return {
    net,
    preprocessing: { letters: [...letters], phonemes: [...phonemes] } satisfies Saved,
    parameterCount: g2pParameterCount(net),
    summary: `${source}: ${count(train.length || data.train.length)} training${settings.allPronunciations ? ' pronunciations' : ''} / ${count(data.validation.length)} validation / ${count(data.test.length)} test words, ${letters.length - 2} letters, ${phonemes.length - 3} phonemes`,
    metricName: 'acc',
    throughput: 'samples',
    init: (rng) => model.init(rng),
    lossOf: (params) =>
      function loss(b, context) {
        const { targetOut, targetMask, inputs: _, ...input } = b as ReturnType<typeof toBatch>;
        const { logits, attention } = model.apply(params, input, { training: context.training, rng: context.rng });
        attention.dispose();
        const value = softmaxCrossEntropy(logits, targetOut, { mask: targetMask });
        const hits = tf.mul(tf.cast(tf.equal(tf.argMax(logits, -1), targetOut), 'float32'), targetMask);
        const acc = tf.div(tf.sum(hits), tf.maximum(tf.sum(targetMask), 1)) as tf.Scalar;
        return { loss: value, metrics: { acc } };
      },
    data: (stopped) => ({
      stepsPerEpoch: Math.ceil(train.length / settings.batch),
      fitData: {
        *train(rng) {
          for (const pairs of batches(train, { batchSize: settings.batch, rng })) yield toBatch(pairs);
        },
        *validation() {
          if (stopped()) return;
          const held = pairsOf(data.validation, false).filter(known).slice(0, 1024);
          for (const part of batches(held, { batchSize: 256 })) yield toBatch(part);
        },
      },
    }),
    evaluate: (params, request) =>
      evaluateG2p(
        data.test,
        request,
        (words, beam) => transcribe(params, words, beam, request.stopped, request.lengthPenalty),
        'beam',
      ),
    generate: async (params, request) => {
      const words = (request.prompt ?? 'recur').trim().toLowerCase().split(/\s+/).filter(Boolean);
      if (words.length === 0) throw new CliError('the prompt is empty: pass --prompt with a word to transcribe');
      const result = await transcribe(params, words, request.beam, request.stopped);
      return words.map((w, i) => `${w}\t${(result[i] ?? []).join(' ')}`).join('\n');
    },
    dispose: () => {},
  };
}

export const g2p: Task<'g2p'> = {
  name: 'g2p',
  description:
    'grapheme-to-phoneme: spells out how a word is pronounced (attention encoder–decoder, or CTC: --model ctc)',
  datasets: ['cmudict'],
  flags: ['embeddingDim', 'seqLength', 'model', 'dropout', 'beam', 'lengthPenalty', 'allPronunciations'],
  settings: (flags) => {
    if (flags.lengthPenalty !== undefined && flags.model === 'ctc') {
      throw usageError(
        "--length-penalty applies to the attention model's beam search: CTC's prefix beam search scores whole alignments",
      );
    }
    return {
      cell: (flags.cell ?? 'lstm') as CellChoice, // trainSettings refuses the block cells here
      layers: flags.layers ?? 1,
      units: flags.units ?? 64,
      embeddingDim: flags.embeddingDim ?? 32,
      maxWordLength: flags.seqLength ?? 24,
      model: (flags.model ?? 'attention') as G2pModel, // the schema refuses the sequence models
      batch: flags.batch ?? 64,
      learningRate: flags.lr ?? 0.003,
      minutes: flags.minutes ?? 1.5,
      ...definedOnly({
        dropout: flags.dropout,
        beam: flags.beam,
        lengthPenalty: flags.lengthPenalty,
        allPronunciations: flags.allPronunciations,
      }),
    };
  },
  shape: ['cell', 'layers', 'units', 'embeddingDim', 'maxWordLength', 'model'],
  preprocessing,
  open: (context) => (context.settings.model === 'ctc' ? openCtc(context) : open(context)),
};

/**
 * `recur train g2p --model ctc`: grapheme-to-phoneme conversion with a deep bidirectional
 * LSTM over the letters trained by CTC (Rao et al. 2015, "Grapheme-to-phoneme conversion
 * using long short-term memory recurrent neural networks", sec. 3.1, DBLSTM-CTC). CTC
 * emits at most one label per input frame, and a pronunciation can be longer than its
 * spelling ("x" → EH K S), so every letter's frame is repeated FRAME_REPEAT times.
 * Decoded greedily and by CTC prefix beam search; reported as phoneme and word error rates.
 */
import { type CellKind, cellFromConfig } from '@recur/cells';
import type { Cell, Rng } from '@recur/core';
import { bucketByLength, padSequences } from '@recur/datasets';
import { ctcGreedy, ctcPrefixBeamSearch } from '@recur/decode';
import {
  bidirectional,
  type DenseParams,
  dense,
  type EmbeddingParams,
  embedding,
  type ParamTree,
  recurrent,
} from '@recur/layers';
import { ctcLoss } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { loadPronunciations, type Pair, pairsOf } from '../data/pronunciations.js';
import { CliError } from '../errors.js';
import { count } from './format.js';
import { evaluateG2p } from './g2p-evaluate.js';
import type { TaskContext, TaskSession } from './task.js';

/** Frames per letter: k = 2 fits every CMUdict pronunciation of at most twice its letters' length. */
export const FRAME_REPEAT = 2;
/** Letter ids: padding 0, unknown 1, then the letters. Class ids: blank 0, then the phonemes. */
const UNKNOWN_LETTER = 1;
const BLANK = 0;
/** Words decoded per batch when evaluating. */
const DECODE_BATCH = 256;

export interface G2pCtcNetConfig {
  readonly model: 'ctc';
  readonly letters: number;
  /** Output classes: the blank and the phonemes. */
  readonly classes: number;
  /** The `--cell` choices (the cells with a `units`-sized output). */
  readonly cell: Exclude<CellKind, 'jordan'>;
  readonly layers: number;
  /** Units of the two directions together (each has half). */
  readonly units: number;
  readonly embeddingDim: number;
  readonly frameRepeat: number;
  /** Dropout on each encoder layer's inputs while training (no weights: absent from older files). */
  readonly dropout?: number;
}

type Params = {
  readonly embedding: EmbeddingParams;
  readonly encoder: readonly ParamTree[];
  readonly output: DenseParams;
};

interface Saved {
  readonly letters: readonly string[];
  readonly phonemes: readonly string[];
}

function buildModel(c: G2pCtcNetConfig) {
  const half = Math.max(1, Math.floor(c.units / 2));
  const cell = (inputSize: number) => cellFromConfig({ kind: c.cell, inputSize, units: half }) as unknown as Cell;
  const letters = embedding({ vocabSize: c.letters, dim: c.embeddingDim, paddingId: 0 });
  const encoder = Array.from({ length: c.layers }, (_, i) =>
    bidirectional(
      recurrent(cell(i === 0 ? c.embeddingDim : 2 * half), {
        returnSequences: true,
        ...(c.dropout ? { dropout: c.dropout } : {}),
      }),
    ),
  );
  const head = dense({ inputSize: 2 * half, units: c.classes });
  const specs = [letters, ...encoder, head].flatMap((layer) => layer.kerasWeightSpec());
  return {
    /** Weights counted from the layers' specs, before any is allocated (for the size limit). */
    parameterCount: specs.reduce((n, spec) => n + spec.shape.reduce((a, d) => a * d, 1), 0),
    init: (rng: Rng): Params => ({
      embedding: letters.init(rng),
      encoder: encoder.map((l) => l.init(rng) as ParamTree),
      output: head.init(rng),
    }),
    /** `[batch, k·letters, classes]` log-probabilities and the `[batch, k·letters]` frame mask. */
    logProbs(params: Params, source: tf.Tensor2D, training: boolean, rng?: Rng) {
      return tf.tidy(() => {
        const { output, mask } = letters.apply(params.embedding, source);
        const [batch, time] = source.shape;
        const k = c.frameRepeat;
        const repeat = (t: tf.Tensor, size: number[]) =>
          tf.reshape(tf.tile(tf.expandDims(t, 2), [1, 1, k, ...size.map(() => 1)]), [batch, time * k, ...size]);
        let x = repeat(output, [c.embeddingDim]) as tf.Tensor3D;
        const frames = repeat(mask as tf.Tensor2D, []) as tf.Tensor2D;
        encoder.forEach((layer, i) => {
          x = layer.apply(params.encoder[i] as never, x, {
            mask: frames,
            training,
            ...(rng === undefined ? {} : { rng }),
          }).output as tf.Tensor3D;
        });
        return tf.logSoftmax(head.apply(params.output, x).output) as tf.Tensor3D;
      });
    },
  };
}

export async function openCtc(context: TaskContext<'g2p'>): Promise<TaskSession<Params>> {
  const { settings, saved } = context;
  const data =
    context.use === 'generate' ? { train: [], validation: [], test: [] } : await loadPronunciations(settings.source);
  const pairs = pairsOf(data.train, settings.allPronunciations === true);
  const previous = saved as Saved | undefined;
  const letters = previous?.letters ?? ['<pad>', '<unk>', ...[...new Set(pairs.flatMap((p) => [...p.word]))].sort()];
  const phonemes = previous?.phonemes ?? ['<blank>', ...[...new Set(pairs.flatMap((p) => p.phonemes))].sort()];
  const letterId = new Map(letters.map((l, i) => [l, i]));
  const phonemeId = new Map(phonemes.map((p, i) => [p, i]));
  const encodeWord = (word: string) => Array.from(word, (ch) => letterId.get(ch) ?? UNKNOWN_LETTER);
  const known = (p: Pair) => p.phonemes.every((ph) => phonemeId.has(ph));
  const net: G2pCtcNetConfig = {
    model: 'ctc',
    letters: letters.length,
    classes: phonemes.length,
    cell: settings.cell,
    layers: settings.layers,
    units: settings.units,
    embeddingDim: settings.embeddingDim,
    frameRepeat: FRAME_REPEAT,
    ...(settings.dropout ? { dropout: settings.dropout } : {}),
  };
  const model = buildModel(net);
  const train = context.use === 'train' ? pairs.filter((p) => p.word.length <= settings.maxWordLength && known(p)) : [];
  if (context.use === 'train' && train.length < settings.batch) {
    throw new CliError(
      `only ${train.length} training words fit --seq-length ${settings.maxWordLength}: give more data or a smaller --batch`,
    );
  }
  const toBatch = (pairs: readonly Pair[]) => {
    const source = padSequences(
      pairs.map((p) => (p.word.length > 0 ? encodeWord(p.word) : [UNKNOWN_LETTER])),
      { padding: 'post' },
    );
    const ids = tf.tensor2d(source.data, [...source.shape], 'int32');
    return {
      // `inputs` is the name fit reads batch and time sizes from (samples/s in the progress bar).
      inputs: ids,
      labels: pairs.map((p) => p.phonemes.map((ph) => phonemeId.get(ph) as number)),
      frames: pairs.map((p) => Math.max(p.word.length, 1) * FRAME_REPEAT),
    };
  };
  const batches = (pairs: readonly Pair[], batchSize: number, rng?: Rng) =>
    bucketByLength(
      pairs.map((p) => p.word.length),
      { batchSize, ...(rng === undefined ? {} : { rng }) },
    ).map((idx) => Array.from(idx, (i) => pairs[i] as Pair));
  const transcribe = (params: Params, words: readonly string[], beam: number): string[][] => {
    const out: string[][] = [];
    for (let start = 0; start < words.length; start += DECODE_BATCH) {
      const part = words.slice(start, start + DECODE_BATCH).map((word) => ({ word, phonemes: [] }));
      const batch = toBatch(part);
      const logProbs = model.logProbs(params, batch.inputs, false);
      const options = { blank: BLANK, inputLengths: batch.frames };
      const decoded =
        beam > 1
          ? ctcPrefixBeamSearch(logProbs, { ...options, beamWidth: beam }).map((h) => h[0]?.tokens ?? [])
          : ctcGreedy(logProbs, options).map((h) => h.tokens);
      tf.dispose([logProbs, batch.inputs]);
      for (const tokens of decoded) out.push(tokens.map((id) => phonemes[id] as string));
    }
    return out;
  };
  const source = settings.source.kind === 'file' ? settings.source.path : 'cmudict';
  return {
    net,
    preprocessing: { letters, phonemes } satisfies Saved,
    parameterCount: model.parameterCount,
    summary: `${source}: ${count(train.length || data.train.length)} training${settings.allPronunciations ? ' pronunciations' : ''} / ${count(data.validation.length)} validation / ${count(data.test.length)} test words, ${letters.length - 2} letters, ${phonemes.length - 1} phonemes; CTC over ${FRAME_REPEAT} frames per letter`,
    metricName: 'nll',
    throughput: 'samples',
    init: (rng) => model.init(rng),
    lossOf: (params) =>
      function loss(b, context) {
        const { inputs, labels, frames } = b as ReturnType<typeof toBatch>;
        return tf.tidy(() => {
          const logProbs = model.logProbs(params, inputs, context.training, context.rng);
          // zeroInfinity: a pronunciation longer than k frames per letter allow cannot be learnt; it is skipped.
          const perWord = ctcLoss(logProbs, { labels, inputLengths: frames, reduction: 'none', zeroInfinity: true });
          const perLabel = tf.div(perWord, tf.tensor1d(labels.map((l) => Math.max(l.length, 1))));
          return { loss: tf.mean(perLabel) as tf.Scalar, metrics: { nll: tf.mean(perWord) as tf.Scalar } };
        });
      },
    data: (stopped) => ({
      stepsPerEpoch: Math.ceil(train.length / settings.batch),
      fitData: {
        *train(rng) {
          for (const pairs of batches(train, settings.batch, rng)) yield toBatch(pairs);
        },
        *validation() {
          if (stopped()) return;
          for (const part of batches(pairsOf(data.validation, false).filter(known).slice(0, 1024), 256))
            yield toBatch(part);
        },
      },
    }),
    evaluate: (params, request) =>
      evaluateG2p(data.test, request, async (words, beam) => transcribe(params, words, beam), 'prefix beam'),
    generate: async (params, request) => {
      const words = (request.prompt ?? 'recur').trim().toLowerCase().split(/\s+/).filter(Boolean);
      if (words.length === 0) throw new CliError('the prompt is empty: pass --prompt with a word to transcribe');
      const result = transcribe(params, words, request.beam);
      return words.map((w, i) => `${w}\t${(result[i] ?? []).join(' ')}`).join('\n');
    },
    dispose: () => {},
  };
}

import { Rng } from '@recur/core';
import { Tokenizer } from '@recur/datasets';
import { beamSearch, stream as streamTokens } from '@recur/decode';
import type { StackedState } from '@recur/layers';
import { bitsPerCharacter, softmaxCrossEntropy } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { byteBatch, byteBatchCount } from '../data/byte-batches.js';
import { loadCharTexts, MAX_SYMBOLS } from '../data/char-text.js';
import { CliError } from '../errors.js';
import { atOnceOnInterrupt, betweenBatches } from '../interrupt.js';
import { BLOCK_LEARNING_RATE, isBlockCell } from '../model/blocks.js';
import { type Network, type NetworkConfig, type NetworkParams, network } from '../model/network.js';
import { networkStepModel } from '../model/network-step-model.js';
import { count, fixed } from './format.js';
import type { GenerateRequest, Task, TaskContext, TaskSession } from './task.js';

/** TBPTT chunks per batch: each row carries its state through this many chunks of `seqLength`. */
const CHUNKS = 8;
/** Rows the held-out text is cut into for evaluation (each read start to end with its state carried). */
const EVAL_ROWS = 16;

/** What a char-lm model file holds besides weights: all `generate` needs. */
const preprocessing = z.strictObject({
  tokenizer: z.record(z.string(), z.unknown()),
  /** The prompt `generate` continues when given none. */
  prompt: z.string().min(1),
});

/** Mean cross-entropy (nats) of `ids` read as `EVAL_ROWS` long rows, state carried chunk to chunk. */
async function streamLoss(
  net: Network,
  params: NetworkParams,
  ids: Uint8Array,
  chunk: number,
  limit: number,
  stopped: (() => boolean) | undefined,
): Promise<number> {
  const tokens = limit > 0 && ids.length > limit + 1 ? ids.subarray(0, limit + 1) : ids;
  const rows = Math.max(1, Math.min(EVAL_ROWS, Math.floor((tokens.length - 1) / 2)));
  let state: StackedState | undefined;
  let sum = 0;
  let n = 0;
  for (let k = 0; k < byteBatchCount(tokens.length, rows, chunk, false); k++) {
    await betweenBatches(stopped);
    const { inputs, targets } = byteBatch(tokens, rows, chunk, k);
    const out = tf.tidy(() => {
      const r = net.apply(params, inputs, state === undefined ? {} : { state });
      return { loss: softmaxCrossEntropy(r.output, targets), state: r.state } as unknown as tf.TensorContainerObject;
    }) as unknown as { loss: tf.Scalar; state: StackedState };
    const size = inputs.size;
    tf.dispose([inputs, targets]);
    sum += (out.loss.dataSync()[0] as number) * size;
    n += size;
    out.loss.dispose();
    if (state !== undefined) tf.dispose(state as unknown as tf.TensorContainer);
    state = out.state;
  }
  if (state !== undefined) tf.dispose(state as unknown as tf.TensorContainer);
  return sum / n;
}

async function open(context: TaskContext<'char-lm'>): Promise<TaskSession<NetworkParams>> {
  const { settings, use } = context;
  const forInference = use !== 'train';
  const saved = context.saved as z.infer<typeof preprocessing> | undefined;
  const stored = saved === undefined ? undefined : Tokenizer.fromJSON(saved.tokenizer, 'model file tokenizer');
  if (stored !== undefined && stored.vocabulary.size > MAX_SYMBOLS) {
    throw new CliError(
      `the model file's tokenizer has ${stored.vocabulary.size} symbols; char-lm models have at most ${MAX_SYMBOLS}`,
    );
  }
  const texts =
    use === 'generate' && stored !== undefined
      ? {
          tokenizer: stored,
          train: new Uint8Array(0),
          validation: new Uint8Array(0),
          test: new Uint8Array(0),
          testHead: '',
        }
      : await loadCharTexts(settings.source, stored, forInference);
  const { tokenizer } = texts;
  const defaultPrompt =
    saved?.prompt ??
    (settings.source.kind === 'dataset' && settings.source.name === 'moby-dick' ? 'Call me ' : texts.testHead);
  const vocabSize = tokenizer.vocabulary.size;
  const netConfig: NetworkConfig = {
    input: { kind: 'tokens', vocabSize, dim: settings.embeddingDim },
    cell: settings.cell,
    layers: settings.layers,
    units: settings.units,
    outputs: vocabSize,
    perStep: true,
    ...(settings.dropout ? { dropout: settings.dropout } : {}),
  };
  const net = network(netConfig);
  const trainIds = texts.train;
  const validationIds = texts.validation;
  const testIds = texts.test;
  const { chunkLength: seqLength, batch } = settings;
  const span = seqLength * CHUNKS;
  if (!forInference && trainIds.length < batch * span + 1) {
    throw new CliError(
      `the training text has ${count(trainIds.length)} characters, fewer than --batch ${batch} × ${CHUNKS} × --seq-length ${seqLength}: use a smaller --batch or --seq-length, or a longer text`,
    );
  }
  const generateText = async (params: NetworkParams, request: GenerateRequest): Promise<string> => {
    const prompt = request.prompt ?? defaultPrompt;
    const ids = Array.from(tokenizer.encode(prompt));
    if (ids.length === 0) throw new CliError('the prompt is empty: pass --prompt with some text');
    const model = networkStepModel(net, params);
    let tokens: number[];
    if (request.beam > 1) {
      const [best] = atOnceOnInterrupt(() =>
        beamSearch(model, [ids], { beamWidth: request.beam, maxLength: request.length }),
      );
      tokens = best?.[0]?.tokens ?? [];
    } else {
      tokens = [];
      const tokenStream = streamTokens(model, ids, {
        maxLength: request.length,
        strategy:
          request.temperature === 0
            ? { kind: 'greedy' }
            : {
                kind: 'sample',
                rng: new Rng(request.seed),
                temperature: request.temperature,
                ...(request.topK === undefined ? {} : { topK: request.topK }),
                ...(request.topP === undefined ? {} : { topP: request.topP }),
              },
      });
      for await (const token of tokenStream) {
        tokens.push(token);
        if (tokens.length % 32 === 0) await betweenBatches(request.stopped);
      }
    }
    return prompt + tokenizer.decode(tokens);
  };
  const source = settings.source.kind === 'file' ? settings.source.path : settings.source.name;
  return {
    net: netConfig,
    preprocessing: { tokenizer: { ...tokenizer.toJSON() }, prompt: defaultPrompt } satisfies z.infer<
      typeof preprocessing
    >,
    parameterCount: net.parameterCount,
    summary: `${source}: ${count(trainIds.length || testIds.length)} ${forInference ? 'held-out' : 'training'} characters, ${vocabSize} symbols`,
    metricName: 'bpc',
    throughput: 'tokens',
    init: (rng) => net.init(rng),
    lossOf: (params) =>
      function loss(b, context) {
        const { inputs, targets } = b as { inputs: tf.Tensor2D; targets: tf.Tensor2D };
        const state = context.state as StackedState | undefined;
        const out = net.apply(params, inputs, {
          training: context.training,
          rng: context.rng,
          ...(state === undefined ? {} : { state }),
        });
        const loss = softmaxCrossEntropy(out.output, targets);
        tf.dispose(out.output);
        return { loss, state: out.state, metrics: { bpc: tf.div(loss, Math.LN2) as tf.Scalar } };
      },
    data: (stopped) => {
      const rowsPerEpoch = Math.floor((trainIds.length - 1) / batch);
      const batchesPerEpoch = Math.floor(rowsPerEpoch / span);
      return {
        stepsPerEpoch: batchesPerEpoch * CHUNKS,
        fit: { tbptt: { k: seqLength } },
        fitData: {
          *train(rng) {
            // A fresh offset each epoch, so chunk boundaries move; batches in shuffled order.
            const offset = rng.int(span);
            const ids = trainIds.subarray(offset);
            const order = Array.from({ length: byteBatchCount(ids.length, batch, span, true) }, (_, k) => k);
            rng.shuffle(order);
            for (const k of order) yield byteBatch(ids, batch, span, k);
          },
          *validation() {
            if (stopped() || validationIds.length < 2 * span) return;
            const rows = Math.min(batch, 16);
            for (let k = 0; k < byteBatchCount(validationIds.length, rows, span, false); k++) {
              yield byteBatch(validationIds, rows, span, k);
            }
          },
        },
      };
    },
    async evaluate(params, request) {
      const loss = await streamLoss(net, params, testIds, span, request.limit, request.stopped);
      const bpc = bitsPerCharacter(loss);
      const sample = await generateText(params, {
        prompt: undefined,
        length: 300,
        temperature: 0.8,
        topK: undefined,
        topP: undefined,
        beam: 1,
        seed: settings.seed,
        ...(request.stopped === undefined ? {} : { stopped: request.stopped }),
      });
      return {
        metrics: { bpc },
        lines: [
          `held-out bits per character: ${fixed(bpc, 3)} (${count(Math.min(testIds.length, request.limit || testIds.length))} test characters; perplexity ${fixed(Math.exp(loss), 2)})`,
          'sample (temperature 0.8):',
          sample,
        ],
      };
    },
    generate: (params, request) => generateText(params, request),
    dispose: () => {},
  };
}

export const charLm: Task<'char-lm'> = {
  name: 'char-lm',
  noPredictions:
    "a language model's output is a distribution over the next character at every position, not one answer per example: its score is the held-out bits per character `eval` prints",
  description: 'character language model: learns to continue text, one character at a time',
  datasets: ['moby-dick', 'sotu'],
  flags: ['embeddingDim', 'seqLength', 'dropout'],
  settings: (flags) => ({
    cell: flags.cell ?? 'lstm',
    layers: flags.layers ?? 1,
    units: flags.units ?? 128,
    embeddingDim: flags.embeddingDim ?? 32,
    chunkLength: flags.seqLength ?? 64,
    batch: flags.batch ?? 32,
    learningRate: flags.lr ?? (flags.cell !== undefined && isBlockCell(flags.cell) ? BLOCK_LEARNING_RATE : 0.02),
    minutes: flags.minutes ?? 1.5,
    // 0 builds the network without dropout layers, as no flag does: the same model file.
    ...(flags.dropout ? { dropout: flags.dropout } : {}),
  }),
  shape: ['cell', 'layers', 'units', 'embeddingDim', 'chunkLength', 'dropout'],
  preprocessing,
  open,
};

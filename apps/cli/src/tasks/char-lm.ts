import { Rng } from '@recur/core';
import { languageModelBatches, Tokenizer } from '@recur/datasets';
import { beamSearch, stream as streamTokens } from '@recur/decode';
import type { StackedState } from '@recur/layers';
import { bitsPerCharacter, softmaxCrossEntropy } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { loadCharTexts, MAX_SYMBOLS } from '../data/char-text.js';
import { CliError } from '../errors.js';
import { betweenBatches } from '../interrupt.js';
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

/** Full `[rows, span]` batches a stream of `tokens` ids gives (`languageModelBatches` with `dropRemainder`). */
function batchesOf(tokens: number, rows: number, span: number): number {
  return Math.floor(Math.floor((tokens - 1) / rows) / span);
}

/**
 * Batch `k` of `ids` cut into `rows` contiguous rows, as `languageModelBatches` lays them
 * out (row b holds ids `[b·R, (b+1)·R)`, R the row length; batch k its steps
 * `[k·span, (k+1)·span)`; targets shifted by one), made on demand from the byte ids
 * instead of an int32 copy of the whole text.
 */
function languageModelBatch(ids: Uint8Array, rows: number, span: number, k: number) {
  const rowLength = Math.floor((ids.length - 1) / rows);
  const inputs = new Int32Array(rows * span);
  const targets = new Int32Array(rows * span);
  for (let b = 0; b < rows; b++) {
    const from = b * rowLength + k * span;
    inputs.set(ids.subarray(from, from + span), b * span);
    targets.set(ids.subarray(from + 1, from + 1 + span), b * span);
  }
  return { inputs: tf.tensor2d(inputs, [rows, span], 'int32'), targets: tf.tensor2d(targets, [rows, span], 'int32') };
}

/** Mean cross-entropy (nats) of `ids` read as `EVAL_ROWS` long rows, state carried chunk to chunk. */
async function streamLoss(
  net: Network,
  params: NetworkParams,
  ids: Int32Array,
  chunk: number,
  limit: number,
  stopped: (() => boolean) | undefined,
): Promise<number> {
  const tokens = limit > 0 && ids.length > limit + 1 ? ids.subarray(0, limit + 1) : ids;
  const rows = Math.max(1, Math.min(EVAL_ROWS, Math.floor((tokens.length - 1) / 2)));
  const stream = languageModelBatches(tokens, { batchSize: rows, timeSteps: chunk });
  let state: StackedState | undefined;
  let sum = 0;
  let n = 0;
  for (const batch of stream) {
    await betweenBatches(stopped);
    const out = tf.tidy(() => {
      const inputs = tf.tensor2d(batch.inputs.data, [...batch.inputs.shape], 'int32');
      const targets = tf.tensor2d(batch.targets.data, [...batch.targets.shape], 'int32');
      const r = net.apply(params, inputs, state === undefined ? {} : { state });
      return { loss: softmaxCrossEntropy(r.output, targets), state: r.state } as unknown as tf.TensorContainerObject;
    }) as unknown as { loss: tf.Scalar; state: StackedState };
    const size = batch.inputs.data.length;
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
      ? { tokenizer: stored, train: new Uint8Array(0), validation: '', test: '' }
      : await loadCharTexts(settings.source, stored, forInference);
  const { tokenizer } = texts;
  const defaultPrompt =
    saved?.prompt ??
    (settings.source.kind === 'dataset' && settings.source.name === 'moby-dick' ? 'Call me ' : texts.test.slice(0, 8));
  const vocabSize = tokenizer.vocabulary.size;
  const netConfig: NetworkConfig = {
    input: { kind: 'tokens', vocabSize, dim: settings.embeddingDim },
    cell: settings.cell,
    layers: settings.layers,
    units: settings.units,
    outputs: vocabSize,
    perStep: true,
  };
  const net = network(netConfig);
  const trainIds = texts.train;
  const validationIds = tokenizer.encode(texts.validation);
  const testIds = tokenizer.encode(texts.test);
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
      const [best] = beamSearch(model, [ids], { beamWidth: request.beam, maxLength: request.length });
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
    summary: `${source}: ${count(trainIds.length || texts.test.length)} ${forInference ? 'held-out' : 'training'} characters, ${vocabSize} symbols`,
    metricName: 'bpc',
    throughput: 'tokens',
    init: (rng) => net.init(rng),
    lossOf: (params) =>
      function loss(b, context) {
        const { inputs, targets } = b as { inputs: tf.Tensor2D; targets: tf.Tensor2D };
        const state = context.state as StackedState | undefined;
        const out = net.apply(params, inputs, state === undefined ? {} : { state });
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
            const order = Array.from({ length: batchesOf(trainIds.length - offset, batch, span) }, (_, k) => k);
            rng.shuffle(order);
            for (const k of order) yield languageModelBatch(trainIds.subarray(offset), batch, span, k);
          },
          *validation() {
            if (stopped() || validationIds.length < 2 * span) return;
            const stream = languageModelBatches(validationIds, { batchSize: Math.min(batch, 16), timeSteps: span });
            for (const b of stream) {
              yield {
                inputs: tf.tensor2d(b.inputs.data, [...b.inputs.shape], 'int32'),
                targets: tf.tensor2d(b.targets.data, [...b.targets.shape], 'int32'),
              };
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
  description: 'character language model: learns to continue text, one character at a time',
  datasets: ['moby-dick', 'sotu'],
  flags: ['embeddingDim', 'seqLength'],
  settings: (flags) => ({
    cell: flags.cell ?? 'lstm',
    layers: flags.layers ?? 1,
    units: flags.units ?? 128,
    embeddingDim: flags.embeddingDim ?? 32,
    chunkLength: flags.seqLength ?? 64,
    batch: flags.batch ?? 32,
    learningRate: flags.lr ?? 0.02,
    minutes: flags.minutes ?? 1.5,
  }),
  shape: ['cell', 'layers', 'units', 'embeddingDim', 'chunkLength'],
  preprocessing,
  open,
};

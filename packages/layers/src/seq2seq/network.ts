/**
 * The encoder–decoder's computation, without argument checks (the public functions in
 * `seq2seq.ts`, `step-model.ts` and `trainable.ts` make them first). Luong et al. 2015,
 * "Effective approaches to attention-based neural machine translation", sec. 3 with
 * input feeding (sec. 3.3):
 *
 *     x_t = [E y_{t−1}; h̃_{t−1}]                     (h̃_0 = 0)
 *     (carry_t, h_t) = cell(carry_{t−1}, x_t)
 *     a_t = softmax over real s of score(h_t, h̄_s)      c_t = Σ_s a_t(s) h̄_s
 *     h̃_t = tanh(W_c [c_t; h_t])                        logits_t = W_s h̃_t + b_s
 */
import { type Carry, type Cell, getInitializer, type Params, type Rng, zeros } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { DenseParams } from '../dense.js';
import { type EmbeddingParams, embedding } from '../embedding.js';
import { carryWidths, flattenCarry, unflattenEntry } from '../internal/carry.js';
import { cellKerasWeightSpec, prefixSpecs } from '../keras-weights.js';
import type { BidirectionalState, ParamTree, WeightSpec } from '../layer.js';
import {
  type Attention,
  type AttentionParams,
  attend,
  attention,
  type MaskTerms,
  maskTerms,
  memoryKeys,
} from './attention.js';
import type { EncoderLayer, ResolvedSeq2SeqConfig } from './config.js';

/** A seq2seq model's weights; `init` makes them, the caller owns them. */
export interface Seq2SeqParams {
  readonly sourceEmbedding: EmbeddingParams;
  /** One entry per encoder layer: its cell's params, or `{ forward, backward }`. */
  readonly encoder: readonly ParamTree[];
  /** Bridge `'projection'`: per decoder carry field, `{ kernel [in, width], bias [width] }`; `{}` otherwise. */
  readonly bridge: Readonly<Record<string, DenseParams>>;
  readonly targetEmbedding: EmbeddingParams;
  readonly decoder: Params;
  readonly attention: AttentionParams;
  /** W_c `[memorySize + decoder output size, attentionalSize]`. */
  readonly attentional: { readonly kernel: tf.Tensor2D };
  /** W_s `[attentionalSize, targetVocabSize]`, b_s `[targetVocabSize]`. */
  readonly output: { readonly kernel: tf.Tensor2D; readonly bias: tf.Tensor1D };
}

/** What the decoder carries from step to step. */
export interface DecoderState {
  readonly carry: Carry;
  /** h̃ of the previous step, fed back in (input feeding). */
  readonly attentional: tf.Tensor2D;
}

/** The encoded source: what every decoding step reads. */
export interface Encoded {
  /** Encoder outputs h̄, `[batch, source, memorySize]`. */
  readonly memory: tf.Tensor3D;
  /** The attention's memory-side product, `[batch, source, keySize]`. */
  readonly keys: tf.Tensor3D;
  /** `[batch, source]` float32, 1 at real positions; absent when all are real. */
  readonly mask: tf.Tensor2D | undefined;
  /** What the mask adds to the attention scores (from `maskTerms(mask)`). */
  readonly maskTerms: MaskTerms | undefined;
}

export interface Network {
  readonly full: ResolvedSeq2SeqConfig;
  readonly encoder: readonly EncoderLayer[];
  readonly decoder: Cell;
  readonly attention: Attention;
  /** Weight shapes by path: every weight outside the cells, and the cells' when they have a Keras layout. */
  spec(): readonly WeightSpec[];
  init(rng: Rng): Seq2SeqParams;
  encode(
    params: Seq2SeqParams,
    source: tf.Tensor2D,
    mask: tf.Tensor2D | undefined,
    training: boolean,
    rng?: Rng,
  ): {
    encoded: Encoded;
    state: DecoderState;
  };
  step(
    params: Seq2SeqParams,
    encoded: Encoded,
    state: DecoderState,
    embedded: tf.Tensor2D,
  ): { state: DecoderState; logits: tf.Tensor2D; weights: tf.Tensor2D };
  embedTargets(params: Seq2SeqParams, ids: tf.Tensor): tf.Tensor;
}

export function network(full: ResolvedSeq2SeqConfig, encoder: readonly EncoderLayer[], decoder: Cell): Network {
  const kind = full.attention;
  const querySize = decoder.outputSize;
  const att = attention({
    kind,
    querySize,
    memorySize: full.memorySize,
    ...(kind === 'additive' ? { units: full.attentionUnits } : {}),
    kernelInitializer: full.kernelInitializer,
  });
  const sourceEmbedding = embedding({
    vocabSize: full.sourceVocabSize,
    dim: full.sourceEmbeddingDim,
    embeddingsInitializer: full.embeddingsInitializer,
  });
  const targetEmbedding = embedding({
    vocabSize: full.targetVocabSize,
    dim: full.targetEmbeddingDim,
    embeddingsInitializer: full.embeddingsInitializer,
  });
  const last = encoder[encoder.length - 1] as EncoderLayer;
  const { attentionalSize, targetVocabSize } = full;
  // Carry widths come from a cell's initCarry (a tfjs op), so they are read at first use:
  // a model can be built before any backend is ready.
  let known: Layout | undefined;
  const layout = (): Layout => {
    known ??= makeLayout();
    return known;
  };
  const makeLayout = (): Layout => {
    const directions = last.kind === 'bidirectional' ? 2 : 1;
    const encoderWidths = Object.entries(carryWidths(last.kind === 'recurrent' ? last.cell : last.forward.cell)).map(
      ([name, width]) => [name, directions * width] as const,
    );
    const all = encoderWidths.reduce((n, [, w]) => n + w, 0);
    const bridge =
      full.bridge === 'projection'
        ? Object.entries(carryWidths(decoder)).map(([name, width]) => {
            const same = encoderWidths.find(([n]) => n === name);
            return { name, from: same === undefined ? undefined : name, inWidth: same?.[1] ?? all, width };
          })
        : [];
    const spec: WeightSpec[] = [
      {
        name: 'source_embeddings',
        path: ['sourceEmbedding', 'embeddings'],
        shape: [full.sourceVocabSize, full.sourceEmbeddingDim],
      },
      ...bridge.flatMap(({ name, inWidth, width }) => [
        { name: `bridge/${name}/kernel`, path: ['bridge', name, 'kernel'], shape: [inWidth, width] },
        { name: `bridge/${name}/bias`, path: ['bridge', name, 'bias'], shape: [width] },
      ]),
      {
        name: 'target_embeddings',
        path: ['targetEmbedding', 'embeddings'],
        shape: [targetVocabSize, full.targetEmbeddingDim],
      },
      ...att.weightSpec().map((s) => ({ ...s, name: `attention/${s.name}`, path: ['attention', ...s.path] })),
      {
        name: 'attentional/kernel',
        path: ['attentional', 'kernel'],
        shape: [full.memorySize + querySize, attentionalSize],
      },
      { name: 'output/kernel', path: ['output', 'kernel'], shape: [attentionalSize, targetVocabSize] },
      { name: 'output/bias', path: ['output', 'bias'], shape: [targetVocabSize] },
      // Cells with a Keras layout are checked up front too; others check their own at their first step.
      ...encoder.flatMap((l, i) =>
        orNone(() => l.kerasWeightSpec()).map((s) => ({
          ...s,
          name: `encoder/${i}/${s.name}`,
          path: ['encoder', i, ...s.path],
        })),
      ),
      ...prefixSpecs(
        orNone(() => cellKerasWeightSpec(decoder)),
        'decoder',
        'decoder',
      ),
    ];
    return { encoderWidths, bridge, spec };
  };
  const kernelInit = getInitializer(full.kernelInitializer);

  /**
   * The last encoder layer's final state as one `[batch, width]` tensor per carry field,
   * entries of any rank flattened after the batch axis.
   */
  const finalFields = (state: unknown): Record<string, tf.Tensor2D> => {
    if (last.kind === 'recurrent') return flattenCarry(state as Carry);
    const { forward, backward } = state as BidirectionalState;
    const [f, b] = [flattenCarry(forward), flattenCarry(backward)];
    return Object.fromEntries(Object.keys(f).map((k) => [k, tf.concat([f[k] as tf.Tensor2D, b[k] as tf.Tensor2D], 1)]));
  };

  const initialState = (params: Seq2SeqParams, encoderState: unknown, batch: number): DecoderState => {
    const attentional = tf.zeros([batch, attentionalSize]) as tf.Tensor2D;
    if (full.bridge === 'zeros') return { carry: decoder.initCarry(batch), attentional };
    const { encoderWidths, bridge } = layout();
    const fields = finalFields(encoderState);
    const everything = () =>
      tf.concat(
        encoderWidths.map(([n]) => fields[n] as tf.Tensor2D),
        1,
      );
    const carry = Object.fromEntries(
      bridge.map(({ name, from }) => {
        const p = params.bridge[name] as DenseParams;
        const s = from === undefined ? everything() : (fields[from] as tf.Tensor2D);
        const rows = tf.tanh(tf.add(tf.matMul(s, p.kernel), p.bias as tf.Tensor1D)) as tf.Tensor2D;
        return [name, unflattenEntry(decoder, name, rows)];
      }),
    ) as Carry;
    return { carry, attentional };
  };

  return {
    full,
    encoder,
    decoder,
    attention: att,
    spec: () => layout().spec,
    init(rng: Rng): Seq2SeqParams {
      const { bridge } = layout();
      const kernel = (shape: number[]) => kernelInit(shape, rng) as tf.Tensor2D;
      return {
        sourceEmbedding: sourceEmbedding.init(rng),
        encoder: encoder.map((l) => l.init(rng) as ParamTree),
        bridge: Object.fromEntries(
          bridge.map(({ name, inWidth, width }) => [
            name,
            { kernel: kernel([inWidth, width]), bias: zeros()([width], rng) as tf.Tensor1D },
          ]),
        ),
        targetEmbedding: targetEmbedding.init(rng),
        decoder: decoder.init(rng),
        attention: att.init(rng),
        attentional: { kernel: kernel([full.memorySize + querySize, attentionalSize]) },
        output: {
          kernel: kernel([attentionalSize, targetVocabSize]),
          bias: zeros()([targetVocabSize], rng) as tf.Tensor1D,
        },
      };
    },
    encode(params, source, mask, training, rng) {
      const [batch] = source.shape;
      let x = lookup(params.sourceEmbedding.embeddings, source) as tf.Tensor3D;
      let state: unknown;
      encoder.forEach((layer, i) => {
        const out = layer.apply(params.encoder[i] as never, x, {
          training,
          ...(rng === undefined ? {} : { rng }),
          ...(mask === undefined ? {} : { mask }),
        });
        x = out.output as tf.Tensor3D;
        state = out.state;
      });
      const keys = memoryKeys(kind, params.attention, x);
      const terms = mask === undefined ? undefined : maskTerms(mask);
      return { encoded: { memory: x, keys, mask, maskTerms: terms }, state: initialState(params, state, batch) };
    },
    step(params, encoded, state, embedded) {
      const x = tf.concat([embedded, state.attentional], 1);
      const { carry, y } = decoder.step(params.decoder, state.carry, x);
      const { context, weights } = attend(kind, params.attention, y, encoded.memory, encoded.keys, encoded.maskTerms);
      // W_c [c; h] as c·W_c,c + h·W_c,h: a row split of W_c is a contiguous copy on every
      // backend, where the column split that the gradient of [c; h] needs is slow on cpu.
      const [wc, wh] = tf.split(params.attentional.kernel, [full.memorySize, querySize], 0);
      const attentional = tf.tanh(
        tf.add(tf.matMul(context, wc as tf.Tensor2D), tf.matMul(y, wh as tf.Tensor2D)),
      ) as tf.Tensor2D;
      const logits = tf.add(tf.matMul(attentional, params.output.kernel), params.output.bias) as tf.Tensor2D;
      return { state: { carry, attentional }, logits, weights };
    },
    embedTargets: (params, ids) => lookup(params.targetEmbedding.embeddings, ids),
  };
}

interface Layout {
  /** The last encoder layer's final carry fields and widths (both directions together). */
  readonly encoderWidths: readonly (readonly [string, number])[];
  /** Per decoder carry field: where its bridge reads from (`undefined`: every encoder field) and the sizes. */
  readonly bridge: readonly { name: string; from: string | undefined; inWidth: number; width: number }[];
  readonly spec: readonly WeightSpec[];
}

function orNone(specs: () => readonly WeightSpec[]): readonly WeightSpec[] {
  try {
    return specs();
  } catch {
    return [];
  }
}

/**
 * `table[ids]` for ids of any shape, the gradient scattered back onto the rows as in
 * `embedding` (tfjs' gather gradient needs UnsortedSegmentSum, absent on wasm). The ids
 * are saved for the backward pass: decoding feeds ids made inside the forward pass
 * (scheduled sampling), which its tidy disposes before the gradient runs.
 */
function lookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
  const gather = tf.customGrad((t, save) => {
    (save as tf.GradSaveFunc)([flat]);
    return {
      value: tf.gather(t as tf.Tensor, flat),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.scatterND(tf.expandDims(saved[0] as tf.Tensor, 1), dy, table.shape),
    };
  });
  return tf.reshape(gather(table), [...ids.shape, table.shape[1]]);
}

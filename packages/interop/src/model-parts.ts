/**
 * The layers a model is made of, as the converters see them: a `stacked` model's
 * layers in order, or a single layer on its own. Each part knows where its params
 * sit in the model's params (`params[index]`, or the params themselves).
 */
import { badArgument, isTensor, Rng, sameShape } from '@recur/core';
import type { AnyLayer, Layer, ParamTree, StackedState } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A stacked model read from a file: `stacked(layers)`, typed for what such files
 * hold (tensors in, a tensor out; one param set per layer).
 */
export type LoadedStack = Layer<ParamTree[], StackedState, tf.Tensor, tf.Tensor> & {
  readonly kind: 'stacked';
  readonly layers: readonly AnyLayer[];
};

export interface ModelPart {
  readonly layer: AnyLayer;
  /** Index in a stacked model's params; `undefined` when the model is this one layer. */
  readonly index: number | undefined;
}

/** The model's parts. Throws `BAD_CONFIG` when `model` is not a Recur layer. */
export function modelParts(model: unknown, argument = 'model'): ModelPart[] {
  const m = model as AnyLayer | null;
  if (m === null || typeof m !== 'object' || typeof m.apply !== 'function' || typeof m.kind !== 'string') {
    throw badArgument('BAD_CONFIG', argument, 'a Recur layer or stacked model', model);
  }
  if (m.kind === 'stacked') {
    return (m as unknown as { layers: readonly AnyLayer[] }).layers.map((layer, index) => ({ layer, index }));
  }
  return [{ layer: m, index: undefined }];
}

/** A part's params within the model's params. */
export function partParams(params: ParamTree, part: ModelPart): ParamTree {
  return part.index === undefined ? params : ((params as readonly ParamTree[])[part.index] as ParamTree);
}

/** Assembles the model's params from each part's (param-less parts get `{}`). */
export function assembleParams(
  parts: readonly ModelPart[],
  own: ReadonlyMap<number | undefined, ParamTree>,
): ParamTree {
  if (parts.length === 1 && parts[0]?.index === undefined) return own.get(undefined) ?? {};
  return parts.map((p) => own.get(p.index) ?? {});
}

/** What a layer is named in messages: its kind and place in the model. */
export function partName(part: ModelPart): string {
  return part.index === undefined ? `the ${part.layer.kind} layer` : `layers[${part.index}] (${part.layer.kind})`;
}

/** Tensor leaves of a param tree by dotted path (`1.forward.kernel`). */
function leaves(tree: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (isTensor(tree) || tree === null || typeof tree !== 'object') {
    out.set(path, tree);
    return out;
  }
  for (const [k, v] of Object.entries(tree)) leaves(v, path === '' ? k : `${path}.${k}`, out);
  return out;
}

/**
 * Checks `params` has every tensor `model.init` makes, with its shape (a template is
 * made and freed for it), so an exporter fails with a `RecurError` naming the weight
 * rather than deep inside tfjs.
 */
export function checkModelParams(model: AnyLayer, params: unknown): void {
  const template = tf.tidy(() => model.init(new Rng(0)) as tf.TensorContainer);
  const expected = leaves(template, '', new Map());
  const given = leaves(params, '', new Map());
  try {
    for (const [path, t] of expected) {
      if (!isTensor(t)) continue;
      const g = given.get(path);
      if (!isTensor(g) || !sameShape(g.shape, t.shape)) {
        throw badArgument('SHAPE_MISMATCH', `params${path === '' ? '' : `.${path}`}`, `a tensor [${t.shape}]`, g);
      }
    }
  } finally {
    tf.dispose(template);
  }
}

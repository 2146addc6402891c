/**
 * The layer chain of a Keras / tfjs-layers `modelTopology`: a `Sequential`, or a
 * functional `Model` whose layers form one chain from one input to one output (each
 * layer fed by the one before). Branching graphs are refused.
 */
import { RecurError } from '@recur/core';
import type { KerasLayerJson } from './keras-layers.js';

export interface KerasChain {
  readonly layers: readonly KerasLayerJson[];
  /** The model's input shape without the batch axis, e.g. `[time, features]` or `[time]`. */
  readonly inputShape: readonly (number | null)[];
}

function corrupt(what: string): RecurError {
  return new RecurError('CORRUPT_FILE', `model.json: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function shapeOf(config: Record<string, unknown>): (number | null)[] | undefined {
  const s = config.batch_input_shape ?? config.batch_shape;
  return Array.isArray(s) ? (s.slice(1) as (number | null)[]) : undefined;
}

/** The chain of layers in `topology` (tfjs-layers' `modelTopology`, or the converter's with `model_config`). */
export function kerasChain(topology: unknown): KerasChain {
  if (!isObject(topology)) throw corrupt('modelTopology is not an object');
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  const config = model.config;
  const className = model.class_name;
  if (className === 'Sequential') {
    const layers = (Array.isArray(config) ? config : isObject(config) ? config.layers : undefined) as unknown;
    if (!Array.isArray(layers) || !layers.every((l) => isObject(l) && isObject(l.config))) {
      throw corrupt('Sequential config.layers is not a list of { class_name, config }');
    }
    const list = layers as KerasLayerJson[];
    // Keras 3 writes the input as an InputLayer entry; Keras 2 and tfjs as the first layer's batch_input_shape.
    const body = list[0]?.class_name === 'InputLayer' ? list.slice(1) : list;
    const inputShape = list[0] === undefined ? undefined : shapeOf(list[0].config);
    if (inputShape === undefined) throw corrupt('the first layer gives no batch_input_shape');
    return { layers: body, inputShape };
  }
  if (className === 'Model' || className === 'Functional') return functionalChain(config);
  throw new RecurError(
    'NOT_SUPPORTED',
    `model.json: a model of class ${String(className)} (Sequential or a functional chain)`,
  );
}

type Inbound = [string, number, number, ...unknown[]];

function functionalChain(config: unknown): KerasChain {
  if (!isObject(config) || !Array.isArray(config.layers)) throw corrupt('functional config.layers is missing');
  const byName = new Map<string, KerasLayerJson & { inbound_nodes?: unknown }>();
  for (const l of config.layers as (KerasLayerJson & { name?: string; inbound_nodes?: unknown })[]) {
    if (!isObject(l) || !isObject(l.config)) throw corrupt('a functional layer is not { class_name, config }');
    byName.set(String(l.name ?? l.config.name), l);
  }
  const ins = config.input_layers as Inbound[] | undefined;
  const outs = config.output_layers as Inbound[] | undefined;
  if (!Array.isArray(ins) || !Array.isArray(outs) || ins.length !== 1 || outs.length !== 1) {
    throw new RecurError('NOT_SUPPORTED', 'model.json: a functional model with several inputs or outputs');
  }
  const inputName = String(ins[0]?.[0]);
  const input = byName.get(inputName);
  const inputShape = input === undefined ? undefined : shapeOf(input.config);
  if (input?.class_name !== 'InputLayer' || inputShape === undefined) {
    throw corrupt(`input layer '${inputName}' is missing or has no batch_input_shape`);
  }
  // Walk back from the output: each layer must have exactly one inbound layer.
  const chain: KerasLayerJson[] = [];
  let name = String(outs[0]?.[0]);
  const seen = new Set<string>();
  while (name !== inputName) {
    const layer = byName.get(name);
    if (layer === undefined || seen.has(name)) throw corrupt(`layer '${name}' is missing or in a cycle`);
    seen.add(name);
    const source = inboundLayer(layer.inbound_nodes);
    if (source === undefined) {
      throw new RecurError(
        'NOT_SUPPORTED',
        `model.json: layer '${name}' is not fed by exactly one layer (a branching graph)`,
      );
    }
    chain.unshift(layer);
    name = source;
  }
  if (chain.length !== byName.size - 1) {
    throw new RecurError('NOT_SUPPORTED', 'model.json: a functional model with layers off the input→output chain');
  }
  return { layers: chain, inputShape };
}

/**
 * The one layer feeding a layer, from its `inbound_nodes`: Keras 2 and tfjs write
 * `[[[name, node, tensor, kwargs]]]`, Keras 3 `[{ args: [{ config: { keras_history:
 * [name, node, tensor] } }] }]`. `undefined` when there is not exactly one.
 */
function inboundLayer(nodes: unknown): string | undefined {
  if (!Array.isArray(nodes) || nodes.length !== 1) return undefined;
  const node = nodes[0];
  const sources: unknown[] | undefined = Array.isArray(node)
    ? node
    : isObject(node)
      ? (node.args as unknown[])
      : undefined;
  if (!Array.isArray(sources) || sources.length !== 1) return undefined;
  const source = sources[0];
  if (Array.isArray(source)) return String(source[0]);
  const history = isObject(source) && isObject(source.config) ? source.config.keras_history : undefined;
  return Array.isArray(history) ? String(history[0]) : undefined;
}

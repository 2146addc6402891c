/**
 * Chooses, per call, between a backend's fused sequence kernel and the reference, and
 * wires either into tfjs' autodiff:
 * - the active backend registered the forward under its name (`tf.registerKernel`):
 *   it runs through `runKernel`; the gradient registered here for that name runs the
 *   backward kernel if the backend registered one too, the reference backward otherwise;
 * - nothing registered: the reference forward runs inside `tf.customGrad`, whose gradient
 *   again prefers a registered backward kernel.
 * Importing this module registers the gradients (a side effect listed in package.json).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  RECUR_ELMAN_SEQUENCE_GRAD_OUTPUTS,
  RECUR_ELMAN_SEQUENCE_OUTPUTS,
  RECUR_GRU_SEQUENCE_GRAD_OUTPUTS,
  RECUR_GRU_SEQUENCE_OUTPUTS,
  RECUR_LSTM_SEQUENCE_GRAD_OUTPUTS,
  RECUR_LSTM_SEQUENCE_OUTPUTS,
  type RecurElmanSequence,
  type RecurElmanSequenceAttrs,
  RecurElmanSequenceGrad,
  type RecurGruSequence,
  type RecurGruSequenceAttrs,
  RecurGruSequenceGrad,
  type RecurLstmSequence,
  type RecurLstmSequenceAttrs,
  RecurLstmSequenceGrad,
} from './names.js';
import { elmanSequenceGradReference, elmanSequenceReference } from './reference/elman.js';
import { gruSequenceGradReference, gruSequenceReference } from './reference/gru.js';
import { lstmSequenceGradReference, lstmSequenceReference } from './reference/lstm.js';

/** Names of the whole-sequence (forward) kernels. */
export type SequenceKernelName = typeof RecurLstmSequence | typeof RecurGruSequence | typeof RecurElmanSequence;

/** Attributes of any sequence kernel. */
export type SequenceKernelAttrs = RecurLstmSequenceAttrs | RecurGruSequenceAttrs | RecurElmanSequenceAttrs;

/** Forward inputs by name (`x`, `kernel`, `recurrentKernel`, `bias`, `h0`, `c0`?, `mask`?). */
export type SequenceKernelTensors = Readonly<Record<string, tf.Tensor | undefined>>;

type Reference = (inputs: never, attrs: never) => tf.Tensor[];

interface KernelDefinition {
  readonly backward: string;
  /** Forward tensor inputs in order; `mask` last, optional for the reference only. */
  readonly inputs: readonly string[];
  /** Forward outputs: `ys`, the final states, then the workspace. */
  readonly outputs: readonly string[];
  readonly states: readonly ('hT' | 'cT')[];
  readonly gradOutputs: readonly string[];
  readonly reference: Reference;
  readonly referenceGrad: Reference;
}

const DEFINITIONS: Record<SequenceKernelName, KernelDefinition> = {
  RecurLstmSequence: {
    backward: RecurLstmSequenceGrad,
    inputs: ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'c0', 'mask'],
    outputs: RECUR_LSTM_SEQUENCE_OUTPUTS,
    states: ['hT', 'cT'],
    gradOutputs: RECUR_LSTM_SEQUENCE_GRAD_OUTPUTS,
    reference: lstmSequenceReference,
    referenceGrad: lstmSequenceGradReference,
  },
  RecurGruSequence: {
    backward: RecurGruSequenceGrad,
    inputs: ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'mask'],
    outputs: RECUR_GRU_SEQUENCE_OUTPUTS,
    states: ['hT'],
    gradOutputs: RECUR_GRU_SEQUENCE_GRAD_OUTPUTS,
    reference: gruSequenceReference,
    referenceGrad: gruSequenceGradReference,
  },
  RecurElmanSequence: {
    backward: RecurElmanSequenceGrad,
    inputs: ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'mask'],
    outputs: RECUR_ELMAN_SEQUENCE_OUTPUTS,
    states: ['hT'],
    gradOutputs: RECUR_ELMAN_SEQUENCE_GRAD_OUTPUTS,
    reference: elmanSequenceReference,
    referenceGrad: elmanSequenceGradReference,
  },
};

/** Whether the active backend registered a kernel called `name`. */
export function hasRegisteredKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}

/**
 * Runs sequence kernel `name` and returns its visible outputs `[ys, hT]` or
 * `[ys, hT, cT]` (see `kernels/names.ts`), differentiable with respect to every input
 * but the mask. `inputs.mask` may be absent (all steps real). The caller owns the
 * results; inputs are neither kept nor disposed.
 */
export function runSequenceKernel(
  name: SequenceKernelName,
  inputs: SequenceKernelTensors,
  attrs: SequenceKernelAttrs,
): tf.Tensor[] {
  const definition = DEFINITIONS[name];
  const visible = 1 + definition.states.length;
  return tf.tidy(() => {
    if (!hasRegisteredKernel(name)) return runReference(definition, inputs, attrs);
    const outputs = tf.engine().runKernel(name, withMask(inputs), attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return outputs.slice(0, visible);
  });
}

/**
 * Inputs as a registered kernel takes them: absent ones left out (tfjs' tape reads every
 * key), and a mask always present (all ones when the caller gave none).
 */
function withMask(inputs: SequenceKernelTensors): tf.NamedTensorMap {
  const present = Object.fromEntries(Object.entries(inputs).filter(([, t]) => t !== undefined)) as tf.NamedTensorMap;
  if (present.mask !== undefined) return present;
  const [batch, time] = (inputs.x as tf.Tensor3D).shape;
  return { ...present, mask: tf.ones([batch, time]) };
}

/** The backward kernel registered by the active backend, or the reference backward. */
function runBackward(definition: KernelDefinition, inputs: SequenceKernelTensors, attrs: SequenceKernelAttrs) {
  if (hasRegisteredKernel(definition.backward)) {
    return tf
      .engine()
      .runKernel(definition.backward, withMask(inputs), attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  }
  return definition.referenceGrad(inputs as never, attrs as never);
}

/** Names the gradients of the visible outputs as the backward kernel takes them. */
function outputGradientNames(definition: KernelDefinition): string[] {
  return ['dys', ...definition.states.map((s) => `d${s}`)];
}

/**
 * The reference forward under `tf.customGrad`. customGrad yields one tensor, so `ys` and
 * the final states travel packed along time as `[B, T + states, H]` and are sliced apart.
 */
function runReference(
  definition: KernelDefinition,
  inputs: SequenceKernelTensors,
  attrs: SequenceKernelAttrs,
): tf.Tensor[] {
  const names = definition.inputs.filter((n) => inputs[n] !== undefined);
  const [batch, time] = (inputs.x as tf.Tensor3D).shape;
  const units = (inputs.h0 as tf.Tensor2D).shape[1];
  const visible = 1 + definition.states.length;
  const workspaceNames = definition.outputs.slice(visible);
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[names.length] as tf.GradSaveFunc;
    const named = Object.fromEntries(names.map((n, i) => [n, args[i] as tf.Tensor]));
    const outputs = definition.reference(named as never, attrs as never);
    save([...names.map((n) => named[n] as tf.Tensor), ...outputs.slice(visible)]);
    const states = outputs.slice(1, visible).map((s) => tf.expandDims(s, 1));
    const value = tf.concat([outputs[0] as tf.Tensor, ...states], 1);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const given: Record<string, tf.Tensor> = {};
      names.forEach((n, i) => {
        given[n] = saved[i] as tf.Tensor;
      });
      workspaceNames.forEach((n, i) => {
        given[n] = saved[names.length + i] as tf.Tensor;
      });
      outputGradientNames(definition).forEach((n, k) => {
        given[n] =
          k === 0
            ? tf.slice(dy, [0, 0, 0], [batch, time, units])
            : tf.reshape(tf.slice(dy, [0, time + k - 1, 0], [batch, 1, units]), [batch, units]);
      });
      const grads = runBackward(definition, given, attrs);
      return names.map((n) =>
        n === 'mask' ? tf.zerosLike(given[n] as tf.Tensor) : (grads[definition.gradOutputs.indexOf(n)] as tf.Tensor),
      );
    };
    return { value, gradFunc };
  });
  const packed = forward(...names.map((n) => inputs[n] as tf.Tensor));
  return [
    tf.slice(packed, [0, 0, 0], [batch, time, units]),
    ...definition.states.map((_, k) =>
      tf.reshape(tf.slice(packed, [0, time + k, 0], [batch, 1, units]), [batch, units]),
    ),
  ];
}

function registerGradients(): void {
  for (const [name, definition] of Object.entries(DEFINITIONS)) {
    const visible = 1 + definition.states.length;
    tf.registerGradient({
      kernelName: name,
      inputsToSave: [...definition.inputs],
      outputsToSave: definition.outputs.map((_, i) => i >= visible),
      gradFunc: (dy, saved, attrs) => {
        const dys = dy as tf.Tensor[];
        const given: Record<string, tf.Tensor> = {};
        definition.inputs.forEach((n, i) => {
          given[n] = saved[i] as tf.Tensor;
        });
        definition.outputs.slice(visible).forEach((n, i) => {
          given[n] = saved[definition.inputs.length + i] as tf.Tensor;
        });
        outputGradientNames(definition).forEach((n, k) => {
          given[n] = dys[k] as tf.Tensor;
        });
        const grads = runBackward(definition, given, attrs as unknown as SequenceKernelAttrs);
        const map: Record<string, () => tf.Tensor> = {};
        definition.gradOutputs.forEach((n, i) => {
          const grad = grads[i] as tf.Tensor;
          map[n] = () => grad;
        });
        map.mask = () => tf.zerosLike(given.mask as tf.Tensor);
        return map;
      },
    });
  }
}

registerGradients();

/**
 * Runs a kernel descriptor, choosing per call between the active backend's fused kernel
 * and the reference, and wires either into tfjs' autodiff:
 * - the backend registered the forward under `descriptor.name` (`tf.registerKernel`): it
 *   runs through tfjs' `runKernel`, and the gradient registered for that name
 *   (register-gradients.ts) runs the backward;
 * - nothing registered: the reference forward runs inside `tf.customGrad`.
 * Either way the backward is the backend's kernel under `descriptor.gradName` when
 * registered, the reference gradient otherwise.
 */
import * as tf from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';
import type { AnyKernelDescriptor, KernelDescriptor, KernelSignature } from './descriptor.js';
import { lazyGradients } from './lazy-gradients.js';

type Tensors = Record<string, tf.Tensor | undefined>;

/** Whether the active backend registered a fused forward for `descriptor`. */
export function hasFusedKernel(descriptor: AnyKernelDescriptor): boolean {
  return tf.getKernel(descriptor.name, tf.getBackend()) != null;
}

/**
 * Present entries only: tfjs' tape reads every key of a kernel's inputs. A loop rather
 * than entries → filter → fromEntries, which cost 2% of a small LSTM's training step.
 */
function present(tensors: Tensors): tf.NamedTensorMap {
  const out: Record<string, tf.Tensor> = {};
  for (const name in tensors) {
    const t = tensors[name];
    if (t !== undefined) out[name] = t;
  }
  return out;
}

/**
 * Runs `descriptor` and returns its visible outputs by name (`{ ys, hT, cT }` for
 * `lstmSequence`), differentiable with respect to each of its differentiable inputs.
 * Optional inputs may be absent (`mask`: every step real). Throws `RecurError` naming the
 * first input or attribute that does not fit. The caller owns the results; inputs are
 * neither kept nor disposed.
 */
export function runKernel<S extends KernelSignature>(
  descriptor: KernelDescriptor<S>,
  inputs: S['inputs'],
  attrs: S['attrs'],
): S['outputs'] {
  if (typeof descriptor?.reference !== 'function' || typeof descriptor.name !== 'string') {
    throw badArgument('BAD_CONFIG', 'runKernel descriptor', 'a kernel descriptor (e.g. lstmSequence)', descriptor);
  }
  if (typeof inputs !== 'object' || inputs === null) {
    throw badArgument('BAD_DATA', `${descriptor.name} inputs`, 'a record of tensors', inputs);
  }
  descriptor.validate(inputs, attrs);
  const d: AnyKernelDescriptor = descriptor;
  return tf.tidy(() =>
    hasFusedKernel(d) ? runFused(d, inputs, attrs as object) : runReference(d, inputs, attrs as object),
  ) as S['outputs'];
}

function runFused(d: AnyKernelDescriptor, inputs: Tensors, attrs: object): Record<string, tf.Tensor> {
  const given = present(d.complete(inputs as never));
  const engine = tf.engine();
  const all =
    d.workspace.length > 0 && engine.isTapeOn()
      ? runVisibleOnTape(d, given, attrs)
      : (engine.runKernel(d.name, given, attrs as tf.NamedAttrMap) as tf.Tensor[]);
  return Object.fromEntries(d.outputs.map((name, i) => [name, all[i] as tf.Tensor]));
}

/** tfjs' engine method behind `customGrad`: a tape node of any outputs, with its own gradient. */
interface TapeEngine {
  runKernelFunc(invocation: {
    forwardFunc: (backend: unknown, save: tf.GradSaveFunc) => tf.Tensor[];
    backwardsFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
    inputs: tf.NamedTensorMap;
  }): tf.Tensor[];
}

/**
 * The fused forward under a gradient tape, recorded as a tape node of the visible outputs
 * only. Why: after the forward, tfjs makes a tensor of zeros as the gradient of each
 * output of a tape node that received none, and the workspace never receives one: for an
 * LSTM (gates, hs, cs) that was 6·T·B·H floats allocated, zeroed and copied into the
 * backend per training step, never read (W3: 19k floats, 7% of the step on wasm). The
 * kernel itself runs inside the node, off the tape; the node saves what tfjs would have
 * saved and runs the same gradient ({@link kernelGradient}), so every number is as before.
 */
function runVisibleOnTape(d: AnyKernelDescriptor, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor[] {
  const engine = tf.engine();
  const { outputsToSave, gradFunc } = kernelGradient(d);
  return (engine as unknown as TapeEngine).runKernelFunc({
    forwardFunc: (_backend, save) => {
      const all = engine.runKernel(d.name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor[];
      save([...d.inputs.map((name) => inputs[name] as tf.Tensor), ...all.filter((_, i) => outputsToSave[i])]);
      return all.slice(0, d.outputs.length);
    },
    backwardsFunc: (dy, saved) => gradFunc(dy, saved, attrs as tf.NamedAttrMap),
    inputs,
  });
}

interface KernelGradient {
  readonly outputsToSave: readonly boolean[];
  readonly gradFunc: (
    dy: tf.Tensor | tf.Tensor[],
    saved: tf.Tensor[],
    attrs: tf.NamedAttrMap,
  ) => Record<string, () => tf.Tensor>;
}

const gradients = new WeakMap<AnyKernelDescriptor, KernelGradient>();

/**
 * The gradient of a backend's fused forward `d.name`, as tfjs registers it: the outputs
 * it saves (the workspace and the saved visible outputs, after every input), and the
 * function that turns them, with the visible outputs' gradients, into the inputs'
 * gradients through the backward kernel (or the reference).
 *
 * The backward runs when tfjs first asks for an input's gradient, not before, and skips
 * the gradients of the inputs tfjs passed over by then (`skipGradients` in its attributes;
 * lazy-gradients.ts). tfjs asks for the inputs on a path to what it differentiates, one by
 * one in the order the kernel received them (`backpropagateGradients`: `name in
 * gradients`, then `gradients[name]()`), so a first question about `kernel` says that `x`
 * (a model's input data) needs no gradient: the input projection's gradient dX = dZ·Wᵀ,
 * a third of a first layer's weight-gradient products, is not computed, as PyTorch skips
 * it for an input without `requires_grad`. A kernel that does not know the attribute
 * computes every gradient; a gradient asked for after all (another order) runs the
 * backward again in full, so the order decides the cost, never the result.
 */
export function kernelGradient(d: AnyKernelDescriptor): KernelGradient {
  const known = gradients.get(d);
  if (known !== undefined) return known;
  const allOutputs = [...d.outputs, ...d.workspace];
  const outputsToSave = allOutputs.map((name) => d.workspace.includes(name) || d.savedOutputs.includes(name));
  const savedNames = allOutputs.filter((_, i) => outputsToSave[i]);
  const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const given: Record<string, tf.Tensor> = {};
    [...d.inputs, ...savedNames].forEach((name, i) => {
      given[name] = saved[i] as tf.Tensor;
    });
    // tfjs hands a node of one output its gradient alone, not in an array.
    const outputGradients = Array.isArray(dy) ? dy : [dy];
    outputGradientNames(d).forEach((name, k) => {
      given[name] = outputGradients[k] as tf.Tensor;
    });
    return lazyGradients(d, given, (skip) =>
      runBackward(d, given, skip.length === 0 ? (attrs as object) : { ...attrs, skipGradients: skip }),
    );
  };
  const gradient = { outputsToSave, gradFunc };
  gradients.set(d, gradient);
  return gradient;
}

/**
 * The gradients of `d`'s differentiable inputs, in `d.differentiable` order, from the
 * backward kernel the active backend registered or the reference gradient. `inputs` holds
 * the forward's inputs, its workspace, its saved outputs and the output gradients.
 */
export function runBackward(d: AnyKernelDescriptor, inputs: Tensors, attrs: object): tf.Tensor[] {
  if (tf.getKernel(d.gradName, tf.getBackend()) != null) {
    return tf
      .engine()
      .runKernel(d.gradName, present(d.complete(inputs as never)), attrs as tf.NamedAttrMap) as tf.Tensor[];
  }
  const grads = d.referenceGrad(inputs as never, attrs as never);
  return d.differentiable.map((name) => grads[name] as tf.Tensor);
}

/** The names the backward gives the visible outputs' gradients: `d<output>`. */
export function outputGradientNames(d: AnyKernelDescriptor): string[] {
  return d.outputs.map((name) => `d${name}`);
}

/**
 * The reference forward under `tf.customGrad`, which yields one tensor: the visible
 * outputs travel flattened and concatenated, and are split and reshaped back.
 */
function runReference(d: AnyKernelDescriptor, inputs: Tensors, attrs: object): Record<string, tf.Tensor> {
  const names = d.inputs.filter((name) => inputs[name] !== undefined);
  const shapes: number[][] = [];
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[names.length] as tf.GradSaveFunc;
    const given = Object.fromEntries(names.map((name, i) => [name, args[i] as tf.Tensor]));
    const all = d.reference(given as never, attrs as never);
    const visible = d.outputs.map((name) => all[name] as tf.Tensor);
    shapes.push(...visible.map((t) => t.shape));
    const kept = [...d.workspace, ...d.savedOutputs];
    save([...names.map((name) => given[name] as tf.Tensor), ...kept.map((name) => all[name] as tf.Tensor)]);
    const value = tf.concat(visible.map((t) => tf.reshape(t, [-1])));
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const backwardInputs: Tensors = {};
      [...names, ...kept].forEach((name, i) => {
        backwardInputs[name] = saved[i];
      });
      split(dy, shapes).forEach((grad, k) => {
        backwardInputs[outputGradientNames(d)[k] as string] = grad;
      });
      const grads = runBackward(d, backwardInputs, attrs);
      return names.map((name) => {
        const k = d.differentiable.indexOf(name);
        return k < 0 ? tf.zerosLike(backwardInputs[name] as tf.Tensor) : (grads[k] as tf.Tensor);
      });
    };
    return { value, gradFunc };
  });
  const packed = forward(...names.map((name) => inputs[name] as tf.Tensor));
  const outputs = split(packed, shapes);
  return Object.fromEntries(d.outputs.map((name, i) => [name, outputs[i] as tf.Tensor]));
}

/** A flat tensor cut into pieces of `shapes`. */
function split(flat: tf.Tensor, shapes: readonly number[][]): tf.Tensor[] {
  const sizes = shapes.map((shape) => shape.reduce((a, b) => a * b, 1));
  const pieces = shapes.length === 1 ? [flat] : tf.split(flat, sizes);
  return pieces.map((piece, i) => tf.reshape(piece, shapes[i] as number[]));
}

/**
 * Gated recurrent unit (Cho et al. 2014, "Learning phrase representations using RNN
 * encoder–decoder", sec. 2.3), Keras layout and gate order z, r, h:
 *
 *     z = σ(x·W_z + h_{t−1}·U_z + b_z)
 *     r = σ(x·W_r + h_{t−1}·U_r + b_r)
 *     resetAfter = true  (Keras default, cuDNN, PyTorch):
 *       h̃ = act(x·W_h + b_xh + r ⊙ (h_{t−1}·U_h + b_hh))
 *     resetAfter = false (the paper, tfjs-layers):
 *       h̃ = act(x·W_h + (r ⊙ h_{t−1})·U_h + b_h)
 *     h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃              y_t = h_t
 *
 * σ = recurrentActivation. x [batch, inputSize], h [batch, units], W = kernel
 * [inputSize, 3·units], U = recurrentKernel [units, 3·units]. The bias is `[3·units]`
 * without resetAfter; with it, `[2, 3·units]`: row 0 the input bias b_x, row 1 the
 * recurrent bias b_h (z and r see b_x + b_h). The two variants compute different
 * functions: no weight mapping makes them agree, which is why both exist.
 */
import {
  type ActivationName,
  type Cell,
  checkBoolean,
  checkConfig,
  checkPositiveInteger,
  checkRng,
  getActivation,
  gruSequence,
  type InitializerName,
  type Rng,
  resolveActivationName,
  resolveInitializerName,
  runKernel,
  SEQUENCE_KERNEL_ACTIVATIONS,
  type SequenceKernelActivation,
  type SequenceOptions,
  type SequenceResult,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Resolved } from './internal/config.js';
import { initParams, zerosCarry } from './internal/ops.js';
import { checkBatch, checkCarry, checkInput, type ParamShapes, paramsCheck } from './internal/shapes.js';

export interface GruConfig {
  /** Features per input step. Required. */
  readonly inputSize: number;
  /** Hidden (and output) size. Required. */
  readonly units: number;
  /** `act`, for h̃. Default `'tanh'`. */
  readonly activation?: ActivationName | (string & {});
  /** `σ`, for z and r. Default `'sigmoid'` (Keras 3, PyTorch; tfjs-layers uses `'hardSigmoid'`). */
  readonly recurrentActivation?: ActivationName | (string & {});
  /** Apply r after the recurrent product (see the file comment). Default `true` (Keras). */
  readonly resetAfter?: boolean;
  /** Whether the biases exist. Default `true`. */
  readonly useBias?: boolean;
  /** W. Default `'glorotUniform'`. */
  readonly kernelInitializer?: InitializerName | (string & {});
  /** U. Default `'orthogonal'`. */
  readonly recurrentInitializer?: InitializerName | (string & {});
  /** Bias. Default `'zeros'`. */
  readonly biasInitializer?: InitializerName | (string & {});
}

export type GruCarry = { readonly h: tf.Tensor2D };

/** `bias` is present exactly when `useBias` is true: `[2, 3·units]` with `resetAfter`, else `[3·units]`. */
export type GruParams = {
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias?: tf.Tensor1D | tf.Tensor2D;
};

export type GruCell = Cell<GruCarry, GruParams, Resolved<GruConfig>> & { readonly kind: 'gru' };

const FIELDS = [
  'inputSize',
  'units',
  'activation',
  'recurrentActivation',
  'resetAfter',
  'useBias',
  'kernelInitializer',
  'recurrentInitializer',
  'biasInitializer',
] as const;

/**
 * A GRU cell. It has a `sequence` form, core's fused `RecurGruSequence` kernel, when that
 * kernel computes its config (see {@link gruKernel}); `scan` steps the others.
 */
export function gru(config: GruConfig): GruCell {
  const kind = 'gru';
  checkConfig(config, FIELDS, `${kind} config`);
  const full: Resolved<GruConfig> = Object.freeze({
    inputSize: checkPositiveInteger(config.inputSize, `${kind} config.inputSize`),
    units: checkPositiveInteger(config.units, `${kind} config.units`),
    activation: resolveActivationName(config.activation ?? 'tanh', `${kind} config.activation`),
    recurrentActivation: resolveActivationName(
      config.recurrentActivation ?? 'sigmoid',
      `${kind} config.recurrentActivation`,
    ),
    resetAfter: checkBoolean(config.resetAfter ?? true, `${kind} config.resetAfter`),
    useBias: checkBoolean(config.useBias ?? true, `${kind} config.useBias`),
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      `${kind} config.kernelInitializer`,
    ),
    recurrentInitializer: resolveInitializerName(
      config.recurrentInitializer ?? 'orthogonal',
      `${kind} config.recurrentInitializer`,
    ),
    biasInitializer: resolveInitializerName(config.biasInitializer ?? 'zeros', `${kind} config.biasInitializer`),
  });
  const { inputSize, units, resetAfter, useBias } = full;
  const act = getActivation(full.activation);
  const sigma = getActivation(full.recurrentActivation);
  const shapes: ParamShapes = {
    kernel: [inputSize, 3 * units],
    recurrentKernel: [units, 3 * units],
    ...(useBias ? { bias: resetAfter ? [2, 3 * units] : [3 * units] } : {}),
  };
  const inits = {
    kernel: full.kernelInitializer,
    recurrentKernel: full.recurrentInitializer,
    bias: full.biasInitializer,
  };

  const params = paramsCheck(kind, shapes);
  const kernel = gruKernel(full);

  return Object.freeze({
    kind,
    config: full,
    inputSize,
    outputSize: units,
    outputState: 'h',
    checkParams: params.check,
    ...(kernel === undefined ? {} : { sequence: kernel }),
    init(rng: Rng): GruParams {
      checkRng(rng, `${kind} init rng`);
      return initParams<GruParams>(shapes, inits, rng);
    },
    initCarry(batch: number): GruCarry {
      return { h: zerosCarry(checkBatch(kind, batch), units) };
    },
    step(p: GruParams, carry: GruCarry, x: tf.Tensor2D) {
      const batch = checkInput(kind, x, inputSize);
      checkCarry(kind, carry, { h: units }, batch);
      params.checkOnce(p);
      return tf.tidy(() => {
        const hPrev = carry.h;
        const [bx, bh] = useBias ? (resetAfter ? tf.unstack(p.bias!) : [p.bias!, undefined]) : [];
        const withBias = (t: tf.Tensor, b: tf.Tensor | undefined) => (b === undefined ? t : tf.add(t, b));
        const [xz, xr, xh] = tf.split(withBias(tf.matMul(x, p.kernel), bx), 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
        let z: tf.Tensor;
        let hTilde: tf.Tensor;
        if (resetAfter) {
          const [hz, hr, hh] = tf.split(withBias(tf.matMul(hPrev, p.recurrentKernel), bh), 3, 1);
          z = sigma(tf.add(xz, hz!));
          const r = sigma(tf.add(xr, hr!));
          hTilde = act(tf.add(xh, tf.mul(r, hh!)));
        } else {
          const [uzr, uh] = tf.split(p.recurrentKernel, [2 * units, units], 1) as [tf.Tensor2D, tf.Tensor2D];
          const [hz, hr] = tf.split(tf.matMul(hPrev, uzr), 2, 1);
          z = sigma(tf.add(xz, hz!));
          const r = sigma(tf.add(xr, hr!));
          hTilde = act(tf.add(xh, tf.matMul(tf.mul(r, hPrev) as tf.Tensor2D, uh)));
        }
        const h = tf.add(tf.mul(z, hPrev), tf.mul(tf.sub(1, z), hTilde)) as tf.Tensor2D;
        return { carry: { h }, y: tf.clone(h) };
      });
    },
  });
}

const KERNEL_ACTIVATIONS: readonly string[] = SEQUENCE_KERNEL_ACTIVATIONS;

/**
 * The whole-sequence form of `config`, or `undefined` when core's fused kernel does not
 * compute it: the kernel needs the bias (`[3·units]`, or `[2, 3·units]` with
 * `resetAfter`) and activations it implements (not swish or gelu). Params reach it
 * already checked by `scan`.
 */
function gruKernel(config: Resolved<GruConfig>) {
  const attrs = { activation: config.activation, recurrentActivation: config.recurrentActivation };
  if (!config.useBias || !Object.values(attrs).every((a) => KERNEL_ACTIVATIONS.includes(a))) return undefined;
  return (p: GruParams, xs: tf.Tensor3D, carry: GruCarry, o: SequenceOptions): SequenceResult<GruCarry> => {
    const inputs = {
      x: xs,
      kernel: p.kernel,
      recurrentKernel: p.recurrentKernel,
      bias: p.bias as tf.Tensor1D | tf.Tensor2D, // present: the kernel path requires useBias
      h0: carry.h,
    };
    const { ys, hT } = runKernel(gruSequence, o.mask === undefined ? inputs : { ...inputs, mask: o.mask }, {
      ...(attrs as Record<keyof typeof attrs, SequenceKernelActivation>),
      resetAfter: config.resetAfter,
      reverse: o.reverse,
      maskedOutput: o.maskedOutput,
    });
    return { ys, carry: { h: hT } };
  };
}

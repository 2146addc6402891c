/**
 * Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers
 * et al. 2000), Keras layout and gate order i, f, c, o:
 *
 *     i = σ(x·W_i + h·U_i + b_i + p_i ⊙ c_{t−1})
 *     f = σ(x·W_f + h·U_f + b_f + p_f ⊙ c_{t−1})
 *     g = act(x·W_c + h·U_c + b_c)
 *     c_t = f ⊙ c_{t−1} + i ⊙ g
 *     o = σ(x·W_o + h·U_o + b_o + p_o ⊙ c_t)
 *     h_t = (o ⊙ act(c_t))·P                    y_t = h_t
 *
 * σ = recurrentActivation. x [batch, inputSize], c [batch, units], h [batch, projSize ??
 * units]; W = kernel [inputSize, G·units], U = recurrentKernel [projSize ?? units,
 * G·units], b = bias [G·units] with G blocks (4, or 3 under CIFG).
 *
 * Variants (each off by default; any combination):
 * - `peephole` (Gers & Schmidhuber 2000): the p terms, diagonal `peepholeI`,
 *   `peepholeF`, `peepholeO` [units]; i and f see c_{t−1}, o sees c_t. Without it p = 0.
 * - `cifg`, coupled input–forget gate (Greff et al. 2017, "LSTM: a search space
 *   odyssey", variant CIFG): no input gate, i = 1 − f. W, U, b hold 3 blocks, in order
 *   f, c, o, and there is no `peepholeI`.
 * - `projSize` = P (Sak et al. 2014; PyTorch `proj_size`): the P product with
 *   `projKernel` [units, P]; the carried h and y are [batch, P]. Without it P = identity.
 * - `layerNorm` (Ba, Kiros & Hinton 2016, "Layer normalization", sec. 6, LSTM): the
 *   input and recurrent pre-activations are normalised separately over all G·units
 *   gate columns, and c_t before its output activation:
 *       x·W → LN(x·W; lnKernelGain, lnKernelShift)            [G·units] each
 *       h·U → LN(h·U; lnRecurrentGain, lnRecurrentShift)      [G·units] each
 *       h_t = (o ⊙ act(LN(c_t; lnCellGain, lnCellShift)))·P   [units] each
 *   The carried c_t stays unnormalised (as in the paper). Gains start at 1, shifts at 0.
 */
import {
  type ActivationName,
  badArgument,
  type Cell,
  checkBoolean,
  checkConfig,
  checkPositiveInteger,
  checkPositiveNumber,
  checkRng,
  getActivation,
  type InitializerName,
  lstmSequence,
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
import { layerNorm } from './internal/layer-norm.js';
import { forgetBiasInit, initParams, zerosCarry } from './internal/ops.js';
import { checkBatch, checkCarry, checkInput, type ParamShapes, paramsCheck } from './internal/shapes.js';

export interface LstmConfig {
  /** Features per input step. Required. */
  readonly inputSize: number;
  /** Cell size (c, and h without projection). Required. */
  readonly units: number;
  /** `act`, for g and c_t. Default `'tanh'`. */
  readonly activation?: ActivationName | (string & {});
  /** `σ`, for the gates. Default `'sigmoid'` (Keras 3, PyTorch; tfjs-layers uses `'hardSigmoid'`). */
  readonly recurrentActivation?: ActivationName | (string & {});
  /** Whether b exists. Default `true`. */
  readonly useBias?: boolean;
  /** Forget block of the initial bias is 1 (Keras' default; tfjs-layers' is `false`). Default `true`. */
  readonly unitForgetBias?: boolean;
  /** Diagonal peephole connections. Default `false`. */
  readonly peephole?: boolean;
  /** Coupled input–forget gate, i = 1 − f. Default `false`. */
  readonly cifg?: boolean;
  /** Output projection size P, smaller than `units` (as PyTorch). Default: none. */
  readonly projSize?: number;
  /** Layer normalisation (see the file comment). Default `false`. */
  readonly layerNorm?: boolean;
  /** ε of the layer normalisation. Default `1e-3` (Keras `LayerNormalization`). */
  readonly layerNormEpsilon?: number;
  /** W. Default `'glorotUniform'`. */
  readonly kernelInitializer?: InitializerName | (string & {});
  /** U. Default `'orthogonal'`. */
  readonly recurrentInitializer?: InitializerName | (string & {});
  /** b (its forget block is 1 under `unitForgetBias`). Default `'zeros'`. */
  readonly biasInitializer?: InitializerName | (string & {});
  /** Peephole weights. Default `'glorotUniform'` (Keras' `PeepholeLSTMCell` uses its kernel initializer). */
  readonly peepholeInitializer?: InitializerName | (string & {});
  /** `projKernel`. Default `'glorotUniform'`. */
  readonly projInitializer?: InitializerName | (string & {});
}

export type LstmCarry = { readonly h: tf.Tensor2D; readonly c: tf.Tensor2D };

/** Optional fields are present exactly when the config asks for them (see the file comment). */
export type LstmParams = {
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias?: tf.Tensor1D;
  readonly peepholeI?: tf.Tensor1D;
  readonly peepholeF?: tf.Tensor1D;
  readonly peepholeO?: tf.Tensor1D;
  readonly projKernel?: tf.Tensor2D;
  readonly lnKernelGain?: tf.Tensor1D;
  readonly lnKernelShift?: tf.Tensor1D;
  readonly lnRecurrentGain?: tf.Tensor1D;
  readonly lnRecurrentShift?: tf.Tensor1D;
  readonly lnCellGain?: tf.Tensor1D;
  readonly lnCellShift?: tf.Tensor1D;
};

export type LstmCell = Cell<LstmCarry, LstmParams, Resolved<LstmConfig, 'projSize'>> & { readonly kind: 'lstm' };

const FIELDS = [
  'inputSize',
  'units',
  'activation',
  'recurrentActivation',
  'useBias',
  'unitForgetBias',
  'peephole',
  'cifg',
  'projSize',
  'layerNorm',
  'layerNormEpsilon',
  'kernelInitializer',
  'recurrentInitializer',
  'biasInitializer',
  'peepholeInitializer',
  'projInitializer',
] as const;

/**
 * An LSTM cell. It has a `sequence` form, core's fused `RecurLstmSequence` kernel, only
 * for the configuration that kernel computes (see {@link lstmKernel}); `scan` steps the
 * others.
 */
export function lstm(config: LstmConfig): LstmCell {
  const kind = 'lstm';
  checkConfig(config, FIELDS, `${kind} config`);
  const full = resolve(config);
  const { inputSize, units, useBias, peephole, cifg, projSize, layerNorm: ln, layerNormEpsilon: eps } = full;
  const act = getActivation(full.activation);
  const sigma = getActivation(full.recurrentActivation);
  const blocks = cifg ? 3 : 4;
  const gates = blocks * units;
  const hSize = projSize ?? units;
  const shapes: ParamShapes = {
    kernel: [inputSize, gates],
    recurrentKernel: [hSize, gates],
    ...(useBias ? { bias: [gates] } : {}),
    ...(peephole && !cifg ? { peepholeI: [units] } : {}),
    ...(peephole ? { peepholeF: [units], peepholeO: [units] } : {}),
    ...(projSize !== undefined ? { projKernel: [units, projSize] } : {}),
    ...(ln
      ? {
          lnKernelGain: [gates],
          lnKernelShift: [gates],
          lnRecurrentGain: [gates],
          lnRecurrentShift: [gates],
          lnCellGain: [units],
          lnCellShift: [units],
        }
      : {}),
  };
  const inits = {
    kernel: full.kernelInitializer,
    recurrentKernel: full.recurrentInitializer,
    bias: full.unitForgetBias
      ? forgetBiasInit(full.biasInitializer, blocks, cifg ? 0 : 1, units)
      : full.biasInitializer,
    peepholeI: full.peepholeInitializer,
    peepholeF: full.peepholeInitializer,
    peepholeO: full.peepholeInitializer,
    projKernel: full.projInitializer,
    lnKernelGain: 'ones',
    lnKernelShift: 'zeros',
    lnRecurrentGain: 'ones',
    lnRecurrentShift: 'zeros',
    lnCellGain: 'ones',
    lnCellShift: 'zeros',
  } as const;
  const params = paramsCheck(kind, shapes);
  const kernel = lstmKernel(full);

  return Object.freeze({
    kind,
    config: full,
    inputSize,
    outputSize: hSize,
    outputState: 'h',
    checkParams: params.check,
    ...(kernel === undefined ? {} : { sequence: kernel }),
    init(rng: Rng): LstmParams {
      checkRng(rng, `${kind} init rng`);
      return initParams<LstmParams>(shapes, inits, rng);
    },
    initCarry(batch: number): LstmCarry {
      checkBatch(kind, batch);
      return { h: zerosCarry(batch, hSize), c: zerosCarry(batch, units) };
    },
    step(p: LstmParams, carry: LstmCarry, x: tf.Tensor2D) {
      const batch = checkInput(kind, x, inputSize);
      checkCarry(kind, carry, { h: hSize, c: units }, batch);
      params.checkOnce(p);
      // Every optional param below is present: the params check enforced the config's shapes.
      return tf.tidy(() => {
        const { h: hPrev, c: cPrev } = carry;
        let zx = tf.matMul(x, p.kernel);
        let zh = tf.matMul(hPrev, p.recurrentKernel);
        if (ln) {
          zx = layerNorm(zx, p.lnKernelGain!, p.lnKernelShift!, eps);
          zh = layerNorm(zh, p.lnRecurrentGain!, p.lnRecurrentShift!, eps);
        }
        const z = useBias ? tf.add(tf.add(zx, zh), p.bias!) : tf.add(zx, zh);
        const gate = tf.split(z, blocks, 1);
        // Blocks i, f, c, o; CIFG has no i block.
        const [zf, zc, zo] = gate.slice(cifg ? 0 : 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
        const peep = (zGate: tf.Tensor, weight: tf.Tensor | undefined, state: tf.Tensor) =>
          peephole ? tf.add(zGate, tf.mul(weight!, state)) : zGate;
        const f = sigma(peep(zf, p.peepholeF, cPrev));
        const i = cifg ? tf.sub(1, f) : sigma(peep(gate[0]!, p.peepholeI, cPrev));
        const c = tf.add(tf.mul(f, cPrev), tf.mul(i, act(zc))) as tf.Tensor2D;
        const o = sigma(peep(zo, p.peepholeO, c));
        const hCell = tf.mul(o, act(ln ? layerNorm(c, p.lnCellGain!, p.lnCellShift!, eps) : c)) as tf.Tensor2D;
        const h = projSize === undefined ? hCell : (tf.matMul(hCell, p.projKernel!) as tf.Tensor2D);
        return { carry: { h, c }, y: tf.clone(h) };
      });
    },
  });
}

const KERNEL_ACTIVATIONS: readonly string[] = SEQUENCE_KERNEL_ACTIVATIONS;

/**
 * The whole-sequence form of `config`, or `undefined` when core's fused kernel does not
 * compute it: the kernel is the plain LSTM (a bias, no peephole, CIFG, projection or
 * layer norm) with activations it implements (not swish or gelu). Params reach it
 * already checked by `scan`.
 */
function lstmKernel(config: Resolved<LstmConfig, 'projSize'>) {
  const { useBias, peephole, cifg, projSize, layerNorm: ln } = config;
  const plain = useBias && !peephole && !cifg && projSize === undefined && !ln;
  const attrs = { activation: config.activation, recurrentActivation: config.recurrentActivation };
  if (!plain || !Object.values(attrs).every((a) => KERNEL_ACTIVATIONS.includes(a))) return undefined;
  return (p: LstmParams, xs: tf.Tensor3D, carry: LstmCarry, o: SequenceOptions): SequenceResult<LstmCarry> => {
    const inputs = {
      x: xs,
      kernel: p.kernel,
      recurrentKernel: p.recurrentKernel,
      bias: p.bias as tf.Tensor1D, // present: the kernel path requires useBias

      h0: carry.h,
      c0: carry.c,
    };
    const { ys, hT, cT } = runKernel(lstmSequence, o.mask === undefined ? inputs : { ...inputs, mask: o.mask }, {
      ...(attrs as Record<keyof typeof attrs, SequenceKernelActivation>),
      reverse: o.reverse,
      maskedOutput: o.maskedOutput,
    });
    return { ys, carry: { h: hT, c: cT } };
  };
}

function resolve(config: LstmConfig): Resolved<LstmConfig, 'projSize'> {
  const kind = 'lstm';
  const units = checkPositiveInteger(config.units, `${kind} config.units`);
  const projSize =
    config.projSize === undefined ? undefined : checkPositiveInteger(config.projSize, `${kind} config.projSize`);
  if (projSize !== undefined && projSize >= units) {
    // PyTorch rejects it too: a projection is meant to shrink h.
    throw badArgument(
      'BAD_CONFIG',
      `${kind} config.projSize`,
      `a positive integer smaller than units (${units})`,
      projSize,
    );
  }
  return Object.freeze({
    inputSize: checkPositiveInteger(config.inputSize, `${kind} config.inputSize`),
    units,
    activation: resolveActivationName(config.activation ?? 'tanh', `${kind} config.activation`),
    recurrentActivation: resolveActivationName(
      config.recurrentActivation ?? 'sigmoid',
      `${kind} config.recurrentActivation`,
    ),
    useBias: checkBoolean(config.useBias ?? true, `${kind} config.useBias`),
    unitForgetBias: checkBoolean(config.unitForgetBias ?? true, `${kind} config.unitForgetBias`),
    peephole: checkBoolean(config.peephole ?? false, `${kind} config.peephole`),
    cifg: checkBoolean(config.cifg ?? false, `${kind} config.cifg`),
    ...(projSize === undefined ? {} : { projSize }),
    layerNorm: checkBoolean(config.layerNorm ?? false, `${kind} config.layerNorm`),
    layerNormEpsilon: checkPositiveNumber(config.layerNormEpsilon ?? 1e-3, `${kind} config.layerNormEpsilon`),
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      `${kind} config.kernelInitializer`,
    ),
    recurrentInitializer: resolveInitializerName(
      config.recurrentInitializer ?? 'orthogonal',
      `${kind} config.recurrentInitializer`,
    ),
    biasInitializer: resolveInitializerName(config.biasInitializer ?? 'zeros', `${kind} config.biasInitializer`),
    peepholeInitializer: resolveInitializerName(
      config.peepholeInitializer ?? 'glorotUniform',
      `${kind} config.peepholeInitializer`,
    ),
    projInitializer: resolveInitializerName(
      config.projInitializer ?? 'glorotUniform',
      `${kind} config.projInitializer`,
    ),
  });
}

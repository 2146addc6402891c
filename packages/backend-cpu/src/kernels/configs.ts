/**
 * tfjs `KernelConfig`s registering the fused sequence kernels for the cpu backend under
 * core's kernel names. Each reads its inputs as typed arrays, runs the fused function and
 * hands the results back as new tensors.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { elmanBackward, elmanForward } from './elman.js';
import { gruBackward, gruForward } from './gru.js';
import { lstmBackward, lstmForward } from './lstm.js';
import type { SequenceDims } from './sequence-common.js';

type Inputs = Record<string, TensorInfo | undefined>;

function reader(backend: MathBackendCPU, inputs: Inputs) {
  return (name: string): Float32Array => {
    const t = inputs[name];
    if (t === undefined) throw new Error(`fused sequence kernel: input '${name}' missing`);
    return backend.data.get(t.dataId).values as Float32Array;
  };
}

function dims(inputs: Inputs, units: number): SequenceDims {
  const [batch, time, input] = (inputs.x as TensorInfo).shape as [number, number, number];
  return { batch, time, input, units };
}

function unitsOf(inputs: Inputs): number {
  return ((inputs.h0 as TensorInfo).shape as [number, number])[1];
}

function attrsOf(attrs: NamedAttrMap) {
  return attrs as unknown as {
    activation: Parameters<typeof lstmForward>[2]['activation'];
    recurrentActivation: Parameters<typeof lstmForward>[2]['recurrentActivation'];
    reverse: boolean;
    maskedOutput: 'zeros' | 'previous';
    resetAfter: boolean;
  };
}

function config(
  kernelName: string,
  kernelFunc: (backend: MathBackendCPU, inputs: Inputs, attrs: NamedAttrMap) => TensorInfo[],
): KernelConfig {
  const func: KernelFunc = ({ inputs, backend, attrs }) =>
    kernelFunc(backend as MathBackendCPU, inputs as Inputs, attrs ?? {});
  return { kernelName, backendName: 'cpu', kernelFunc: func };
}

export const lstmSequenceConfig = config('RecurLstmSequence', (backend, inputs, attrs) => {
  const get = reader(backend, inputs);
  const H = unitsOf(inputs);
  const d = dims(inputs, H);
  const out = lstmForward(
    {
      x: get('x'),
      kernel: get('kernel'),
      recurrentKernel: get('recurrentKernel'),
      bias: get('bias'),
      h0: get('h0'),
      c0: get('c0'),
      mask: get('mask'),
    },
    d,
    attrsOf(attrs),
  );
  const { batch: B, time: T } = d;
  return [
    backend.makeTensorInfo([B, T, H], 'float32', out.ys),
    backend.makeTensorInfo([B, H], 'float32', out.hT),
    backend.makeTensorInfo([B, H], 'float32', out.cT),
    backend.makeTensorInfo([T, B, 4 * H], 'float32', out.gates),
    backend.makeTensorInfo([T, B, H], 'float32', out.hs),
    backend.makeTensorInfo([T, B, H], 'float32', out.cs),
  ];
});

export const lstmSequenceGradConfig = config('RecurLstmSequenceGrad', (backend, inputs, attrs) => {
  const get = reader(backend, inputs);
  const H = unitsOf(inputs);
  const d = dims(inputs, H);
  const g = lstmBackward(
    {
      x: get('x'),
      kernel: get('kernel'),
      recurrentKernel: get('recurrentKernel'),
      bias: get('bias'),
      h0: get('h0'),
      c0: get('c0'),
      mask: get('mask'),
      gates: get('gates'),
      hs: get('hs'),
      cs: get('cs'),
      dys: get('dys'),
      dhT: get('dhT'),
      dcT: get('dcT'),
    },
    d,
    attrsOf(attrs),
  );
  const { batch: B, time: T, input: I } = d;
  return [
    backend.makeTensorInfo([B, T, I], 'float32', g.dx),
    backend.makeTensorInfo([I, 4 * H], 'float32', g.dKernel),
    backend.makeTensorInfo([H, 4 * H], 'float32', g.dRecurrentKernel),
    backend.makeTensorInfo([4 * H], 'float32', g.dBias),
    backend.makeTensorInfo([B, H], 'float32', g.dh0),
    backend.makeTensorInfo([B, H], 'float32', g.dc0),
  ];
});

function gruArrays(backend: MathBackendCPU, inputs: Inputs) {
  const get = reader(backend, inputs);
  const biasRows = ((inputs.bias as TensorInfo).shape.length === 2 ? 2 : 1) as 1 | 2;
  return {
    get,
    base: {
      x: get('x'),
      kernel: get('kernel'),
      recurrentKernel: get('recurrentKernel'),
      bias: get('bias'),
      biasRows,
      h0: get('h0'),
      mask: get('mask'),
    },
  };
}

export const gruSequenceConfig = config('RecurGruSequence', (backend, inputs, attrs) => {
  const H = unitsOf(inputs);
  const d = dims(inputs, H);
  const a = attrsOf(attrs);
  const out = gruForward(gruArrays(backend, inputs).base, d, a);
  const { batch: B, time: T } = d;
  return [
    backend.makeTensorInfo([B, T, H], 'float32', out.ys),
    backend.makeTensorInfo([B, H], 'float32', out.hT),
    backend.makeTensorInfo([T, B, (a.resetAfter ? 4 : 3) * H], 'float32', out.gates),
    backend.makeTensorInfo([T, B, H], 'float32', out.hs),
  ];
});

export const gruSequenceGradConfig = config('RecurGruSequenceGrad', (backend, inputs, attrs) => {
  const H = unitsOf(inputs);
  const d = dims(inputs, H);
  const { get, base } = gruArrays(backend, inputs);
  const g = gruBackward(
    { ...base, gates: get('gates'), hs: get('hs'), dys: get('dys'), dhT: get('dhT') },
    d,
    attrsOf(attrs),
  );
  const { batch: B, time: T, input: I } = d;
  return [
    backend.makeTensorInfo([B, T, I], 'float32', g.dx),
    backend.makeTensorInfo([I, 3 * H], 'float32', g.dKernel),
    backend.makeTensorInfo([H, 3 * H], 'float32', g.dRecurrentKernel),
    backend.makeTensorInfo([...(inputs.bias as TensorInfo).shape], 'float32', g.dBias),
    backend.makeTensorInfo([B, H], 'float32', g.dh0),
  ];
});

export const elmanSequenceConfig = config('RecurElmanSequence', (backend, inputs, attrs) => {
  const get = reader(backend, inputs);
  const H = unitsOf(inputs);
  const d = dims(inputs, H);
  const out = elmanForward(
    {
      x: get('x'),
      kernel: get('kernel'),
      recurrentKernel: get('recurrentKernel'),
      bias: get('bias'),
      h0: get('h0'),
      mask: get('mask'),
    },
    d,
    attrsOf(attrs),
  );
  const { batch: B, time: T } = d;
  return [
    backend.makeTensorInfo([B, T, H], 'float32', out.ys),
    backend.makeTensorInfo([B, H], 'float32', out.hT),
    backend.makeTensorInfo([T, B, H], 'float32', out.hs),
  ];
});

export const elmanSequenceGradConfig = config('RecurElmanSequenceGrad', (backend, inputs, attrs) => {
  const get = reader(backend, inputs);
  const H = unitsOf(inputs);
  const d = dims(inputs, H);
  const g = elmanBackward(
    {
      x: get('x'),
      kernel: get('kernel'),
      recurrentKernel: get('recurrentKernel'),
      bias: get('bias'),
      h0: get('h0'),
      mask: get('mask'),
      hs: get('hs'),
      dys: get('dys'),
      dhT: get('dhT'),
    },
    d,
    attrsOf(attrs),
  );
  const { batch: B, time: T, input: I } = d;
  return [
    backend.makeTensorInfo([B, T, I], 'float32', g.dx),
    backend.makeTensorInfo([I, H], 'float32', g.dKernel),
    backend.makeTensorInfo([H, H], 'float32', g.dRecurrentKernel),
    backend.makeTensorInfo([H], 'float32', g.dBias),
    backend.makeTensorInfo([B, H], 'float32', g.dh0),
  ];
});

/** Every fused kernel this plug-in registers, from one list. */
export const CPU_KERNEL_CONFIGS: readonly KernelConfig[] = [
  lstmSequenceConfig,
  lstmSequenceGradConfig,
  gruSequenceConfig,
  gruSequenceGradConfig,
  elmanSequenceConfig,
  elmanSequenceGradConfig,
];

/**
 * Recurrent state in PyTorch's layout: `h` (and, for an LSTM, `c`) of shape
 * `[num_layers·directions, batch, H]`, row `k·directions + d` for layer k and direction
 * d (0 forward, 1 reverse). With `proj_size`, `h` is `[..., batch, proj_size]`. These
 * are the `(h_0, c_0)` an `nn.LSTM` takes and the `(h_n, c_n)` it returns.
 */
import { badArgument, type Carry, isTensor } from '@recur/core';
import type { AnyLayer, LayerState } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';
import { type RnnModule, type TorchOptions, torchLayout } from './torch-layout.js';

/** One torch RNN module's state. */
export interface TorchState {
  readonly h: tf.Tensor3D;
  /** LSTM only. */
  readonly c?: tf.Tensor3D;
}

function rnnModules(model: AnyLayer, options: TorchOptions): RnnModule[] {
  return torchLayout(model, options).filter((m): m is RnnModule => m.kind === 'rnn');
}

/** The carries of one module in torch row order (layer-major, forward before reverse). */
function carriesOf(module: RnnModule, state: LayerState | undefined, stackedModel: boolean): (Carry | undefined)[] {
  return module.parts.flatMap((part) => {
    const s = (stackedModel ? (state as readonly unknown[] | undefined)?.[part.index as number] : state) as
      | Record<string, Carry>
      | undefined;
    return module.directions === 2 ? [s?.forward, s?.backward] : [s as Carry | undefined];
  });
}

/**
 * A model's final (or any) state, as returned with `returnState: true`, in PyTorch's
 * layout: one `{ h, c? }` per torch RNN module, by module name. New tensors, owned by the caller.
 */
export function stateToTorch(
  model: AnyLayer,
  state: LayerState,
  options: TorchOptions = {},
): Record<string, TorchState> {
  const modules = rnnModules(model, options);
  const stackedModel = model.kind === 'stacked';
  const out: Record<string, TorchState> = {};
  for (const m of modules) {
    const carries = carriesOf(m, state, stackedModel);
    const missing = carries.findIndex((c) => c === undefined || !isTensor(c.h));
    if (missing >= 0) {
      throw badArgument('BAD_DATA', 'state', `a carry for every layer of torch module '${m.info.name}'`, state);
    }
    const keys = m.cell.kind === 'lstm' ? (['h', 'c'] as const) : (['h'] as const);
    out[m.info.name] = tf.tidy(() =>
      Object.fromEntries(keys.map((k) => [k, tf.stack(carries.map((c) => (c as Carry)[k] as tf.Tensor))])),
    ) as unknown as TorchState;
  }
  return out;
}

/**
 * A Recur state (to pass as `initialState`) from PyTorch-layout states by module name:
 * for a stacked model, an array with `undefined` for layers without one. Shapes are
 * checked first (`SHAPE_MISMATCH`). New tensors, owned by the caller.
 */
export function stateFromTorch(
  model: AnyLayer,
  states: Readonly<Record<string, TorchState>>,
  options: TorchOptions = {},
): LayerState {
  const modules = rnnModules(model, options);
  const stackedModel = model.kind === 'stacked';
  if (states === null || typeof states !== 'object') {
    throw badArgument('BAD_DATA', 'states', 'a record of { h, c? } by torch module name', states);
  }
  for (const m of modules) {
    const s = states[m.info.name];
    const rows = m.parts.length * m.directions;
    const c = m.cell.config as { units: number; projSize?: number };
    const want = { h: c.projSize ?? c.units, c: c.units };
    for (const k of m.cell.kind === 'lstm' ? (['h', 'c'] as const) : (['h'] as const)) {
      const t = s?.[k];
      if (!isTensor(t) || t.rank !== 3 || t.shape[0] !== rows || t.shape[2] !== want[k]) {
        throw badArgument(
          'SHAPE_MISMATCH',
          `states['${m.info.name}'].${k}`,
          `a tensor [${rows}, batch, ${want[k]}]`,
          t,
        );
      }
    }
  }
  return tf.tidy(() => {
    const layers: unknown[] = stackedModel
      ? (model as unknown as { layers: unknown[] }).layers.map(() => undefined)
      : [];
    let single: unknown;
    for (const m of modules) {
      const s = states[m.info.name] as TorchState;
      const h = tf.unstack(s.h);
      const c = s.c === undefined ? undefined : tf.unstack(s.c);
      const carry = (row: number): Carry => (c === undefined ? { h: h[row] } : { h: h[row], c: c[row] }) as Carry;
      m.parts.forEach((part, k) => {
        const row = k * m.directions;
        const one = m.directions === 2 ? { forward: carry(row), backward: carry(row + 1) } : carry(row);
        if (stackedModel) layers[part.index as number] = one;
        else single = one;
      });
    }
    return (stackedModel ? layers : single) as tf.TensorContainer;
  }) as LayerState;
}

/** `[time, batch, features]` (torch's default, `batch_first=False`) ↔ Recur's `[batch, time, features]`. */
export function swapBatchAndTime(x: tf.Tensor3D): tf.Tensor3D {
  if (!isTensor(x) || x.rank !== 3) throw badArgument('SHAPE_MISMATCH', 'x', 'a tensor of rank 3', x);
  return tf.transpose(x, [1, 0, 2]);
}

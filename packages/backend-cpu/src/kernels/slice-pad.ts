/**
 * tfjs' `Slice` and `PadV2` on the cpu backend, as copies of whole contiguous runs
 * instead of tfjs' loops, which convert every element's index to coordinates and back
 * through spread calls (about 0.5 µs an element).
 *
 * Why: a many-to-one model's scan takes the last step of its outputs, `[B, 1, H]` of
 * `[B, T, H]`, and its gradient pads it back, at every training step, on the calling
 * thread while the pool's workers wait. On W1 (B 32, T 64, H 256) tfjs' Slice took
 * 4–7 ms and PadV2 1–4 ms of a 500 ms step; these take a few µs. (LSTM, GRU and Elman
 * now hand scan their last output as a state, `Cell.outputState`, so no longer slice;
 * the other cells, and every other slice and pad of a model, still do.) Both move values and
 * compute nothing, so they equal tfjs' bit for bit; a contiguous slice (a view in
 * tfjs, no copy) and strings stay with tfjs.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { putInFront } from './in-front.js';

type Values = Float32Array | Int32Array | Uint8Array;

/** A box of `box` elements copied from `from` (shape `fromShape`, box at `fromStart`) into `to` (shape `toShape`, box at `toStart`). */
interface BoxCopy {
  readonly from: Values;
  readonly fromShape: readonly number[];
  readonly fromStart: readonly number[];
  readonly to: Values;
  readonly toShape: readonly number[];
  readonly toStart: readonly number[];
  readonly box: readonly number[];
}

/** Row-major strides of `shape`. */
const stridesOf = (shape: readonly number[]): number[] => {
  const strides = shape.map(() => 1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = (strides[d + 1] as number) * (shape[d + 1] as number);
  return strides;
};

/**
 * Copies the box run by run. The axes after the last one where the box is narrower than
 * either array are whole in both, so a run spans that axis and all after it; the axes
 * before it are walked with an odometer.
 */
function copyBox(c: BoxCopy): void {
  const { box } = c;
  if (box.includes(0)) return;
  let last = box.length - 1;
  while (last >= 0 && box[last] === c.fromShape[last] && box[last] === c.toShape[last]) last--;
  if (last < 0) {
    c.to.set(c.from);
    return;
  }
  const [fromStrides, toStrides] = [stridesOf(c.fromShape), stridesOf(c.toShape)];
  const run = (box[last] as number) * (fromStrides[last] as number);
  const index = box.map(() => 0);
  for (;;) {
    let from = 0;
    let to = 0;
    for (let d = 0; d <= last; d++) {
      from += ((c.fromStart[d] as number) + (index[d] as number)) * (fromStrides[d] as number);
      to += ((c.toStart[d] as number) + (index[d] as number)) * (toStrides[d] as number);
    }
    c.to.set(c.from.subarray(from, from + run), to);
    let d = last - 1;
    for (; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      if (index[d] !== box[d]) break;
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

/** A numeric tensor's values on the cpu backend; undefined for strings and complex numbers (tfjs' own kernels). */
function valuesOf(backend: MathBackendCPU, x: tf.TensorInfo): Values | undefined {
  if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') return undefined;
  return backend.data.get(x.dataId).values as Values;
}

/** An empty array of `x`'s type (float32, int32 or bool) of `size` elements. */
const like = (values: Values, size: number): Values => new (values.constructor as new (n: number) => Values)(size);

type SliceArgs = { inputs: { x: tf.TensorInfo }; backend: MathBackendCPU; attrs: tf.SliceAttrs };

function recurSlice({ inputs: { x }, backend, attrs }: SliceArgs): tf.TensorInfo | undefined {
  const from = valuesOf(backend, x);
  if (from === undefined) return undefined;
  const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size) as [number[], number[]];
  tf.slice_util.assertParamsValid(x, begin, size);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) return undefined;
  const to = like(from, tf.util.sizeFromShape(size));
  copyBox({ from, fromShape: x.shape, fromStart: begin, to, toShape: size, toStart: size.map(() => 0), box: size });
  return backend.makeTensorInfo(size, x.dtype, to);
}

type PadArgs = { inputs: { x: tf.TensorInfo }; backend: MathBackendCPU; attrs: tf.PadV2Attrs };

function recurPad({ inputs: { x }, backend, attrs }: PadArgs): tf.TensorInfo | undefined {
  const from = valuesOf(backend, x);
  if (from === undefined) return undefined;
  const { paddings, constantValue } = attrs;
  const shape = x.shape.map((n, d) => (paddings[d]?.[0] as number) + n + (paddings[d]?.[1] as number));
  const to = like(from, tf.util.sizeFromShape(shape));
  if (constantValue !== 0) to.fill(constantValue);
  const start = paddings.map(([before]) => before);
  copyBox({
    from,
    fromShape: x.shape,
    fromStart: x.shape.map(() => 0),
    to,
    toShape: shape,
    toStart: start,
    box: x.shape,
  });
  return backend.makeTensorInfo(shape, x.dtype, to);
}

/** Puts these in front of tfjs' registered cpu `Slice` and `PadV2` (once each). */
export function installSliceAndPad(): void {
  putInFront(tf.Slice, recurSlice);
  putInFront(tf.PadV2, recurPad);
}

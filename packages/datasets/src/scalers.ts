import { badArgument, describeValue } from '@recur/core';
import type { Float32ArrayND } from './arrays.js';
import { dataError, optionsRecord } from './internal/check.js';

export interface ScaleOptions {
  /** Fitted features the last axis of the input holds, e.g. `[0]` for a one-target forecast. Default: all. */
  readonly features?: readonly number[];
}

export interface StandardScalerJSON {
  readonly kind: 'standard';
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface MinMaxScalerJSON {
  readonly kind: 'minMax';
  readonly min: readonly number[];
  readonly max: readonly number[];
  readonly range: readonly [number, number];
}

export type ScalerJSON = StandardScalerJSON | MinMaxScalerJSON;

/**
 * Per-feature affine map `y = x · scale + bias`, fitted on training data only. Statistics
 * are gathered in float64; outputs are new Float32Arrays with the input's shape.
 */
abstract class AffineScaler {
  protected constructor(
    private readonly scale: Float64Array,
    private readonly bias: Float64Array,
  ) {}

  get features(): number {
    return this.scale.length;
  }

  transform<S extends readonly number[]>(
    x: { data: Float32Array; shape: S },
    options?: ScaleOptions,
  ): { data: Float32Array; shape: S } {
    return this.apply(x, options, (v, f) => v * (this.scale[f] as number) + (this.bias[f] as number));
  }

  /** Undoes {@link transform}: model outputs back to the data's units. */
  inverseTransform<S extends readonly number[]>(
    x: { data: Float32Array; shape: S },
    options?: ScaleOptions,
  ): { data: Float32Array; shape: S } {
    return this.apply(x, options, (v, f) => (v - (this.bias[f] as number)) / (this.scale[f] as number));
  }

  abstract toJSON(): ScalerJSON;

  private apply<S extends readonly number[]>(
    x: { data: Float32Array; shape: S },
    options: ScaleOptions | undefined,
    map: (v: number, feature: number) => number,
  ): { data: Float32Array; shape: S } {
    const o = optionsRecord(options, 'options');
    const features = o.features ?? Array.from({ length: this.features }, (_, f) => f);
    if (
      !Array.isArray(features) ||
      features.length === 0 ||
      !features.every((f) => Number.isInteger(f) && f >= 0 && f < this.features)
    ) {
      throw badArgument('BAD_CONFIG', 'options.features', `fitted feature indices in [0, ${this.features})`, features);
    }
    const width = checkArray(x, 'x');
    if (width !== features.length) {
      throw badArgument('SHAPE_MISMATCH', 'x', `a last axis of ${features.length} features`, x);
    }
    const out = new Float32Array(x.data.length);
    for (let i = 0; i < out.length; i++) out[i] = map(x.data[i] as number, features[i % width] as number);
    return { data: out, shape: x.shape };
  }
}

/** Zero mean, unit variance per feature (population std; a constant feature keeps std 1). */
export class StandardScaler extends AffineScaler {
  readonly mean: Float64Array;
  readonly std: Float64Array;

  private constructor(mean: Float64Array, std: Float64Array) {
    super(
      std.map((s) => 1 / s),
      mean.map((m, f) => -m / (std[f] as number)),
    );
    this.mean = mean;
    this.std = std;
  }

  /** Fits on `data` (the training split): every axis but the last is samples. */
  static fit(data: Float32ArrayND): StandardScaler {
    const width = checkArray(data, 'data');
    const rows = checkFitRows(data, width);
    const mean = new Float64Array(width);
    const m2 = new Float64Array(width);
    // Welford's update: one pass, no catastrophic cancellation on large offsets.
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < width; f++) {
        const v = data.data[r * width + f] as number;
        const d = v - (mean[f] as number);
        mean[f] = (mean[f] as number) + d / (r + 1);
        m2[f] = (m2[f] as number) + d * (v - (mean[f] as number));
      }
    }
    const std = m2.map((s) => Math.sqrt(s / rows) || 1);
    return new StandardScaler(mean, std);
  }

  static fromJSON(json: unknown, where = 'scaler JSON'): StandardScaler {
    const j = json as Partial<StandardScalerJSON>;
    if (j?.kind !== 'standard') throw dataError(where, `kind: expected 'standard', received ${describeValue(j?.kind)}`);
    const mean = numbers(j.mean, `${where}: mean`);
    const std = numbers(j.std, `${where}: std`, mean.length);
    if (!std.every((s) => s > 0))
      throw dataError(where, `std: expected positive numbers, received ${describeValue(j.std)}`);
    return new StandardScaler(mean, std);
  }

  toJSON(): StandardScalerJSON {
    return { kind: 'standard', mean: Array.from(this.mean), std: Array.from(this.std) };
  }
}

/** Maps each feature's training range onto `range` (default [0, 1]); a constant feature maps to `range[0]`. */
export class MinMaxScaler extends AffineScaler {
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly range: readonly [number, number];

  private constructor(min: Float64Array, max: Float64Array, range: readonly [number, number]) {
    const [a, b] = range;
    const scale = min.map((lo, f) => (b - a) / ((max[f] as number) - lo || 1));
    super(
      scale,
      min.map((lo, f) => a - lo * (scale[f] as number)),
    );
    this.min = min;
    this.max = max;
    this.range = range;
  }

  static fit(data: Float32ArrayND, options?: { readonly range?: readonly [number, number] }): MinMaxScaler {
    const o = optionsRecord(options, 'options');
    const range = o.range ?? ([0, 1] as const);
    if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || !(range[0] < range[1])) {
      throw badArgument('BAD_CONFIG', 'options.range', 'two finite numbers [low, high] with low < high', range);
    }
    const width = checkArray(data, 'data');
    const rows = checkFitRows(data, width);
    const min = new Float64Array(width).fill(Number.POSITIVE_INFINITY);
    const max = new Float64Array(width).fill(Number.NEGATIVE_INFINITY);
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < width; f++) {
        const v = data.data[r * width + f] as number;
        if (v < (min[f] as number)) min[f] = v;
        if (v > (max[f] as number)) max[f] = v;
      }
    }
    return new MinMaxScaler(min, max, [range[0], range[1]]);
  }

  static fromJSON(json: unknown, where = 'scaler JSON'): MinMaxScaler {
    const j = json as Partial<MinMaxScalerJSON>;
    if (j?.kind !== 'minMax') throw dataError(where, `kind: expected 'minMax', received ${describeValue(j?.kind)}`);
    const min = numbers(j.min, `${where}: min`);
    const max = numbers(j.max, `${where}: max`, min.length);
    const range = numbers(j.range, `${where}: range`, 2);
    if (!min.every((lo, f) => lo <= (max[f] as number)) || !((range[0] as number) < (range[1] as number))) {
      throw dataError(where, 'expected min <= max and range[0] < range[1]');
    }
    return new MinMaxScaler(min, max, [range[0] as number, range[1] as number]);
  }

  toJSON(): MinMaxScalerJSON {
    return { kind: 'minMax', min: Array.from(this.min), max: Array.from(this.max), range: this.range };
  }
}

export type Scaler = StandardScaler | MinMaxScaler;

/** Rebuilds either scaler from its JSON. */
export function scalerFromJSON(json: unknown, where = 'scaler JSON'): Scaler {
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (kind === 'standard') return StandardScaler.fromJSON(json, where);
  if (kind === 'minMax') return MinMaxScaler.fromJSON(json, where);
  throw dataError(where, `kind: expected 'standard' or 'minMax', received ${describeValue(kind)}`);
}

/** Returns the last axis (features) after checking `x` is a consistent shaped Float32Array. */
function checkArray(x: unknown, argument: string): number {
  const a = x as Partial<Float32ArrayND> | null;
  const shape = a?.shape;
  const ok =
    a !== null &&
    typeof a === 'object' &&
    a.data instanceof Float32Array &&
    Array.isArray(shape) &&
    shape.length >= 1 &&
    shape.every((d) => Number.isInteger(d) && d >= 0) &&
    (shape[shape.length - 1] as number) > 0 &&
    shape.reduce((p, d) => p * d, 1) === a.data.length;
  if (!ok) throw badArgument('BAD_DATA', argument, '{data: Float32Array, shape} with features on the last axis', x);
  return shape[shape.length - 1] as number;
}

function checkFitRows(data: Float32ArrayND, width: number): number {
  const rows = data.data.length / width;
  if (rows === 0) throw badArgument('BAD_DATA', 'data', 'at least one row to fit on', data);
  for (let i = 0; i < data.data.length; i++) {
    if (!Number.isFinite(data.data[i])) {
      throw badArgument(
        'BAD_DATA',
        `data (row ${Math.floor(i / width)}, feature ${i % width})`,
        'a finite number',
        data.data[i],
      );
    }
  }
  return rows;
}

function numbers(value: unknown, where: string, length?: number): Float64Array {
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    (length === undefined || value.length === length) &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!ok) {
    const expected = length === undefined ? 'a non-empty array of finite numbers' : `${length} finite numbers`;
    throw dataError(where, `expected ${expected}, received ${describeValue(value)}`);
  }
  return Float64Array.from(value as number[]);
}

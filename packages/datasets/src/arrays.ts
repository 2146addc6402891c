/**
 * Plain typed arrays with an explicit row-major shape. Most of this package works on
 * these rather than on tensors: they cost no backend memory, need no disposal, and cross
 * worker and file boundaries as they are. `toTensor` turns one into a tfjs tensor.
 */
export interface Int32Array2D {
  readonly data: Int32Array;
  readonly shape: readonly [number, number];
}

export interface Float32Array2D {
  readonly data: Float32Array;
  readonly shape: readonly [number, number];
}

export interface Float32Array3D {
  readonly data: Float32Array;
  readonly shape: readonly [number, number, number];
}

/** Any float array whose last axis holds features: what scalers accept. */
export interface Float32ArrayND {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

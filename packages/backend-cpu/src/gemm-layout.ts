// gemm's arguments, its packed operand, and the panel sizes gemm.ts and gemm-rows.ts share.

/** A product C = α·op(A)·op(B) + β·C on row-major Float32Arrays with leading dimensions, as BLAS `sgemm` takes it. */
export interface GemmArgs {
  readonly transA: boolean;
  readonly transB: boolean;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly alpha?: number;
  readonly a: Float32Array;
  readonly aOffset?: number;
  readonly lda: number;
  readonly b: Float32Array;
  readonly bOffset?: number;
  readonly ldb: number;
  /** 0 overwrites C, 1 accumulates into it. */
  readonly beta?: number;
  readonly c: Float32Array;
  readonly cOffset?: number;
  readonly ldc: number;
  /**
   * op(B) as `packB` made it from these `b`, `bOffset`, `ldb`, `transB`, `k` and `n`: a
   * product with the same B at every step (a recurrent kernel) packs it once. Packing
   * [256, 1024] took 0.7 of the 4.3 ms of a batch-32 step's product.
   */
  readonly packedB?: PackedB;
}

/**
 * op(B) packed for gemm: each 256-deep panel of it as 2-column panels, as gemm packs one
 * per call, then room for op(A)'s panel of a call (see `panelStore`): as many rows as
 * `packB` was told, which gemm grows for more.
 */
export interface PackedB {
  readonly transB: boolean;
  readonly k: number;
  readonly n: number;
  panels: Float64Array;
}

export const KC = 256; // k-panel: a 4×KC panel of A and a KC×2 panel of B stay in L1.
export const MR = 4; // rows of C in a tile
export const NR = 2; // columns of C in a tile

export const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

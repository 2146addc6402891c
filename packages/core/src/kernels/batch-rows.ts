/**
 * Splitting a kernel call by batch rows, for the backends' thread pools: a recurrence's
 * rows are independent, so each thread can run the whole sequence on its own rows. Each
 * share is copied out as a contiguous tensor of its own (`[rows, …]`, or `[T, rows, …]`
 * for time-major workspaces), so a kernel runs on it unchanged, and copied back.
 */

/** Row ranges `[first, rows]`, as equal as can be, the first ones a row longer; at most `threads`, none empty. */
export function rowShares(batch: number, threads: number): [number, number][] {
  const n = Math.max(1, Math.min(batch, threads));
  const base = Math.floor(batch / n);
  const ranges: [number, number][] = [];
  for (let i = 0, first = 0; i < n; i++) {
    const rows = base + (i < batch % n ? 1 : 0);
    ranges.push([first, rows]);
    first += rows;
  }
  return ranges;
}

/** Where a share's rows lie in a whole tensor: its shape, the batch axis, the rows, the bytes per element. */
export interface RowSlice {
  readonly shape: readonly number[];
  readonly axis: number;
  readonly rows: readonly [first: number, count: number];
  readonly bytes: number;
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Copies rows `slice.rows` of batch axis `slice.axis` between a whole tensor (`whole`
 * from byte `wholeAt`) and a contiguous share (`part` from byte `partAt`): `gather`
 * fills the share, `scatter` writes it back.
 */
export function copyRows(
  direction: 'gather' | 'scatter',
  whole: Uint8Array,
  wholeAt: number,
  part: Uint8Array,
  partAt: number,
  slice: RowSlice,
): void {
  const { shape, axis, bytes } = slice;
  const [first, rows] = slice.rows;
  const outer = product(shape.slice(0, axis));
  const batch = shape[axis] as number;
  const inner = product(shape.slice(axis + 1)) * bytes;
  const length = rows * inner;
  for (let o = 0; o < outer; o++) {
    const w = wholeAt + (o * batch + first) * inner;
    const p = partAt + o * length;
    if (direction === 'gather') part.set(whole.subarray(w, w + length), p);
    else whole.set(part.subarray(p, p + length), w);
  }
}

/** `total = parts[0] + parts[1] + …`, in that order, rounded to float32 at each addition: deterministic for a fixed split. */
export function sumInOrder(total: Float32Array, parts: readonly Float32Array[]): void {
  total.set(parts[0] as Float32Array);
  for (const part of parts.slice(1)) {
    for (let i = 0; i < total.length; i++) total[i] = (total[i] as number) + (part[i] as number);
  }
}

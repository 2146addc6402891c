/**
 * Σ x² of one float32 tensor for `RecurSumOfSquares` (core's `kernels/sum-of-squares.ts`):
 * each square rounded to float32, as tfjs' `Square` stores it, the sum accumulated in
 * float64, as tfjs' cpu `Sum` does. Four squares per lane group, added into two float64
 * pairs: the order of float64 additions differs from a plain loop by far less than the
 * float32 rounding the caller applies.
 */
export function sumOfSquares(x: usize, size: i32): f64 {
  let low = f64x2.splat(0);
  let high = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const v = v128.load(x + ((<usize>i) << 2));
    const squares = f32x4.mul(v, v);
    low = f64x2.add(low, f64x2.promote_low_f32x4(squares));
    high = f64x2.add(high, f64x2.promote_low_f32x4(v128.shuffle<f32>(squares, squares, 2, 3, 0, 1)));
  }
  let sum =
    f64x2.extract_lane(low, 0) + f64x2.extract_lane(low, 1) + f64x2.extract_lane(high, 0) + f64x2.extract_lane(high, 1);
  for (; i < size; i++) {
    const v = load<f32>(x + ((<usize>i) << 2));
    sum += <f64>(v * v);
  }
  return sum;
}

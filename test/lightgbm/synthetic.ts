import type { LabeledMatrix } from 'lightgbm-node-binding';

/** Seeded PRNG (mulberry32): uniform in [0, 1), same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw (Box-Muller) from a uniform source. */
export function gaussian(uniform: () => number): number {
  const u = 1 - uniform(); // (0, 1]: log(0) is -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
}

/**
 * `nRows` rows of `nCols` standard-normal features with `target(row, noise)` as label, where `noise` is a fresh
 * standard-normal draw per row.
 */
export function synthetic(
  seed: number,
  nRows: number,
  nCols: number,
  target: (row: Float64Array, noise: number) => number,
): LabeledMatrix & { x: Float64Array; y: Float64Array } {
  const uniform = mulberry32(seed);
  const x = new Float64Array(nRows * nCols);
  const y = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) {
    const row = x.subarray(r * nCols, (r + 1) * nCols);
    for (let c = 0; c < nCols; c++) row[c] = gaussian(uniform);
    y[r] = target(row, gaussian(uniform));
  }
  return { x, y, nRows, nCols };
}

/** Rows [from, to) of a matrix, sharing memory. */
export function rows<M extends LabeledMatrix & { x: Float64Array; y: Float64Array }>(m: M, from: number, to: number): M {
  return { ...m, x: m.x.subarray(from * m.nCols, to * m.nCols), y: m.y.subarray(from, to), nRows: to - from };
}

/** Coefficient of determination of `predicted` against `actual`. */
export function rSquared(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < actual.length; i++) mean += actual[i]!;
  mean /= actual.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    residual += (actual[i]! - predicted[i]!) ** 2;
    total += (actual[i]! - mean) ** 2;
  }
  return 1 - residual / total;
}

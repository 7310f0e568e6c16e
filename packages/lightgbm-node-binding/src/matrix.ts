import { invalidArgument } from './errors';

/**
 * A dense row-major feature matrix: value (row r, column c) is `x[r * nCols + c]`.
 * NaN means "missing" (LightGBM's default handling); ±Infinity is rejected.
 */
export interface FeatureMatrix {
  readonly x: Float64Array | Float32Array;
  readonly nRows: number;
  readonly nCols: number;
}

/** A feature matrix with one finite label per row. */
export interface LabeledMatrix extends FeatureMatrix {
  readonly y: ArrayLike<number>;
}

const INT32_MAX = 2 ** 31 - 1;

/** Checks the shape of a matrix and that no feature is ±Infinity (LightGBM would silently bin it as a huge value). */
export function checkFeatureMatrix(m: FeatureMatrix, where: string): void {
  if (!(m.x instanceof Float64Array) && !(m.x instanceof Float32Array)) {
    throw invalidArgument(where, 'x must be a Float64Array or Float32Array (row-major)');
  }
  checkDimension(m.nRows, 'nRows', where);
  checkDimension(m.nCols, 'nCols', where);
  if (m.x.length !== m.nRows * m.nCols) {
    throw invalidArgument(where, `x has ${m.x.length} values but nRows * nCols = ${m.nRows} * ${m.nCols} = ${m.nRows * m.nCols}`);
  }
  checkNoInfinity(m.x, m.nCols, where);
}

function checkDimension(value: number, name: string, where: string): void {
  if (value === 0) throw invalidArgument(where, `empty data: ${name} is 0`);
  if (!Number.isInteger(value) || value < 0 || value > INT32_MAX) {
    throw invalidArgument(where, `${name} must be a positive 32-bit integer, got ${value}`);
  }
}

/** Rejects ±Infinity, naming the first offending cell. */
export function checkNoInfinity(x: ArrayLike<number>, nCols: number, where: string): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v === Infinity || v === -Infinity) {
      throw invalidArgument(where, `feature value at row ${Math.floor(i / nCols)}, column ${i % nCols} is ${v}; use NaN for missing values`);
    }
  }
}

/** Converts labels to the float32 array LightGBM's `label` field takes, rejecting wrong length and non-finite values. */
export function labelsAsFloat32(y: ArrayLike<number>, nRows: number, where: string): Float32Array {
  if (y.length !== nRows) throw invalidArgument(where, `y has ${y.length} labels but nRows is ${nRows}`);
  const labels = y instanceof Float32Array ? y : Float32Array.from(y);
  for (let i = 0; i < labels.length; i++) {
    // Checked after conversion: a finite float64 beyond ±3.4e38 becomes Infinity as float32.
    if (!Number.isFinite(labels[i]!)) throw invalidArgument(where, `label at row ${i} is ${y[i]}; labels must be finite`);
  }
  return labels;
}

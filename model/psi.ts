/**
 * Population Stability Index for feature drift. The reference is built from a model's training rows and stored
 * (as JSON) with the model in the registry; live or recent rows are later compared against it.
 */
import { z } from 'zod';
import { FEATURE_NAMES, N_FEATURES } from './features';

export const PSI_BINS = 10;
/**
 * Floor on bin shares before the logarithm: an empty bin would otherwise give an infinite PSI. 1e-4 (0.01 %)
 * keeps one empty bin's contribution bounded (about 0.1 * ln(0.1 / 1e-4) = 0.69) while still flagging it.
 */
export const PSI_EPSILON = 1e-4;

/** Quantile bins of one feature. Bin i holds values in (cuts[i-1], cuts[i]]; the first and last bins are open. */
export interface FeatureBins {
  readonly feature: string;
  /** Strictly increasing cut points (at most PSI_BINS - 1; duplicates from ties are merged). */
  readonly cuts: number[];
  /** Share of the reference rows in each bin (cuts.length + 1 entries, summing to 1). */
  readonly expected: number[];
}

export interface FeatureReference {
  readonly version: 1;
  readonly nRows: number;
  readonly features: FeatureBins[];
}

export interface FeaturePsi {
  readonly feature: string;
  readonly psi: number;
}

const featureBinsSchema = z
  .object({ feature: z.string().min(1), cuts: z.array(z.number()), expected: z.array(z.number().min(0).max(1)) })
  .refine((b) => b.expected.length === b.cuts.length + 1, 'expected needs one share per bin (cuts.length + 1)')
  .refine((b) => b.cuts.every((c, i) => i === 0 || c > b.cuts[i - 1]!), 'cuts must be strictly increasing');

/** Validates a reference read back from storage. */
export const featureReferenceSchema = z.object({
  version: z.literal(1),
  nRows: z.number().int().positive(),
  features: z.array(featureBinsSchema).min(1),
});

/** Index of the bin holding x: the number of cuts strictly below x. */
function binOf(cuts: readonly number[], x: number): number {
  let bin = 0;
  while (bin < cuts.length && x > cuts[bin]!) bin++;
  return bin;
}

/** Quantile q of sorted values, linear interpolation between order statistics (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function column(matrix: Float64Array, nCols: number, col: number, what: string, name: string): Float64Array {
  const nRows = matrix.length / nCols;
  const values = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) {
    const x = matrix[r * nCols + col]!;
    if (!Number.isFinite(x)) throw new Error(`${what}: feature ${name} of row ${r} is not finite (${x})`);
    values[r] = x;
  }
  return values;
}

function checkShape(matrix: Float64Array, nCols: number, what: string): number {
  if (!Number.isInteger(nCols) || nCols < 1) throw new Error(`${what}: nCols must be a positive integer, got ${nCols}`);
  if (matrix.length % nCols !== 0) throw new Error(`${what}: ${matrix.length} values is not a whole number of rows of ${nCols}`);
  const nRows = matrix.length / nCols;
  if (nRows === 0) throw new Error(`${what}: no rows`);
  return nRows;
}

/**
 * Reference distribution of each column of a row-major matrix (the training rows): 9 cut points at the
 * 10 %..90 % quantiles and the share of rows per bin. Tied values can make cut points coincide; duplicates are
 * merged, giving fewer, unequal bins whose shares are still measured exactly on the reference rows.
 */
export function featureReference(features: Float64Array, nCols: number, names?: readonly string[]): FeatureReference {
  const nRows = checkShape(features, nCols, 'featureReference');
  const featureNames = names ?? (nCols === N_FEATURES ? FEATURE_NAMES : Array.from({ length: nCols }, (_, i) => `f${i}`));
  if (featureNames.length !== nCols) throw new Error(`featureReference: ${featureNames.length} names for ${nCols} columns`);

  const bins: FeatureBins[] = [];
  for (let col = 0; col < nCols; col++) {
    const name = featureNames[col]!;
    const values = column(features, nCols, col, 'featureReference', name);
    const sorted = values.slice().sort();
    const cuts: number[] = [];
    for (let k = 1; k < PSI_BINS; k++) {
      const cut = quantile(sorted, k / PSI_BINS);
      if (cuts.length === 0 || cut > cuts[cuts.length - 1]!) cuts.push(cut);
    }
    const counts = new Array<number>(cuts.length + 1).fill(0);
    for (const x of values) counts[binOf(cuts, x)]!++;
    bins.push({ feature: name, cuts, expected: counts.map((c) => c / nRows) });
  }
  return { version: 1, nRows, features: bins };
}

/** PSI = sum over bins of (actual - expected) * ln(actual / expected), both shares floored at PSI_EPSILON. */
export function psi(reference: FeatureBins, sample: Float64Array | readonly number[]): number {
  if (sample.length === 0) throw new Error(`psi(${reference.feature}): empty sample`);
  const counts = new Array<number>(reference.expected.length).fill(0);
  for (let i = 0; i < sample.length; i++) {
    const x = sample[i]!;
    if (!Number.isFinite(x)) throw new Error(`psi(${reference.feature}): sample value ${i} is not finite (${x})`);
    counts[binOf(reference.cuts, x)]!++;
  }
  let total = 0;
  for (let b = 0; b < counts.length; b++) {
    const actual = Math.max(counts[b]! / sample.length, PSI_EPSILON);
    const expected = Math.max(reference.expected[b]!, PSI_EPSILON);
    total += (actual - expected) * Math.log(actual / expected);
  }
  return total;
}

/** PSI of every referenced feature over a row-major sample matrix with the same columns. */
export function psiAll(reference: FeatureReference, sampleMatrix: Float64Array, nCols: number): FeaturePsi[] {
  checkShape(sampleMatrix, nCols, 'psiAll');
  if (nCols !== reference.features.length) {
    throw new Error(`psiAll: sample has ${nCols} columns, reference has ${reference.features.length} features`);
  }
  return reference.features.map((bins, col) => ({
    feature: bins.feature,
    psi: psi(bins, column(sampleMatrix, nCols, col, 'psiAll', bins.feature)),
  }));
}

/** The most drifted feature. */
export function maxPsi(results: readonly FeaturePsi[]): FeaturePsi {
  if (results.length === 0) throw new Error('maxPsi: no results');
  let worst = results[0]!;
  for (const r of results) if (r.psi > worst.psi) worst = r;
  return worst;
}

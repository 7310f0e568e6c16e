/**
 * Training-set construction of docs/features.md "Training window and split": which rows a model trained at
 * time T may see, and the purged time-ordered train/validation split.
 */
import { BAR_MS, type Bar } from '../domain/bars';
import { N_FEATURES, WARMUP_BARS } from './features';

/** The window cannot give a valid training set (too short, gaps, bad arguments): retrying cannot help. */
export class TrainingSetError extends Error {
  override name = 'TrainingSetError';
}

export interface TrainingSetInput {
  /** Contiguous history; bars[0] is where the features' history starts (index < WARMUP_BARS is warm-up). */
  readonly bars: readonly Bar[];
  /** computeFeatureMatrix(bars): bars.length x N_FEATURES, row-major. */
  readonly features: Float64Array;
  /** Training time T (Unix ms): nothing that is not known at T may be used. */
  readonly trainEnd: number;
  /** Window W (ms): rows whose bar opened in [T - W, T). */
  readonly windowMs: number;
  /** Prediction horizon H in bars (minutes). */
  readonly horizon: number;
  /** Share of the rows, at the end, used for validation (default 0.2). */
  readonly validationFraction?: number;
  /** Minimum training rows after the purge (default 100); fewer is an error. */
  readonly minTrainRows?: number;
  /** Minimum validation rows (default 20); fewer is an error. */
  readonly minValidRows?: number;
}

/** Open times of the first and last row of a part (both inclusive). */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export interface TrainingSet {
  /** nTrain x nCols, row-major. */
  readonly xTrain: Float64Array;
  readonly yTrain: Float64Array;
  readonly nTrain: number;
  /** nValid x nCols, row-major. */
  readonly xValid: Float64Array;
  readonly yValid: Float64Array;
  readonly nValid: number;
  readonly nCols: typeof N_FEATURES;
  readonly trainRange: TimeRange;
  readonly validRange: TimeRange;
  /** Rows dropped between the two parts (= horizon) so no training target reaches into validation. */
  readonly nPurged: number;
}

/**
 * Builds the training and validation parts for a model trained at T = trainEnd.
 *
 * Row t qualifies when
 * - t >= WARMUP_BARS (index in the contiguous history starting at bars[0]);
 * - its bar opened in [T - W, T);
 * - its target y_t = c_{t+H} / c_t - 1 is known at T: c_{t+H} is the close of the bar opening at
 *   openTime_t + H * BAR_MS, which is known once that bar has closed, at openTime_t + (H + 1) * BAR_MS.
 *   So the condition is openTime_t + (H + 1) * BAR_MS <= T (and bar t+H must be in `bars`).
 *
 * The qualifying rows, in time order, are split: the first floor(N * (1 - validationFraction)) form the
 * training part and the rest validate. The last H rows of the training part are dropped: training row t's
 * target spans closes c_t .. c_{t+H}, so with validation starting at row s, the last kept training row s-H-1
 * has its target end at c_{s-1}, before any validation bar.
 */
export function buildTrainingSet(input: TrainingSetInput): TrainingSet {
  const { bars, features, trainEnd: T, windowMs: W, horizon: H } = input;
  const validationFraction = input.validationFraction ?? 0.2;
  // At least one row each, whatever the caller asks: an empty part cannot train or validate.
  const minTrainRows = Math.max(1, input.minTrainRows ?? 100);
  const minValidRows = Math.max(1, input.minValidRows ?? 20);

  if (!Number.isInteger(H) || H < 1) throw new TrainingSetError(`horizon must be a positive integer number of bars, got ${H}`);
  if (!Number.isFinite(T)) throw new TrainingSetError(`trainEnd must be a finite Unix ms time, got ${T}`);
  if (!Number.isFinite(W) || W <= 0) throw new TrainingSetError(`windowMs must be > 0, got ${W}`);
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new TrainingSetError(`validationFraction must be in (0, 1), got ${validationFraction}`);
  }
  if (features.length !== bars.length * N_FEATURES) {
    throw new TrainingSetError(`features hold ${features.length} values, expected ${bars.length} bars x ${N_FEATURES} = ${bars.length * N_FEATURES}`);
  }

  // Qualifying rows are one contiguous index range [first, last] of a contiguous history.
  let first = -1;
  let last = -1;
  for (let t = WARMUP_BARS; t + H < bars.length; t++) {
    const open = bars[t]!.openTime;
    if (open < T - W) continue;
    if (open + (H + 1) * BAR_MS > T) break;
    if (first < 0) first = t;
    last = t;
  }
  // Every row's features rely on the history from bars[0]; every target on bars up to t + H.
  const lastNeeded = last >= 0 ? last + H : Math.min(bars.length - 1, WARMUP_BARS);
  for (let i = 1; i <= lastNeeded; i++) {
    const expected = bars[i - 1]!.openTime + BAR_MS;
    if (bars[i]!.openTime !== expected) {
      throw new TrainingSetError(
        `Bars are not contiguous: bar ${i} opens at ${bars[i]!.openTime}, expected ${expected}` +
          ` (${(bars[i]!.openTime - expected) / BAR_MS} minutes missing or misordered)`,
      );
    }
  }

  const nRows = first < 0 ? 0 : last - first + 1;
  // The tiny epsilon keeps e.g. 10 * (1 - 0.3) = 6.9999999999999996 from flooring to 6.
  const nTrainPart = Math.floor(nRows * (1 - validationFraction) + 1e-9);
  const nValid = nRows - nTrainPart;
  const nTrain = Math.max(0, nTrainPart - H);
  if (nTrain < minTrainRows || nValid < minValidRows) {
    throw new TrainingSetError(
      `Training window too short: ${nRows} usable rows in [${T - W}, ${T}) with horizon ${H}` +
        ` (history of ${bars.length} bars, ${WARMUP_BARS} warm-up) give ${nTrain} training rows after purging ${H}` +
        ` (need >= ${minTrainRows}) and ${nValid} validation rows (need >= ${minValidRows})`,
    );
  }

  const validStart = first + nTrainPart;
  const part = (from: number, n: number): { x: Float64Array; y: Float64Array } => {
    const x = features.slice(from * N_FEATURES, (from + n) * N_FEATURES);
    const y = new Float64Array(n);
    for (let k = 0; k < n; k++) y[k] = bars[from + k + H]!.close / bars[from + k]!.close - 1;
    for (let k = 0; k < x.length; k++) {
      if (!Number.isFinite(x[k])) {
        throw new TrainingSetError(`Feature ${k % N_FEATURES} of the row opening at ${bars[from + Math.floor(k / N_FEATURES)]!.openTime} is not finite`);
      }
    }
    return { x, y };
  };
  const train = part(first, nTrain);
  const valid = part(validStart, nValid);

  return {
    xTrain: train.x,
    yTrain: train.y,
    nTrain,
    xValid: valid.x,
    yValid: valid.y,
    nValid,
    nCols: N_FEATURES,
    trainRange: { from: bars[first]!.openTime, to: bars[first + nTrain - 1]!.openTime },
    validRange: { from: bars[validStart]!.openTime, to: bars[last]!.openTime },
    nPurged: nTrainPart - nTrain,
  };
}

/**
 * The 19 model features of docs/features.md, computed for each closed 1-minute bar from that bar and
 * earlier ones only. One engine serves every caller: `computeFeatureMatrix` (backtest, retraining) literally
 * drives the same incremental `FeatureEngine` as `FeatureStream` (live), so both forms agree bit for bit.
 *
 * Features depend on where the history starts: EMAs are seeded with the first close and RSI averages with
 * the first difference. Live trading and a backtest therefore give identical features for a bar only when
 * their histories start at the same bar; the 120-bar warm-up makes the difference negligible otherwise.
 */
import { BAR_MS, type Bar } from '../domain/bars';
import { FeatureEngine } from './feature-engine';
import { N_FEATURES } from './feature-spec';

// The entry point callers import from: the constants, the batch form and the targets here, the live form re-exported.
export { FEATURE_NAMES, N_FEATURES, WARMUP_BARS, type FeatureName } from './feature-spec';
export { FeatureStream, type FeatureStreamState } from './feature-stream';

/**
 * Features of every bar of a contiguous history that starts at bars[0]: row-major, bars.length x N_FEATURES
 * (row i at [i * 19, (i + 1) * 19)). Rows 0..WARMUP_BARS-1 are computed (finite) but are warm-up and must not
 * be used for training, prediction or trading. Throws on a gap or an invalid bar. O(n).
 */
export function computeFeatureMatrix(bars: readonly Bar[]): Float64Array {
  const out = new Float64Array(bars.length * N_FEATURES);
  const engine = new FeatureEngine();
  for (let i = 0; i < bars.length; i++) engine.step(bars[i]!, out, i * N_FEATURES);
  return out;
}

/**
 * Targets y_t = c_{t+H} / c_t - 1 over a contiguous history; NaN for the last H bars, whose target is unknown.
 */
export function forwardReturns(bars: readonly Bar[], horizon: number): Float64Array {
  if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`horizon must be a positive integer number of bars, got ${horizon}`);
  const y = new Float64Array(bars.length).fill(NaN);
  for (let i = 1; i < bars.length; i++) {
    if (bars[i]!.openTime !== bars[i - 1]!.openTime + BAR_MS) {
      throw new Error(`forwardReturns needs contiguous bars: bar ${i} opens at ${bars[i]!.openTime}, expected ${bars[i - 1]!.openTime + BAR_MS}`);
    }
  }
  for (let i = 0; i + horizon < bars.length; i++) y[i] = bars[i + horizon]!.close / bars[i]!.close - 1;
  return y;
}

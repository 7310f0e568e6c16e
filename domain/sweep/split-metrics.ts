/**
 * The out-of-sample guard's figures. A combination is ONE continuous simulation over the whole test period; its
 * equity is cut at the split time: in-sample figures are the metrics of the curve up to the split, held-out ones of
 * the curve from the split on (starting from the equity reached there, no capital reset). Trades are counted in
 * the part that holds their whole life: in-sample when they exited before the split, held-out when they entered
 * at or after it; a trade open across the split moves both parts' equity but counts in neither's trade figures.
 */
import type { EquityPoint, TradeOutcome, PerformanceMetrics } from '../trading';
import { performanceMetrics } from '../trading';

export interface SplitMetrics {
  readonly whole: PerformanceMetrics;
  readonly inSample: PerformanceMetrics;
  readonly heldOut: PerformanceMetrics;
}

/** The split time: the test start plus the in-sample share of the test's whole minutes. */
export function splitTime(testFrom: number, testTo: number, holdoutFraction: number): number {
  if (!(holdoutFraction > 0 && holdoutFraction < 1)) throw new Error(`holdout fraction must be in (0, 1) (got ${holdoutFraction})`);
  const minutes = Math.round((testTo - testFrom) / 60_000);
  const inSample = Math.round(minutes * (1 - holdoutFraction));
  if (inSample < 1 || inSample >= minutes) throw new Error(`a ${minutes}-minute test cannot be split with holdout fraction ${holdoutFraction}`);
  return testFrom + inSample * 60_000;
}

/**
 * `equity` as recorded (T0 first, then one point per bar close stamped with the close time); `split` a bar's open
 * time inside the test. The point stamped `split` (the close of the last in-sample bar) ends one part and starts the other.
 */
export function splitMetrics(equity: readonly EquityPoint[], trades: readonly TradeOutcome[], split: number): SplitMetrics {
  const before = equity.filter((p) => p.openTime <= split).map((p) => p.equity);
  const after = equity.filter((p) => p.openTime >= split).map((p) => p.equity);
  if (before.length < 2 || after.length < 2) throw new Error(`split time ${split} leaves a part without bars`);
  return {
    whole: performanceMetrics(
      equity.map((p) => p.equity),
      trades,
    ),
    inSample: performanceMetrics(
      before,
      trades.filter((t) => t.exitTime < split),
    ),
    heldOut: performanceMetrics(
      after,
      trades.filter((t) => t.entryTime >= split),
    ),
  };
}

/**
 * Time rules of the stored 1-minute series, decided on the exchange's clock: which bars are closed, where the
 * rolling window starts, and which minutes of it are missing.
 */
import { BAR_MS } from '../domain/bars';

const HOUR_MS = 3_600_000;

/**
 * Open time of the last closed bar at exchange time `now`. A kline is closed once its open time + 1 minute is
 * <= now; the bar in progress (opened at floor(now)) is never closed, even at its last millisecond.
 */
export function lastClosedOpenTime(now: number): number {
  return Math.floor(now / BAR_MS) * BAR_MS - BAR_MS;
}

/**
 * First open time of the rolling window of `historyHours` ending at `now`: with `now` on a minute boundary
 * the window holds exactly historyHours x 60 closed bars (2 h -> 120).
 */
export function historyStart(now: number, historyHours: number): number {
  if (!(historyHours > 0) || !Number.isFinite(historyHours)) throw new Error(`historyHours must be a positive number of hours, got ${historyHours}`);
  return Math.floor((now - historyHours * HOUR_MS) / BAR_MS) * BAR_MS;
}

/** An inclusive range of bar open times [from, to]. */
export interface BarRange {
  readonly from: number;
  readonly to: number;
}

/**
 * The runs of minutes in [from, to] (inclusive, minute-aligned) absent from `stored` (ascending open times,
 * may extend beyond the range).
 */
export function missingRanges(stored: readonly number[], from: number, to: number): BarRange[] {
  const ranges: BarRange[] = [];
  let next = from;
  for (const t of stored) {
    if (t < next) continue;
    if (t > to) break;
    if (t > next) ranges.push({ from: next, to: t - BAR_MS });
    next = t + BAR_MS;
  }
  if (next <= to) ranges.push({ from: next, to });
  return ranges;
}

/** One closed 1-minute kline. Times are Unix milliseconds UTC (start of the minute). */
export interface Bar {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export const BAR_MS = 60_000;
export const DAY_MS = 86_400_000;

/** UTC day index of a timestamp; the kill switch resets when it changes. */
export function utcDay(timeMs: number): number {
  return Math.floor(timeMs / DAY_MS);
}

/** A run of missing minutes in a series: `from` is the first missing open time, `count` bars are absent. */
export interface Gap {
  readonly from: number;
  readonly count: number;
}

/** Gaps in an ascending series of bars (duplicates must have been rejected before). */
export function findGaps(bars: readonly Bar[]): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < bars.length; i++) {
    const prev = bars[i - 1]!.openTime;
    const cur = bars[i]!.openTime;
    if (cur - prev > BAR_MS) gaps.push({ from: prev + BAR_MS, count: (cur - prev) / BAR_MS - 1 });
  }
  return gaps;
}

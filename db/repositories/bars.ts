/**
 * Market data: the `bars` table, keyed by (market, symbol, minute). Readers get domain Bars in ascending time;
 * the one writer, writeBars (bar-writes.ts), never replaces a stored bar by different values unless asked to.
 */
import { and, asc, count, eq, gt, gte, lt, max, min, type SQL } from 'drizzle-orm';
import type { Bar } from '../../domain/bars';
import type { SeriesKey } from '../../domain/markets';
import type { Executor } from '../client';
import { bars } from '../schema';

export { BAR_CHUNK_SIZE, writeBars, type BarConflict, type WriteBarsOptions, type WriteBarsResult } from './bar-writes';

/** The rows of one series. */
export function seriesWhere(series: SeriesKey): SQL {
  return and(eq(bars.market, series.market), eq(bars.symbol, series.symbol))!;
}

/** Bars of `series` opening in [from, to), ascending. */
export async function loadBars(db: Executor, series: SeriesKey, from: number, to: number): Promise<Bar[]> {
  return db
    .select({
      openTime: bars.openTime,
      open: bars.open,
      high: bars.high,
      low: bars.low,
      close: bars.close,
      volume: bars.volume,
    })
    .from(bars)
    .where(and(seriesWhere(series), gte(bars.openTime, from), lt(bars.openTime, to)))
    .orderBy(asc(bars.openTime));
}

export interface BarRange {
  /** Open time of the first and the last stored bar. */
  readonly first: number;
  readonly last: number;
  readonly count: number;
}

/** Extent of the stored history of `series`; null when it has none. `count` below the span means gaps. */
export async function barRange(db: Executor, series: SeriesKey): Promise<BarRange | null> {
  const [row] = await db
    .select({ first: min(bars.openTime), last: max(bars.openTime), count: count() })
    .from(bars)
    .where(seriesWhere(series));
  if (row === undefined || row.first === null || row.last === null) return null;
  return { first: row.first, last: row.last, count: row.count };
}

/** Markets holding bars of `symbol`, in name order (where a user's data is when it is not where they looked). */
export async function marketsWithBars(db: Executor, symbol: string): Promise<string[]> {
  const rows = await db.selectDistinct({ market: bars.market }).from(bars).where(eq(bars.symbol, symbol)).orderBy(asc(bars.market));
  return rows.map((r) => r.market);
}

/** Stored bars of `series` opening after `openTime`: how late a bar handed over now is (in bars). */
export async function countBarsAfter(db: Executor, series: SeriesKey, openTime: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(bars)
    .where(and(seriesWhere(series), gt(bars.openTime, openTime)));
  return row?.n ?? 0;
}

/**
 * Reads of a shadow evaluation: a challenger's predictions beside the champion's, and the closes that give the
 * realised returns of the bars they predicted.
 */
import { and, asc, count, eq, gte, inArray, lt } from 'drizzle-orm';
import type { SeriesKey } from '../../domain/markets';
import type { Executor } from '../client';
import { seriesWhere } from './bars';
import { bars, predictions, type PredictionRole } from '../schema';

/** Open times of the first `limit` bars a model predicted in `role` from `from` on, ascending, and the total. */
export async function firstPredictionTimes(
  db: Executor,
  q: { readonly symbol: string; readonly modelVersion: string; readonly role: PredictionRole; readonly from: number; readonly limit: number },
): Promise<{ readonly times: number[]; readonly total: number }> {
  const where = and(
    eq(predictions.symbol, q.symbol),
    eq(predictions.modelVersion, q.modelVersion),
    eq(predictions.role, q.role),
    gte(predictions.openTime, q.from),
  );
  const rows = await db.select({ openTime: predictions.openTime }).from(predictions).where(where).orderBy(asc(predictions.openTime)).limit(q.limit);
  const [total] = await db.select({ n: count() }).from(predictions).where(where);
  return { times: rows.map((r) => r.openTime), total: total?.n ?? 0 };
}

/** How many of the given bar open times of `series` are stored. */
export async function countStoredBars(db: Executor, series: SeriesKey, openTimes: readonly number[]): Promise<number> {
  if (openTimes.length === 0) return 0;
  const [row] = await db
    .select({ n: count() })
    .from(bars)
    .where(and(seriesWhere(series), inArray(bars.openTime, [...openTimes])));
  return row?.n ?? 0;
}

/** Closes of the bars of `series` opening in [from, to), ascending. */
export async function loadCloses(db: Executor, series: SeriesKey, from: number, to: number): Promise<{ openTime: number; value: number }[]> {
  return db
    .select({ openTime: bars.openTime, value: bars.close })
    .from(bars)
    .where(and(seriesWhere(series), gte(bars.openTime, from), lt(bars.openTime, to)))
    .orderBy(asc(bars.openTime));
}

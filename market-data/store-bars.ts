/**
 * The market-data write path: store closed bars (idempotent: a replayed page or a retried activity changes
 * nothing), then announce them on `bars_closed`. The stream's only source is the exchange of its own market, so a
 * later answer of that exchange for a stored minute is taken as a correction (replace). Bars are never deleted
 * here: the stream only guarantees the rolling window it backfills; retention is a database concern.
 */
import { and, asc, gte, lte } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Database } from '../db/client';
import { seriesWhere, writeBars } from '../db/repositories/bars';
import { bars } from '../db/schema';
import type { Bar } from '../domain/bars';
import type { SeriesKey } from '../domain/markets';
import { notifyBarsClosed } from './bar-notifications';

export interface BarStore {
  readonly db: Database;
  /** The postgres.js client behind `db` (NOTIFY). */
  readonly sql: postgres.Sql;
}

/** Writes ascending closed bars of `series` and notifies each; returns how many rows were new. */
export async function storeClosedBars(store: BarStore, series: SeriesKey, closed: readonly Bar[], source: string): Promise<number> {
  if (closed.length === 0) return 0;
  const { inserted } = await writeBars(store.db, series, closed, source, { replace: true });
  await notifyBarsClosed(
    store.sql,
    series,
    closed.map((b) => b.openTime),
  );
  return inserted;
}

/** Open times of the stored bars of `series` in [from, to] (inclusive), ascending: what a backfill can skip. */
export async function storedOpenTimes(db: Database, series: SeriesKey, from: number, to: number): Promise<number[]> {
  const rows = await db
    .select({ openTime: bars.openTime })
    .from(bars)
    .where(and(seriesWhere(series), gte(bars.openTime, from), lte(bars.openTime, to)))
    .orderBy(asc(bars.openTime));
  return rows.map((r) => r.openTime);
}

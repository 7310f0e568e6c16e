/**
 * The market-data write path: upsert closed bars (idempotent: a replayed page or a retried activity changes
 * nothing), then announce them on `bars_closed`. Bars are never deleted here: the stream only guarantees the
 * rolling window it backfills, and how long older history is kept is a database retention concern.
 */
import { and, asc, eq, gte, lte } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Database } from '../db/client';
import { upsertBars } from '../db/repositories/bars';
import { bars } from '../db/schema';
import type { Bar } from '../domain/bars';
import { notifyBarsClosed } from './bar-notifications';

export interface BarStore {
  readonly db: Database;
  /** The postgres.js client behind `db` (NOTIFY). */
  readonly sql: postgres.Sql;
}

/** Writes ascending closed bars of `symbol` and notifies each; returns how many rows were new. */
export async function storeClosedBars(store: BarStore, symbol: string, closed: readonly Bar[], source: string): Promise<number> {
  if (closed.length === 0) return 0;
  const { inserted } = await upsertBars(store.db, symbol, closed, source);
  await notifyBarsClosed(
    store.sql,
    symbol,
    closed.map((b) => b.openTime),
  );
  return inserted;
}

/** Open times of the stored bars of `symbol` in [from, to] (inclusive), ascending: what a backfill can skip. */
export async function storedOpenTimes(db: Database, symbol: string, from: number, to: number): Promise<number[]> {
  const rows = await db
    .select({ openTime: bars.openTime })
    .from(bars)
    .where(and(eq(bars.symbol, symbol), gte(bars.openTime, from), lte(bars.openTime, to)))
    .orderBy(asc(bars.openTime));
  return rows.map((r) => r.openTime);
}

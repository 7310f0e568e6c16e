/**
 * Equity at every bar close of the live and paper bot (`equity_snapshots`).
 */
import { and, asc, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { equitySnapshots, type EquitySnapshotRow, type NewEquitySnapshotRow, type TradingMode } from '../schema';
import { chunks } from './chunks';

// 7 parameters per row.
const CHUNK_SIZE = 5_000;

/** Writes snapshots; the snapshot of an existing (symbol, mode, open_time) is replaced by the new one. */
export async function upsertEquitySnapshots(db: Executor, rows: readonly NewEquitySnapshotRow[]): Promise<void> {
  for (const chunk of chunks(rows, CHUNK_SIZE)) {
    await db
      .insert(equitySnapshots)
      .values(chunk)
      .onConflictDoUpdate({
        target: [equitySnapshots.symbol, equitySnapshots.mode, equitySnapshots.openTime],
        set: {
          equity: sql`excluded.equity`,
          cash: sql`excluded.cash`,
          positionSide: sql`excluded.position_side`,
          positionQty: sql`excluded.position_qty`,
        },
      });
  }
}

/** Snapshots of bars opening in [from, to), ascending. */
export async function loadEquity(db: Executor, symbol: string, mode: TradingMode, from: number, to: number): Promise<EquitySnapshotRow[]> {
  return db
    .select()
    .from(equitySnapshots)
    .where(and(eq(equitySnapshots.symbol, symbol), eq(equitySnapshots.mode, mode), gte(equitySnapshots.openTime, from), lt(equitySnapshots.openTime, to)))
    .orderBy(asc(equitySnapshots.openTime));
}

/** The most recent snapshot (e.g. to restore the day's opening equity after a restart), or null. */
export async function latestEquity(db: Executor, symbol: string, mode: TradingMode): Promise<EquitySnapshotRow | null> {
  const [row] = await db
    .select()
    .from(equitySnapshots)
    .where(and(eq(equitySnapshots.symbol, symbol), eq(equitySnapshots.mode, mode)))
    .orderBy(desc(equitySnapshots.openTime))
    .limit(1);
  return row ?? null;
}

/**
 * Backtest runs and their trades. Every write is idempotent, so a retried activity repeats it harmlessly.
 */
import { asc, eq } from 'drizzle-orm';
import type { Executor } from '../client';
import {
  backtestRuns,
  backtestTrades,
  type BacktestRunRow,
  type BacktestTradeRow,
  type JsonObject,
  type NewBacktestTradeRow,
} from '../schema';
import { chunks } from './chunks';

export interface CreateRunInput {
  readonly runId: string;
  readonly symbol: string;
  readonly startedAt: number;
  readonly config: JsonObject;
  readonly dataRef: string;
  readonly dataRange?: JsonObject;
}

/** Registers a running backtest; returns false when the run already exists (a retry), leaving it untouched. */
export async function createRun(db: Executor, input: CreateRunInput): Promise<boolean> {
  const created = await db
    .insert(backtestRuns)
    .values({ ...input, status: 'running' })
    .onConflictDoNothing({ target: backtestRuns.runId })
    .returning({ runId: backtestRuns.runId });
  return created.length === 1;
}

async function updateRun(db: Executor, runId: string, set: Partial<typeof backtestRuns.$inferInsert>): Promise<void> {
  const updated = await db.update(backtestRuns).set(set).where(eq(backtestRuns.runId, runId)).returning({ runId: backtestRuns.runId });
  if (updated.length === 0) throw new Error(`backtest run ${runId} does not exist (createRun first)`);
}

export async function finishRun(db: Executor, runId: string, result: { finishedAt: number; summary: JsonObject; dataRange?: JsonObject }): Promise<void> {
  await updateRun(db, runId, { status: 'completed', error: null, ...result });
}

export async function failRun(db: Executor, runId: string, failure: { finishedAt: number; error: string }): Promise<void> {
  await updateRun(db, runId, { status: 'failed', ...failure });
}

export async function getRun(db: Executor, runId: string): Promise<BacktestRunRow | null> {
  const [row] = await db.select().from(backtestRuns).where(eq(backtestRuns.runId, runId));
  return row ?? null;
}

/** A trade of a run; `seq` is its 0-based position in the run and makes the insert idempotent. */
export type BacktestTradeInput = Omit<NewBacktestTradeRow, 'runId'>;

// 13 parameters per trade: 2,000 rows stay far below PostgreSQL's 65,535.
const TRADE_CHUNK_SIZE = 2_000;

/** Inserts the trades of a run; rows whose (run_id, seq) exists are skipped. Returns how many were new. */
export async function insertTrades(db: Executor, runId: string, trades: readonly BacktestTradeInput[]): Promise<number> {
  let inserted = 0;
  for (const chunk of chunks(trades, TRADE_CHUNK_SIZE)) {
    const rows = await db
      .insert(backtestTrades)
      .values(chunk.map((t) => ({ ...t, runId })))
      .onConflictDoNothing({ target: [backtestTrades.runId, backtestTrades.seq] })
      .returning({ seq: backtestTrades.seq });
    inserted += rows.length;
  }
  return inserted;
}

export async function listTrades(db: Executor, runId: string): Promise<BacktestTradeRow[]> {
  return db.select().from(backtestTrades).where(eq(backtestTrades.runId, runId)).orderBy(asc(backtestTrades.seq));
}

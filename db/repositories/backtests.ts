/**
 * Backtest runs and their trades. Every write is idempotent, so a retried activity repeats it harmlessly.
 */
import { asc, desc, eq } from 'drizzle-orm';
import type { Executor } from '../client';
import { backtestRuns, backtestTrades, type BacktestRunRow, type BacktestTradeRow, type JsonObject, type NewBacktestTradeRow } from '../schema';
import { chunks } from './chunks';

export interface CreateRunInput {
  readonly runId: string;
  readonly symbol: string;
  readonly startedAt: number;
  readonly config: JsonObject;
  readonly dataRef: string;
  readonly dataRange?: JsonObject;
  readonly workflowId?: string;
  readonly workflowRunId?: string;
  readonly outDir?: string;
}

/** The run id is taken by another run (another workflow execution wrote its row). */
export class RunIdTakenError extends Error {
  override name = 'RunIdTakenError';
}

/**
 * Registers a running backtest; returns false when this same workflow execution registered it before (a retry).
 * A row of any other execution is never touched: its results would mix with this run's.
 */
export async function createRun(db: Executor, input: CreateRunInput): Promise<boolean> {
  const created = await db
    .insert(backtestRuns)
    .values({ ...input, status: 'running' })
    .onConflictDoNothing({ target: backtestRuns.runId })
    .returning({ runId: backtestRuns.runId });
  if (created.length === 1) return true;
  const existing = await getRun(db, input.runId);
  if (input.workflowRunId !== undefined && existing?.workflowRunId !== input.workflowRunId) {
    throw new RunIdTakenError(
      `Backtest run id ${input.runId} already exists (status ${existing?.status}, started ${new Date(existing?.startedAt ?? 0).toISOString()}); choose another --run-id, or --force to replace it`,
    );
  }
  return false;
}

export async function cancelRun(db: Executor, runId: string, at: number): Promise<void> {
  await updateRun(db, runId, { status: 'cancelled', finishedAt: at, error: 'cancelled' });
}

/** Newest first. */
export async function listRuns(db: Executor, limit = 50): Promise<BacktestRunRow[]> {
  return db.select().from(backtestRuns).orderBy(desc(backtestRuns.startedAt)).limit(limit);
}

/** Removes a run with its trades, segments and equity (foreign keys cascade). Returns false when there was none. */
export async function deleteRun(db: Executor, runId: string): Promise<boolean> {
  const deleted = await db.delete(backtestRuns).where(eq(backtestRuns.runId, runId)).returning({ runId: backtestRuns.runId });
  return deleted.length === 1;
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

/**
 * A trade of a run; `seq` is its 0-based position in the run and makes the insert idempotent. Its funding is required
 * (the column's default 0 is for rows stored before it existed), so no writer can drop what a trade paid.
 */
export type BacktestTradeInput = Omit<NewBacktestTradeRow, 'runId' | 'funding'> & { readonly funding: number };

// 14 parameters per trade: 2,000 rows stay far below PostgreSQL's 65,535.
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

/** The sweeps read model: one row per sweep, one per combination. Idempotent writes (retried activities). */
import { asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import type { JsonObject } from '../schema';
import { sweepResults, sweeps, type SweepResultRow, type SweepRow } from '../sweep-schema';

export type NewSweep = Omit<SweepRow, 'status' | 'finishedAt'>;
export type NewSweepResult = SweepResultRow;

/** A sweep restarted under the same id keeps its first row (its start time), like a retried activity. */
export async function registerSweep(db: Executor, row: NewSweep): Promise<void> {
  await db.insert(sweeps).values(row).onConflictDoNothing();
}

export async function finishSweepRow(db: Executor, sweepId: string, status: 'completed' | 'failed' | 'cancelled', finishedAt: number): Promise<void> {
  await db.update(sweeps).set({ status, finishedAt }).where(eq(sweeps.sweepId, sweepId));
}

/** Replaces the sweep's result rows in one transaction (ranks are only known once every group is done). */
export async function storeSweepResults(db: Executor, sweepId: string, rows: readonly NewSweepResult[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(sweepResults).where(eq(sweepResults.sweepId, sweepId));
    for (let i = 0; i < rows.length; i += 500) await tx.insert(sweepResults).values(rows.slice(i, i + 500));
  });
}

export async function getSweep(db: Executor, sweepId: string): Promise<SweepRow | undefined> {
  const rows = await db.select().from(sweeps).where(eq(sweeps.sweepId, sweepId));
  return rows[0];
}

export async function listSweepResults(db: Executor, sweepId: string, limit = 1_000_000): Promise<SweepResultRow[]> {
  return db.select().from(sweepResults).where(eq(sweepResults.sweepId, sweepId)).orderBy(asc(sweepResults.rank)).limit(limit);
}

export async function countSweepResults(db: Executor, sweepId: string): Promise<number> {
  const rows = await db
    .select({ n: sql<string>`count(*)` })
    .from(sweepResults)
    .where(eq(sweepResults.sweepId, sweepId));
  return Number(rows[0]?.n ?? 0);
}

export function asJson(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

/**
 * Retraining history (`retrain_events`): one row per RetrainWorkflow, written when it starts and when it ends.
 * Both writes are keyed by the event id, so a retried activity leaves the same row.
 */
import { desc, eq } from 'drizzle-orm';
import type { Executor } from '../client';
import { retrainEvents, type NewRetrainEventRow, type RetrainEventRow } from '../schema';

/** Records a started retrain; a row with that id already there (a retried start) is kept as it is. */
export async function insertRetrainEvent(db: Executor, row: NewRetrainEventRow): Promise<void> {
  await db.insert(retrainEvents).values(row).onConflictDoNothing({ target: retrainEvents.id });
}

/** Writes the final state of a retrain: inserts the row if its start was never recorded, else overwrites it. */
export async function finishRetrainEvent(db: Executor, row: NewRetrainEventRow & Required<Pick<NewRetrainEventRow, 'finishedAt' | 'outcome'>>): Promise<void> {
  const { id: _id, ...rest } = row;
  await db.insert(retrainEvents).values(row).onConflictDoUpdate({ target: retrainEvents.id, set: rest });
}

export async function getRetrainEvent(db: Executor, id: string): Promise<RetrainEventRow | null> {
  const [row] = await db.select().from(retrainEvents).where(eq(retrainEvents.id, id));
  return row ?? null;
}

/** A symbol's retrains, newest first (default 20). */
export async function listRetrainEvents(db: Executor, symbol: string, limit = 20): Promise<RetrainEventRow[]> {
  return db.select().from(retrainEvents).where(eq(retrainEvents.symbol, symbol)).orderBy(desc(retrainEvents.startedAt)).limit(limit);
}

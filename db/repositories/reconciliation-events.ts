/**
 * Reconciliation history (`reconciliation_events`): the checks that found a difference and the operator's
 * resolutions, keyed by workflow, bar and kind, so a retried activity leaves the row it wrote.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Executor } from '../client';
import { reconciliationEvents, type NewReconciliationEventRow, type ReconciliationEventRow } from '../schema';

export async function insertReconciliationEvent(db: Executor, row: NewReconciliationEventRow): Promise<void> {
  await db.insert(reconciliationEvents).values(row).onConflictDoNothing();
}

/** A symbol's events of one mode, newest first (default 20). */
export async function listReconciliationEvents(db: Executor, symbol: string, mode: 'paper' | 'live', limit = 20): Promise<ReconciliationEventRow[]> {
  return db
    .select()
    .from(reconciliationEvents)
    .where(and(eq(reconciliationEvents.symbol, symbol), eq(reconciliationEvents.mode, mode)))
    .orderBy(desc(reconciliationEvents.barTime), desc(reconciliationEvents.recordedAt))
    .limit(limit);
}

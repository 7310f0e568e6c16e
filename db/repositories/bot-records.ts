/**
 * What a bot records per bar: its decision and the round trips that bar closed. Both are written once and never
 * changed: a retried activity (same keys) leaves the first row in place.
 */
import type { Executor } from '../client';
import { decisions, trades, type NewDecisionRow, type NewTradeRow } from '../schema';

export async function insertDecision(db: Executor, row: NewDecisionRow): Promise<void> {
  await db.insert(decisions).values(row).onConflictDoNothing();
}

/** A closed round trip of the bot; its funding is required (the column's default 0 is for rows from before it). */
export type TradeRecord = Omit<NewTradeRow, 'funding'> & { readonly funding: number };

export async function insertTrades(db: Executor, rows: readonly TradeRecord[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(trades)
    .values([...rows])
    .onConflictDoNothing();
}

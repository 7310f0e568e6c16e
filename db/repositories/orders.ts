/**
 * Live orders by their deterministic client order id: the first report inserts the row, later reports of the
 * same order (a retried activity, a protective order that filled) update only its status and fill.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { orders, type NewOrderRow } from '../schema';

export async function upsertOrder(db: Executor, row: NewOrderRow): Promise<void> {
  await db
    .insert(orders)
    .values(row)
    .onConflictDoUpdate({
      target: orders.clientOrderId,
      set: {
        status: row.status,
        avgFillPrice: row.avgFillPrice,
        filledQty: row.filledQty,
        fee: row.fee,
        updatedAt: sql`(extract(epoch from now()) * 1000)::bigint`,
      },
    });
}

/**
 * Every status change of a registered model, written in the transaction that changes `models.status`, so the
 * history and the current status never disagree (a file beside db/schema.ts, as db/sweep-schema.ts is).
 * `from_status` is null for the status a model is registered with.
 */
import { bigint, bigserial, index, pgTable, text } from 'drizzle-orm/pg-core';
import { models, type ModelStatus } from './schema';

const unixMs = (name: string) => bigint(name, { mode: 'number' });

export const modelStatusEvents = pgTable(
  'model_status_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    version: text('version')
      .notNull()
      // Lazy: db/schema.ts and this file may load in either order.
      .references(() => models.version, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
    // Text, not the model_status enum: the enum's value would be needed when this module loads.
    fromStatus: text('from_status').$type<ModelStatus>(),
    toStatus: text('to_status').$type<ModelStatus>().notNull(),
    at: unixMs('at').notNull(),
    /** Why, when the caller knows it: 'promoted by retrain', 'replaced by <version>', 'registered by training'. */
    reason: text('reason'),
    /** Who: the workflow (type and id) whose activity changed it, or the tool. */
    actor: text('actor'),
  },
  (t) => [index('model_status_events_version_idx').on(t.version, t.at), index('model_status_events_symbol_idx').on(t.symbol, t.at)],
);

export type ModelStatusEventRow = typeof modelStatusEvents.$inferSelect;
export type NewModelStatusEventRow = typeof modelStatusEvents.$inferInsert;

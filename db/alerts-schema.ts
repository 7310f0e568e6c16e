/**
 * Alerts as delivered, one row per (idempotency key, target), written by the sendAlert activity (a file beside
 * db/schema.ts, as db/sweep-schema.ts is; drizzle.config.ts reads them all). A retried attempt updates its row
 * (attempts, outcome, error, last attempt) instead of adding one. Targets are named as configured, never by URL
 * or token: webhook URLs embed their secret.
 */
import { bigint, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

const unixMs = (name: string) => bigint(name, { mode: 'number' });

export const ALERT_OUTCOMES = ['sent', 'failed', 'dry_run'] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];

export const alertsSent = pgTable(
  'alerts_sent',
  {
    /** `<workflowId>:<kind>:<id>`, the same for every attempt at the event. */
    key: text('key').notNull(),
    /** The target's configured name and type (alerts.targets[].name / type). */
    target: text('target').notNull(),
    targetType: text('target_type').notNull(),
    kind: text('kind').notNull(),
    workflowId: text('workflow_id').notNull(),
    /** Null for events about no symbol (a test alert) or no mode (retrain, market data). */
    symbol: text('symbol'),
    mode: text('mode'),
    /** When the event happened (workflow time). */
    eventAt: unixMs('event_at').notNull(),
    text: text('text').notNull(),
    outcome: text('outcome').$type<AlertOutcome>().notNull(),
    /** The last failure's reason (secrets already redacted by the notifier); null once sent. */
    error: text('error'),
    httpStatus: integer('http_status'),
    attempts: integer('attempts').notNull().default(1),
    firstAttemptAt: unixMs('first_attempt_at').notNull(),
    lastAttemptAt: unixMs('last_attempt_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.key, t.target] }),
    index('alerts_sent_event_at_idx').on(t.eventAt),
    index('alerts_sent_symbol_event_at_idx').on(t.symbol, t.eventAt),
  ],
);

export type AlertSentRow = typeof alertsSent.$inferSelect;
export type NewAlertSentRow = typeof alertsSent.$inferInsert;

/**
 * The record of alert deliveries (`alerts_sent`): the sendAlert activity writes one row per (event key, target)
 * and updates it on every later attempt; the dashboard lists them grouped by event.
 */
import { and, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../client';
import { alertsSent, type AlertOutcome, type AlertSentRow } from '../alerts-schema';

/** One target's outcome of one attempt at an event. */
export interface AlertDelivery {
  readonly key: string;
  readonly target: string;
  readonly targetType: string;
  readonly kind: string;
  readonly workflowId: string;
  readonly symbol: string | null;
  readonly mode: string | null;
  readonly eventAt: number;
  readonly text: string;
  readonly outcome: AlertOutcome;
  readonly error: string | null;
  readonly httpStatus: number | null;
  readonly at: number;
}

/**
 * Records an attempt's outcomes. A (key, target) seen before keeps its event fields and first attempt time; only
 * its outcome, error, HTTP status, attempt count and last attempt time change.
 */
export async function recordDeliveries(db: Executor, deliveries: readonly AlertDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  await db
    .insert(alertsSent)
    .values(deliveries.map(({ at, ...d }) => ({ ...d, attempts: 1, firstAttemptAt: at, lastAttemptAt: at })))
    .onConflictDoUpdate({
      target: [alertsSent.key, alertsSent.target],
      set: {
        outcome: sql`excluded.outcome`,
        error: sql`excluded.error`,
        httpStatus: sql`excluded.http_status`,
        attempts: sql`${alertsSent.attempts} + 1`,
        lastAttemptAt: sql`excluded.last_attempt_at`,
      },
    });
}

/** Targets that already received the event (so a retry in a restarted worker does not send it again). */
export async function deliveredTargets(db: Executor, key: string): Promise<string[]> {
  const rows = await db
    .select({ target: alertsSent.target })
    .from(alertsSent)
    .where(and(eq(alertsSent.key, key), eq(alertsSent.outcome, 'sent')));
  return rows.map((r) => r.target);
}

export interface AlertListFilter {
  readonly symbol?: string;
  /** With a symbol: that bot's alerts plus the symbol's alerts of no mode (retrain, market data). */
  readonly mode?: string;
  /** Events, not rows (default 100). */
  readonly limit?: number;
}

export interface ListedAlert {
  readonly key: string;
  readonly kind: string;
  readonly symbol: string | null;
  readonly mode: string | null;
  readonly eventAt: number;
  readonly text: string;
  readonly targets: readonly Pick<AlertSentRow, 'target' | 'targetType' | 'outcome' | 'error' | 'attempts' | 'lastAttemptAt'>[];
}

/** The newest events first, each with every target's outcome. */
export async function listAlerts(db: Executor, filter: AlertListFilter = {}): Promise<ListedAlert[]> {
  const conditions: SQL[] = [];
  if (filter.symbol !== undefined) conditions.push(eq(alertsSent.symbol, filter.symbol));
  if (filter.mode !== undefined) conditions.push(or(eq(alertsSent.mode, filter.mode), isNull(alertsSent.mode))!);
  const where = and(...conditions);
  const keys = await db
    .select({ key: alertsSent.key, eventAt: sql<number>`max(${alertsSent.eventAt})`.mapWith(Number) })
    .from(alertsSent)
    .where(where)
    .groupBy(alertsSent.key)
    .orderBy(desc(sql`max(${alertsSent.eventAt})`), desc(alertsSent.key))
    .limit(filter.limit ?? 100);
  if (keys.length === 0) return [];
  const rows = await db
    .select()
    .from(alertsSent)
    .where(
      inArray(
        alertsSent.key,
        keys.map((k) => k.key),
      ),
    )
    .orderBy(alertsSent.target);
  const byKey = new Map<string, AlertSentRow[]>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
  return keys.flatMap(({ key }) => {
    const targets = byKey.get(key) ?? [];
    const first = targets[0];
    if (first === undefined) return [];
    return [
      {
        key,
        kind: first.kind,
        symbol: first.symbol,
        mode: first.mode,
        eventAt: first.eventAt,
        text: first.text,
        targets: targets.map(({ target, targetType, outcome, error, attempts, lastAttemptAt }) => ({
          target,
          targetType,
          outcome,
          error,
          attempts,
          lastAttemptAt,
        })),
      },
    ];
  });
}

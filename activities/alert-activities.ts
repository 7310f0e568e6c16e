/**
 * Alert activities of the trading queue: `sendAlert` delivers one event to every configured target
 * (alerts/notifier.ts), `alertSettings` tells workflows what is enabled. The targets' secrets are read when the
 * activities are created (the worker's start), so a missing variable stops the worker with its name.
 *
 * Retries: an attempt in which some target failed fails (with every target's outcome in the message), so Temporal
 * retries it; the notifier remembers the targets that already got the event's key, so the retry sends only to
 * the others. When every failure is permanent (a 4xx), the failure is non-retryable. Workflows call these through
 * workflows/alerting.ts, which bounds the attempts and never lets an alert stop them.
 *
 * With a database, every attempt's outcomes are stored in alerts_sent (one row per event and target, updated by
 * retries), and the targets it lists as sent count as delivered, so a retry on a restarted worker does not send
 * twice. The record is secondary: a database error is logged and never fails the alert.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { parseAlertEvent } from '../alerts/alert-schema';
import { DeliveredKeys } from '../alerts/delivered-keys';
import { deliveriesOf } from '../alerts/delivery-record';
import { describeOutcome, Notifier, type FetchLike } from '../alerts/notifier';
import type { AlertsConfig } from '../config/alerts-schema';
import { resolveAlertTargets } from '../config/alert-secrets';
import { ALERT_KINDS, type AlertEvent, type AlertKind, type AlertSettings, type SendAlertResult } from '../contracts/alerts';
import type { Executor } from '../db/client';
import { deliveredTargets, recordDeliveries } from '../db/repositories/alerts-sent';

export interface AlertActivityDeps {
  readonly alerts: AlertsConfig;
  /** Where the targets' secrets are read (default: process.env after loading .env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Tests: a fetch to observe, the dry-run printer, a shared memory of delivered keys. */
  readonly fetch?: FetchLike;
  readonly print?: (line: string) => void;
  readonly delivered?: DeliveredKeys;
  /** Where deliveries are recorded (absent: not recorded, e.g. `npm run alerts -- test`). */
  readonly db?: Executor;
}

/** Inside an activity, its context; outside (a direct call in a test or script), none. */
function activityContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

export function createAlertActivities(deps: AlertActivityDeps) {
  const { alerts, db } = deps;
  const targets = alerts.enabled ? resolveAlertTargets(alerts, deps.env) : [];
  const memory = deps.delivered ?? new DeliveredKeys();
  const notifier = new Notifier({
    targets,
    dryRun: alerts.dry_run,
    timeoutMs: alerts.timeout_seconds * 1000,
    delivered: memory,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.print ? { print: deps.print } : {}),
  });
  const kinds: readonly AlertKind[] = alerts.enabled ? (alerts.events ?? ALERT_KINDS) : [];

  return {
    async sendAlert(input: AlertEvent): Promise<SendAlertResult> {
      let event: AlertEvent;
      try {
        event = parseAlertEvent(input);
      } catch (err) {
        throw ApplicationFailure.nonRetryable((err as Error).message, 'InvalidAlertEvent');
      }
      if (!alerts.enabled) return { key: event.key, status: 'disabled', targets: [] };
      if (!kinds.includes(event.kind)) return { key: event.key, status: 'filtered', targets: [] };
      const ctx = activityContext();
      const warn = (what: string) => (err: unknown) => {
        (ctx?.log ?? console).warn(`alert ${event.key}: ${what}: ${err instanceof Error ? err.message : String(err)}`);
        return [];
      };
      if (db !== undefined && !alerts.dry_run) {
        for (const target of await deliveredTargets(db, event.key).catch(warn('reading alerts_sent failed'))) memory.add(target, event.key);
      }
      const report = await notifier.send(event, ctx?.cancellationSignal);
      if (db !== undefined) await recordDeliveries(db, deliveriesOf(event, report, Date.now())).catch(warn('recording it in alerts_sent failed'));
      const lines = report.outcomes.map(describeOutcome);
      const failed = report.outcomes.filter((o) => o.status === 'failed');
      if (failed.length > 0) {
        const permanent = failed.every((o) => !o.retryable);
        throw ApplicationFailure.create({
          message: `alert ${event.key}: ${failed.length} of ${report.outcomes.length} targets failed: ${lines.join('; ')}`,
          type: 'AlertNotDelivered',
          nonRetryable: permanent,
        });
      }
      ctx?.log.info(`alert ${event.key} delivered`, { targets: lines });
      const delivered = report.outcomes.flatMap((o) => (o.status === 'failed' ? [] : [{ target: o.target, status: o.status }]));
      return { key: event.key, status: 'delivered', targets: delivered };
    },

    alertSettings(): Promise<AlertSettings> {
      return Promise.resolve({ enabled: alerts.enabled, kinds, minUnreachableMinutes: alerts.min_unreachable_minutes });
    },
  };
}

export type AlertActivities = ReturnType<typeof createAlertActivities>;

/**
 * Alert activities of the trading queue: `sendAlert` delivers one event to every configured target
 * (alerts/notifier.ts), `alertSettings` tells workflows what is enabled. The targets' secrets are read when the
 * activities are created (the worker's start), so a missing variable stops the worker with its name.
 *
 * Retries: an attempt in which some target failed fails (with every target's outcome in the message), so Temporal
 * retries it; the notifier remembers the targets that already got the event's key, so the retry sends only to
 * the others. When every failure is permanent (a 4xx), the failure is non-retryable. Workflows call these through
 * workflows/alerting.ts, which bounds the attempts and never lets an alert stop them.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { parseAlertEvent } from '../alerts/alert-schema';
import { DeliveredKeys } from '../alerts/delivered-keys';
import { describeOutcome, Notifier, type FetchLike } from '../alerts/notifier';
import type { AlertsConfig } from '../config/alerts-schema';
import { resolveAlertTargets } from '../config/alert-secrets';
import { ALERT_KINDS, type AlertEvent, type AlertKind, type AlertSettings, type SendAlertResult } from '../contracts/alerts';

export interface AlertActivityDeps {
  readonly alerts: AlertsConfig;
  /** Where the targets' secrets are read (default: process.env after loading .env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Tests: a fetch to observe, the dry-run printer, a shared memory of delivered keys. */
  readonly fetch?: FetchLike;
  readonly print?: (line: string) => void;
  readonly delivered?: DeliveredKeys;
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
  const { alerts } = deps;
  const targets = alerts.enabled ? resolveAlertTargets(alerts, deps.env) : [];
  const notifier = new Notifier({
    targets,
    dryRun: alerts.dry_run,
    timeoutMs: alerts.timeout_seconds * 1000,
    delivered: deps.delivered ?? new DeliveredKeys(),
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
      const report = await notifier.send(event, ctx?.cancellationSignal);
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

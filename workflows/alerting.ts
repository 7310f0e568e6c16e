/**
 * Workflow side of alerts: `alerter()` gives a function that sends one event through the sendAlert activity
 * (trading queue) and never fails the workflow for it: attempts are bounded, a failure is logged and dropped.
 * Only a cancellation of the calling scope is rethrown, since that is the workflow being stopped, not the alert
 * failing. The event's idempotency key stays the same on every attempt and replay, so retries never repeat
 * an alert to a target that already took it.
 *
 * Histories recorded before alerts existed replay unchanged: each send first asks `patched(ALERTS_PATCH)`.
 */
import { isCancellation, log, patched, proxyActivities } from '@temporalio/workflow';
import type { AlertActivities } from '../activities/alert-activities';
import type { AlertEvent, AlertSettings } from '../contracts/alerts';
import { TASK_QUEUES } from '../contracts/task-queues';

export const ALERTS_PATCH = 'alerts-v1';

export type Alert = (event: AlertEvent) => Promise<void>;

const { sendAlert, alertSettings } = proxyActivities<AlertActivities>({
  taskQueue: TASK_QUEUES.trading,
  // Above the notifier's per-request timeout (at most 25 s, targets in parallel).
  startToCloseTimeout: '30 seconds',
  // Bounded: an alert that cannot be delivered within about a minute is logged and dropped.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 3, maximumInterval: '30 seconds', maximumAttempts: 3 },
});

const message = (err: unknown): string => {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
};

/**
 * `const alert = alerter(); await alert(alertEvent('kill_switch', origin, fields));` (see contracts/alerts.ts).
 * With `settings` (readAlertSettings(), once per run), kinds that are not enabled cost no activity at all.
 */
export function alerter(settings?: AlertSettings | null): Alert {
  return async (event: AlertEvent): Promise<void> => {
    if (settings && !settings.kinds.includes(event.kind)) return;
    if (!patched(ALERTS_PATCH)) return;
    try {
      await sendAlert(event);
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('alert not delivered', { key: event.key, kind: event.kind, error: message(err) });
    }
  };
}

/**
 * For hot paths (the bar loop): `send` does not wait for the delivery; `settled()` waits for every send still in
 * flight; await it before continueAsNew or returning, or those alerts are abandoned with the run.
 */
export function backgroundAlerter(settings?: AlertSettings | null): { send(event: AlertEvent): void; settled(): Promise<void> } {
  const alert = alerter(settings);
  const pending = new Set<Promise<void>>();
  return {
    send(event) {
      const sending: Promise<void> = alert(event)
        .catch(() => undefined) // a cancellation: the run is ending anyway
        .finally(() => pending.delete(sending));
      pending.add(sending);
    },
    async settled() {
      await Promise.all([...pending]);
    },
  };
}

/** What alerts are enabled on the trading workers; null when they cannot tell (then nothing is watched for alerts). */
export async function readAlertSettings(): Promise<AlertSettings | null> {
  if (!patched(ALERTS_PATCH)) return null;
  try {
    return await alertSettings();
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('alert settings unavailable; alerts that need them are off for this run', { error: message(err) });
    return null;
  }
}

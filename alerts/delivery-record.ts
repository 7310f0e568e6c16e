/**
 * What of a delivery report is stored (db/repositories/alerts-sent.ts): each target's outcome by the target's
 * configured name and type, never its URL or token. Targets that an earlier attempt reached (`already-sent`) are
 * left out, so their rows keep the attempt that delivered.
 */
import type { AlertDelivery } from '../db/repositories/alerts-sent';
import type { AlertEvent } from './alert-event';
import type { DeliveryReport } from './notifier';

export function deliveriesOf(event: AlertEvent, report: DeliveryReport, at: number): AlertDelivery[] {
  const base = {
    key: event.key,
    kind: event.kind,
    workflowId: event.workflowId,
    symbol: 'symbol' in event ? event.symbol : null,
    mode: 'mode' in event ? event.mode : null,
    eventAt: event.at,
    text: report.text,
    at,
  };
  return report.outcomes.flatMap((o): AlertDelivery[] => {
    const target = { target: o.target, targetType: o.type };
    switch (o.status) {
      case 'already-sent':
        return [];
      case 'printed':
        return [{ ...base, ...target, outcome: 'dry_run', error: null, httpStatus: null }];
      case 'sent':
        return [{ ...base, ...target, outcome: 'sent', error: null, httpStatus: o.httpStatus }];
      case 'failed':
        return [{ ...base, ...target, outcome: 'failed', error: o.error, httpStatus: o.httpStatus ?? null }];
    }
  });
}

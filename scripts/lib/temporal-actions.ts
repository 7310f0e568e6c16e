/**
 * Temporal's own count of billable-like actions (workflow starts, activities, timers, signals, queries, updates,
 * heartbeats, schedule actions), as the server's Prometheus counter `action` reports it: the figure a Temporal
 * Cloud user pays for. Read from the dev server's /metrics (infra/temporal.ts metricsPort).
 */
import { z } from 'zod';

const sampleLine = /^(action(?:_total)?)\{([^}]*)\}\s+([0-9.eE+-]+)$/;
const label = /(\w+)="([^"]*)"/g;

export interface ActionCount {
  readonly total: number;
  /** By the counter's action-type label (e.g. activity_start, timer_start, ...), when it has one. */
  readonly byType: Readonly<Record<string, number>>;
}

/** The namespace's action counters in a Prometheus text exposition. */
export function parseActionCounter(text: string, namespace: string): ActionCount {
  let total = 0;
  const byType: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = sampleLine.exec(line.trim());
    if (m === null) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(label)].map((l) => [l[1]!, l[2]!]));
    if (labels.namespace !== namespace) continue;
    const value = z.coerce.number().finite().parse(m[3]);
    total += value;
    const type = labels.action_type ?? labels.operation ?? 'all';
    byType[type] = (byType[type] ?? 0) + value;
  }
  return { total, byType };
}

export async function scrapeActions(metricsPort: number, namespace: string): Promise<ActionCount> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`Temporal /metrics answered ${response.status}`);
  return parseActionCounter(await response.text(), namespace);
}

/** The actions between two scrapes, per type. */
export function actionsBetween(before: ActionCount, after: ActionCount): ActionCount {
  const byType: Record<string, number> = {};
  for (const [type, n] of Object.entries(after.byType)) byType[type] = n - (before.byType[type] ?? 0);
  return { total: after.total - before.total, byType };
}

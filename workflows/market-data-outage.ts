/**
 * The market-data outage rule, pure: "unreachable" means no new bar stored for min_unreachable_minutes of workflow
 * time, whatever the cause (exchange down, stream stalled, market-data worker gone, database unreachable). It is
 * raised once per outage and followed by "restored" at the first new bar. Measured on the bars table, because
 * the stream reconnects inside its activity (and Temporal retries that activity) without the workflow seeing it.
 */
import type { BarWatchState } from '../contracts/market-data';

export interface OutageAlert {
  readonly kind: 'unreachable' | 'restored';
  /** When the last new bar was seen (the outage's start; also its alert id). */
  readonly since: number;
  /** Minutes without a new bar, so far (unreachable) or in all (restored). */
  readonly minutes: number;
  readonly lastBar: number | null;
}

export interface BarWatchStep {
  readonly state: BarWatchState;
  readonly alert: OutageAlert | null;
}

const MINUTE_MS = 60_000;

/**
 * One poll: `lastBar` is the newest stored bar's open time, null when none is stored, undefined when the poll
 * itself failed (which counts as no new bar).
 */
export function observeBars(prev: BarWatchState | null, lastBar: number | null | undefined, now: number, minMs: number): BarWatchStep {
  if (prev === null) return { state: { lastBar: lastBar ?? null, advancedAt: now, alerted: false }, alert: null };
  const advanced = lastBar !== undefined && lastBar !== null && (prev.lastBar === null || lastBar > prev.lastBar);
  if (advanced) {
    const alert: OutageAlert | null = prev.alerted ? { kind: 'restored', since: prev.advancedAt, minutes: (now - prev.advancedAt) / MINUTE_MS, lastBar } : null;
    return { state: { lastBar, advancedAt: now, alerted: false }, alert };
  }
  if (!prev.alerted && now - prev.advancedAt >= minMs) {
    return {
      state: { ...prev, alerted: true },
      alert: { kind: 'unreachable', since: prev.advancedAt, minutes: (now - prev.advancedAt) / MINUTE_MS, lastBar: prev.lastBar },
    };
  }
  return { state: prev, alert: null };
}

/** Polls twice per threshold (an outage is noticed at most half a threshold late), between 30 s and 5 min apart. */
export function watchIntervalMs(minMs: number): number {
  return Math.min(5 * MINUTE_MS, Math.max(30_000, Math.round(minMs / 2)));
}

/** The alert that ends a retrain: promoted, or not (rejected, gated, failed) with the reason in one phrase. */
import { alertEvent, type AlertEvent, type AlertOrigin } from '../contracts/alerts';
import type { RetrainMetrics, RetrainOutcome, RetrainReason } from '../contracts/retrain';

export interface RetrainEnd {
  readonly symbol: string;
  readonly reason: RetrainReason;
  readonly outcome: RetrainOutcome;
  readonly version: string | null;
  readonly metrics: RetrainMetrics;
  readonly error: string | null;
}

export function whyNotPromoted(end: Pick<RetrainEnd, 'outcome' | 'metrics' | 'error'>): string {
  const { outcome, metrics, error } = end;
  if (error !== null) return error;
  if (outcome === 'gated' && metrics.gates) return `validation gates failed: ${metrics.gates.failures.join('; ')}`;
  if (metrics.note !== undefined) return metrics.note;
  if (metrics.score) return `shadow: ${metrics.score.reason}`;
  return outcome;
}

export function retrainOutcomeAlert(origin: AlertOrigin, end: RetrainEnd): AlertEvent {
  const { symbol, reason, outcome, version } = end;
  if (outcome === 'promoted') {
    return alertEvent('retrain_promoted', origin, { symbol, reason, version: version ?? 'unknown', previousChampion: end.metrics.champion ?? null });
  }
  return alertEvent('retrain_rejected', origin, { symbol, reason, version, outcome, why: whyNotPromoted(end) });
}

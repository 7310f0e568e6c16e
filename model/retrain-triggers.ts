/**
 * When the live bot asks for a retrain (pure, used inside the workflow): features drifted (PSI above the threshold
 * on any feature) or the bot's own rolling Sharpe fell below its threshold, never more often than the minimum
 * interval, so a noisy metric cannot cause a storm of retrains.
 */
import { equityReturns, sharpeRatio } from '../domain/trading/performance';

export interface TriggerSettings {
  readonly psiThreshold: number;
  readonly sharpeThreshold: number;
  /** Equity points (bar closes) in the rolling Sharpe. */
  readonly sharpeWindowBars: number;
  /** Minimum bars between two triggered retrains. */
  readonly minIntervalBars: number;
}

export type TriggerReason =
  { readonly reason: 'drift'; readonly feature: string; readonly psi: number } | { readonly reason: 'performance'; readonly sharpe: number };

/**
 * The rolling Sharpe of the per-minute returns of the last `sharpeWindowBars` equity points, or null when it is
 * not meaningful: the window is not full yet, or the equity never moved (a bot that stayed flat has no
 * performance to judge, and Sharpe 0 must not trigger retrains forever).
 */
export function rollingSharpeOf(equity: readonly number[], windowBars: number): number | null {
  if (equity.length < windowBars) return null;
  const returns = equityReturns(equity.slice(-windowBars));
  if (returns.every((r) => r === 0)) return null;
  return sharpeRatio(returns);
}

export function retrainTrigger(
  settings: TriggerSettings,
  measured: { readonly maxPsi: { readonly feature: string; readonly psi: number } | null; readonly sharpe: number | null },
  barsSinceLastTrigger: number | null,
): TriggerReason | null {
  if (barsSinceLastTrigger !== null && barsSinceLastTrigger < settings.minIntervalBars) return null;
  if (measured.maxPsi && measured.maxPsi.psi > settings.psiThreshold) return { reason: 'drift', feature: measured.maxPsi.feature, psi: measured.maxPsi.psi };
  if (measured.sharpe !== null && measured.sharpe < settings.sharpeThreshold) return { reason: 'performance', sharpe: measured.sharpe };
  return null;
}

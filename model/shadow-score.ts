/**
 * Shadow scoring: a challenger has predicted beside the champion at the close of the same live bars; once the
 * forward returns of those bars are known (y_t = c_{t+H} / c_t - 1, features.md's target), they decide whether
 * the challenger replaces the champion.
 *
 * The rule: on the bars both models predicted and whose return is known (the scored bars), the challenger is
 * promoted when ALL of
 *   1. at least `minBars` bars were scored (normally every shadow bar: fewer means the champion changed or a bar
 *      is missing, and a smaller sample is no evidence);
 *   2. its RMSE is strictly lower than the champion's (a tie keeps the champion: a swap must earn its place);
 *   3. its IC (Spearman) is not lower than the champion's by more than `icMargin` (a lower error bought with
 *      worse ranking of the returns, the part that drives entries, does not count).
 * Otherwise it is rejected; the reason names the first rule that failed.
 */
import { BAR_MS } from '../domain/bars';
import { validationMetrics, type ValidationMetrics } from './metrics';

export interface TimedValue {
  readonly openTime: number;
  readonly value: number;
}

/** One scored bar: both predictions made at its close and its realised forward return. */
export interface ShadowBar {
  readonly openTime: number;
  readonly champion: number;
  readonly challenger: number;
  readonly realised: number;
}

export interface ShadowRule {
  readonly icMargin: number;
  readonly minBars: number;
}

export type ShadowVerdict = 'promote' | 'reject';

export interface ShadowScore {
  /** Metrics of each model on the same scored bars (null when no bar could be scored). */
  readonly champion: ValidationMetrics | null;
  readonly challenger: ValidationMetrics | null;
  readonly n: number;
  readonly verdict: ShadowVerdict;
  readonly reason: string;
}

/**
 * Joins the two models' predictions with the closes: a bar is scored when both predicted it and the closes of
 * the bar and of the bar H minutes later are known. Ascending by open time.
 */
export function alignShadowBars(input: {
  readonly champion: readonly TimedValue[];
  readonly challenger: readonly TimedValue[];
  readonly closes: readonly TimedValue[];
  readonly horizon: number;
}): ShadowBar[] {
  const champion = new Map(input.champion.map((p) => [p.openTime, p.value]));
  const close = new Map(input.closes.map((c) => [c.openTime, c.value]));
  const bars: ShadowBar[] = [];
  for (const p of input.challenger) {
    const c = champion.get(p.openTime);
    const now = close.get(p.openTime);
    const later = close.get(p.openTime + input.horizon * BAR_MS);
    if (c === undefined || now === undefined || later === undefined || !(now > 0)) continue;
    bars.push({ openTime: p.openTime, champion: c, challenger: p.value, realised: later / now - 1 });
  }
  return bars.sort((a, b) => a.openTime - b.openTime);
}

const fmt = (x: number) => Number(x.toPrecision(4)).toString();

export function shadowVerdict(bars: readonly ShadowBar[], rule: ShadowRule): ShadowScore {
  const n = bars.length;
  if (n === 0) return { champion: null, challenger: null, n, verdict: 'reject', reason: 'no bar could be scored (no common predictions with known returns)' };
  const realised = bars.map((b) => b.realised);
  const champion = validationMetrics(
    bars.map((b) => b.champion),
    realised,
  );
  const challenger = validationMetrics(
    bars.map((b) => b.challenger),
    realised,
  );
  const scored = { champion, challenger, n };
  if (n < rule.minBars) return { ...scored, verdict: 'reject', reason: `only ${n} of the ${rule.minBars} shadow bars could be scored` };
  if (!(challenger.rmse < champion.rmse)) {
    return { ...scored, verdict: 'reject', reason: `challenger RMSE ${fmt(challenger.rmse)} is not below the champion's ${fmt(champion.rmse)}` };
  }
  if (challenger.ic < champion.ic - rule.icMargin) {
    return {
      ...scored,
      verdict: 'reject',
      reason: `challenger IC ${fmt(challenger.ic)} is more than ${fmt(rule.icMargin)} below the champion's ${fmt(champion.ic)}`,
    };
  }
  return {
    ...scored,
    verdict: 'promote',
    reason: `challenger RMSE ${fmt(challenger.rmse)} < champion's ${fmt(champion.rmse)} and IC ${fmt(challenger.ic)} within ${fmt(rule.icMargin)} of ${fmt(champion.ic)} over ${n} bars`,
  };
}

/**
 * Which swept keys change the models. Keys under `trading.` and `execution.` only change how predictions are traded,
 * so combinations that differ only there share one walk-forward (one set of models and stored predictions);
 * every other key (data, window, horizon, LightGBM, backtest timeline, ...) starts its own group.
 */
import type { Combination } from './grid';

const TRADING_ONLY_PREFIXES = ['trading.', 'execution.'] as const;

export function isTradingOnlyKey(key: string): boolean {
  return TRADING_ONLY_PREFIXES.some((p) => key.startsWith(p));
}

export interface CombinationGroup {
  /** The model-relevant values shared by the group's combinations (empty object: the configuration's). */
  readonly modelValues: Combination;
  /** Indices into the combination list. */
  readonly members: readonly number[];
}

/** Groups combinations by their model-relevant values, in order of first appearance. */
export function groupCombinations(combinations: readonly Combination[]): CombinationGroup[] {
  const groups = new Map<string, { modelValues: Combination; members: number[] }>();
  combinations.forEach((combo, index) => {
    const modelValues = Object.fromEntries(Object.entries(combo).filter(([k]) => !isTradingOnlyKey(k)));
    const key = JSON.stringify(Object.entries(modelValues).sort(([a], [b]) => (a < b ? -1 : 1)));
    const group = groups.get(key) ?? { modelValues, members: [] };
    group.members.push(index);
    groups.set(key, group);
  });
  return [...groups.values()];
}

/**
 * Parameters of the trading rules (docs/strategy.md). Every rate is a plain fraction (0.01 = 1 %) except the two
 * `*Bps` fields, which are basis points as in the configuration file. Loading and validating the configuration
 * with zod happens elsewhere; `assertTradingParams` only guards the engine against values it cannot work with.
 */
import type { LeverageBracket } from './margin';
export interface TradingParams {
  /** Open LONG when the prediction is strictly above +entryThreshold, SHORT when strictly below -entryThreshold. */
  readonly entryThreshold: number;
  /** Close LONG when the prediction is strictly below -exitThreshold, SHORT when strictly above +exitThreshold. */
  readonly exitThreshold: number;
  /** Stop-loss distance from the entry fill price, as a fraction. */
  readonly stopLossFraction: number;
  /** Take-profit distance from the entry fill price, as a fraction. */
  readonly takeProfitFraction: number;
  /** An entry may fill only in a bar opening at least this long after the previous exit time. */
  readonly cooldownMinutes: number;
  /** Kill switch: fall of equity below the UTC day's opening equity, as a fraction. */
  readonly maxDailyDrawdownFraction: number;
  /** Fee of every fill, in basis points of its notional at the fill price. */
  readonly takerFeeBps: number;
  /** Price concession of every fill against the trader, in basis points. */
  readonly slippageBps: number;
  /** Share of equity committed at an entry (notional = equity x positionFraction x leverage). */
  readonly positionFraction: number;
  readonly leverage: number;
  /** Equity at the start of the run (USDT). */
  readonly startingCapital: number;
  /**
   * The symbol's leverage brackets (isolated margin): with them every position gets a liquidation price and a
   * stop-loss beyond it is refused. Absent (as in parameters stored before they existed): no liquidation modelled.
   */
  readonly leverageBrackets?: readonly LeverageBracket[];
}

export const DEFAULT_TRADING_PARAMS: TradingParams = Object.freeze({
  entryThreshold: 0.0008,
  exitThreshold: 0.00045,
  stopLossFraction: 0.01,
  takeProfitFraction: 0.03,
  cooldownMinutes: 3,
  maxDailyDrawdownFraction: 0.03,
  takerFeeBps: 4,
  slippageBps: 1,
  positionFraction: 1.0,
  leverage: 1,
  startingCapital: 10_000,
});

type NumericKey = Exclude<keyof TradingParams, 'leverageBrackets'>;

/** Throws naming the first field the engine cannot work with (non-finite, negative, or a zero size/capital). */
export function assertTradingParams(params: TradingParams): void {
  const nonNegative: NumericKey[] = [
    'entryThreshold',
    'exitThreshold',
    'stopLossFraction',
    'takeProfitFraction',
    'cooldownMinutes',
    'maxDailyDrawdownFraction',
    'takerFeeBps',
    'slippageBps',
  ];
  const positive: NumericKey[] = ['positionFraction', 'leverage', 'startingCapital'];
  for (const key of nonNegative) {
    const v = params[key];
    if (!Number.isFinite(v) || v < 0) throw new Error(`trading params: ${key} must be a finite number >= 0, got ${v}`);
  }
  for (const key of positive) {
    const v = params[key];
    if (!Number.isFinite(v) || v <= 0) throw new Error(`trading params: ${key} must be a finite number > 0, got ${v}`);
  }
  params.leverageBrackets?.forEach((b, i) => {
    const ok = b.notionalFloor >= 0 && b.notionalCap > b.notionalFloor && b.maintMarginRatio >= 0 && b.maintMarginRatio < 1 && Number.isFinite(b.cum);
    if (!ok) throw new Error(`trading params: leverage bracket ${i} is not usable: ${JSON.stringify(b)}`);
  });
}

/**
 * TradingParams as versions before the fraction fields were renamed wrote them (`*Pct` holding fractions). They
 * remain in the histories of running workflows and in the arguments of stored schedules, so every payload field
 * that carries trading parameters is a StoredTradingParams, read through readTradingParams.
 */
export interface LegacyTradingParams extends Omit<TradingParams, 'stopLossFraction' | 'takeProfitFraction' | 'maxDailyDrawdownFraction'> {
  readonly stopLossPct: number;
  readonly takeProfitPct: number;
  readonly maxDailyDrawdownPct: number;
}

export type StoredTradingParams = TradingParams | LegacyTradingParams;

export function readTradingParams(params: StoredTradingParams): TradingParams {
  if (!('stopLossPct' in params)) return params;
  const { stopLossPct, takeProfitPct, maxDailyDrawdownPct, ...rest } = params;
  return { ...rest, stopLossFraction: stopLossPct, takeProfitFraction: takeProfitPct, maxDailyDrawdownFraction: maxDailyDrawdownPct };
}

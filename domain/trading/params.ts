/**
 * Parameters of the trading rules (docs/strategy.md). Every rate is a plain fraction (0.01 = 1 %) except the two
 * `*Bps` fields, which are basis points as in the configuration file. Loading and validating the configuration
 * with zod happens elsewhere; `assertTradingParams` only guards the engine against values it cannot work with.
 */
export interface TradingParams {
  /** Open LONG when the prediction is strictly above +entryThreshold, SHORT when strictly below -entryThreshold. */
  readonly entryThreshold: number;
  /** Close LONG when the prediction is strictly below -exitThreshold, SHORT when strictly above +exitThreshold. */
  readonly exitThreshold: number;
  /** Stop-loss distance from the entry fill price, as a fraction. */
  readonly stopLossPct: number;
  /** Take-profit distance from the entry fill price, as a fraction. */
  readonly takeProfitPct: number;
  /** An entry may fill only in a bar opening at least this long after the previous exit time. */
  readonly cooldownMinutes: number;
  /** Kill switch: fall of equity below the UTC day's opening equity, as a fraction. */
  readonly maxDailyDrawdownPct: number;
  /** Fee of every fill, in basis points of its notional at the fill price. */
  readonly takerFeeBps: number;
  /** Price concession of every fill against the trader, in basis points. */
  readonly slippageBps: number;
  /** Share of equity committed at an entry (notional = equity x positionFraction x leverage). */
  readonly positionFraction: number;
  readonly leverage: number;
  /** Equity at the start of the run (USDT). */
  readonly startingCapital: number;
}

export const DEFAULT_TRADING_PARAMS: TradingParams = Object.freeze({
  entryThreshold: 0.0008,
  exitThreshold: 0.00045,
  stopLossPct: 0.01,
  takeProfitPct: 0.03,
  cooldownMinutes: 3,
  maxDailyDrawdownPct: 0.03,
  takerFeeBps: 4,
  slippageBps: 1,
  positionFraction: 1.0,
  leverage: 1,
  startingCapital: 10_000,
});

/** Throws naming the first field the engine cannot work with (non-finite, negative, or a zero size/capital). */
export function assertTradingParams(params: TradingParams): void {
  const nonNegative: (keyof TradingParams)[] = [
    'entryThreshold',
    'exitThreshold',
    'stopLossPct',
    'takeProfitPct',
    'cooldownMinutes',
    'maxDailyDrawdownPct',
    'takerFeeBps',
    'slippageBps',
  ];
  const positive: (keyof TradingParams)[] = ['positionFraction', 'leverage', 'startingCapital'];
  for (const key of nonNegative) {
    const v = params[key];
    if (!Number.isFinite(v) || v < 0) throw new Error(`trading params: ${key} must be a finite number >= 0, got ${v}`);
  }
  for (const key of positive) {
    const v = params[key];
    if (!Number.isFinite(v) || v <= 0) throw new Error(`trading params: ${key} must be a finite number > 0, got ${v}`);
  }
}

/** Shared builders for the trading-engine tests (not a test file itself). */
import type { Bar } from '../../../domain/bars';
import { DEFAULT_TRADING_PARAMS, applyFill, initialState, type Side, type TraderState, type TradingParams } from '../../../domain/trading';

/** A UTC midnight: 2023-03-03T00:00:00Z. */
export const T0 = Date.UTC(2023, 2, 3);
export const MIN = 60_000;

/** The default rules without fees or slippage, so prices in the tests are the fill prices. */
export const NO_COSTS: TradingParams = { ...DEFAULT_TRADING_PARAMS, takerFeeBps: 0, slippageBps: 0 };

/** Bar number `i` after `t0`; high/low default to the extremes of open and close. */
export function bar(i: number, open: number, close = open, high = Math.max(open, close), low = Math.min(open, close), t0 = T0): Bar {
  return { openTime: t0 + i * MIN, open, high, low, close, volume: 1 };
}

/** A flat state holding `side` since `entryTime` at `entryPrice`, with `qty` units and no entry fee. */
export function holding(side: Side, entryPrice: number, qty: number, entryTime = T0, params = NO_COSTS, modelVersion = 'm1'): TraderState {
  return applyFill(initialState(params, entryTime), { type: 'OPEN', side, modelVersion, price: entryPrice, time: entryTime, qty, fee: 0 }, params).state;
}

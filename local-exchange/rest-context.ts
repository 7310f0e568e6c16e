// What every REST route receives and shares (the exchange's markets, the symbol and time-range parameters),
// apart from the route tables so that each table file can import it without a cycle.
import type { AccountState } from './account-types';
import type { BinanceApiError } from './binance-errors';
import type { MarketRegistry, SymbolMarket } from './market-registry';
import type { PositionMode } from './position-mode';
import type { RequestParams } from './request-params';

export interface RestContext {
  /** Every listed symbol (replay, instrument, funding, engine) and the account's one wallet. */
  readonly markets: MarketRegistry;
  /** One-way or hedge mode (positionSide/dual), account-wide as on Binance. */
  readonly positionMode: PositionMode;
  /** The replay clock (Unix ms). */
  serverTime(): number;
  /** An armed order-rejection fault, if any. */
  takeOrderRejection(): BinanceApiError | undefined;
  /** An armed short-page fault for this history route: the most rows to serve (counted down), if any. */
  takeShortPage(path: string): number | undefined;
  /** Called after orders changed the account (e.g. for logging). */
  onOrder?(description: string): void;
}

export interface Route {
  readonly signed: boolean;
  handle(params: RequestParams, ctx: RestContext): unknown;
}

/** The market of the required `symbol` parameter (-1102 without one, -1121 for a symbol not listed). */
export function marketParam(params: RequestParams, ctx: RestContext): SymbolMarket {
  return ctx.markets.require(params.requiredString('symbol'));
}

/**
 * The markets an optional `symbol` selects: that one (`one`: Binance answers an object rather than a list for
 * some routes), or every listed symbol without it.
 */
export function marketsParam(params: RequestParams, ctx: RestContext): { readonly markets: readonly SymbolMarket[]; readonly one: boolean } {
  const symbol = params.string('symbol');
  if (symbol === undefined) return { markets: ctx.markets.list(), one: false };
  return { markets: [ctx.markets.require(symbol)], one: true };
}

/** The market's position at its last price, with the account's balances. */
export function stateOf(market: SymbolMarket): AccountState {
  return market.engine.state(market.replay.lastPrice());
}

export function inTimeRange(time: number, params: RequestParams): boolean {
  const startTime = params.int('startTime');
  const endTime = params.int('endTime');
  return (startTime === undefined || time >= startTime) && (endTime === undefined || time <= endTime);
}

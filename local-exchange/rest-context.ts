// What every REST route receives and shares (the exchange's context, the symbol and time-range parameters),
// apart from the route tables so that each table file can import it without a cycle.
import type { AccountEngine } from './account-engine';
import { binanceErrors, type BinanceApiError } from './binance-errors';
import type { InstrumentSpec } from './exchange-info';
import type { FundingSeries } from './funding-series';
import type { MarketReplay } from './market-replay';
import type { PositionMode } from './position-mode';
import type { RequestParams } from './request-params';
import type { ResponseFormatter } from './rest-responses';

export interface RestContext {
  readonly spec: InstrumentSpec;
  readonly replay: MarketReplay;
  readonly engine: AccountEngine;
  readonly format: ResponseFormatter;
  /** The funding-rate history of the replay. */
  readonly funding: FundingSeries;
  /** One-way or hedge mode (positionSide/dual). */
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

export function symbolParam(params: RequestParams, ctx: RestContext, required: boolean): string | undefined {
  const symbol = required ? params.requiredString('symbol') : params.string('symbol');
  if (symbol !== undefined && symbol !== ctx.spec.symbol) throw binanceErrors.invalidSymbol();
  return symbol;
}

export function inTimeRange(time: number, params: RequestParams): boolean {
  const startTime = params.int('startTime');
  const endTime = params.int('endTime');
  return (startTime === undefined || time >= startTime) && (endTime === undefined || time <= endTime);
}

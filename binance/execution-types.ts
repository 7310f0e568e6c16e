// The types of the live executor's API, apart from the executor so that activities and tests can name
// them without reading the order-handling code.
import type { ProtectiveOrderIds } from '../domain/client-order-id';
import type { OrderSide } from '../domain/trading/pricing';
export type { OrderSide };
import type { Side as PositionSide } from '../domain/trading/state';
export type { PositionSide };
/** ccxt's unified order status. For a protective (algo) order: open = waiting, closed = triggered. */
export type OrderStatus = 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';

export interface ExchangeFilters {
  /** Quantity step (LOT_SIZE stepSize), e.g. 0.001. */
  readonly qtyStep: number;
  readonly minQty: number;
  /** Minimum order notional in the quote asset (MIN_NOTIONAL), e.g. 100; reduce-only orders are exempt. */
  readonly minNotional: number;
  /** Price tick (PRICE_FILTER tickSize), e.g. 0.1. */
  readonly tickSize: number;
}

export interface OrderReport {
  /** The id the bot gave the order (for a triggered protective order: the protective order's id). */
  readonly clientOrderId: string;
  readonly exchangeOrderId: string;
  readonly status: OrderStatus;
  readonly side: OrderSide;
  /** Binance's order type: MARKET, STOP_MARKET, TAKE_PROFIT_MARKET. */
  readonly type: string;
  readonly reduceOnly: boolean;
  /** Quantity ordered. */
  readonly qty: number;
  readonly filledQty: number;
  /** Average fill price; null when nothing filled. */
  readonly avgPrice: number | null;
  /** Trigger price of a protective order; null for market orders. */
  readonly triggerPrice: number | null;
  /** Fee paid, in feeAsset (0 when nothing filled). */
  readonly fee: number;
  readonly feeAsset: string;
  /** Exchange time (Unix ms) of the last fill, or of the order's creation when nothing filled. */
  readonly time: number;
}

export interface MarketOrderRequest {
  readonly side: OrderSide;
  /** Rounded down to the quantity step before sending. */
  readonly qty: number;
  readonly reduceOnly: boolean;
  readonly clientOrderId: string;
  /** Price for the minimum-notional check; the last traded price is fetched when absent. */
  readonly referencePrice?: number;
}

export type { ProtectiveOrderIds };

export interface ProtectiveOrderRequest {
  /** The position being protected; the orders are on the opposite side, reduce-only. */
  readonly positionSide: PositionSide;
  readonly qty: number;
  readonly stopPrice: number;
  readonly takeProfitPrice: number;
  readonly clientOrderIds: ProtectiveOrderIds;
}

export interface ProtectiveOrders {
  readonly stopLoss: OrderReport;
  readonly takeProfit: OrderReport;
}

export interface ProtectiveFill extends OrderReport {
  readonly purpose: 'sl' | 'tp';
}

export interface CancelResult {
  /** Ids this call cancelled. */
  readonly canceled: string[];
  /** Ids already gone (triggered, expired, cancelled before, or never placed). */
  readonly alreadyGone: string[];
}

export interface ExchangePosition {
  readonly side: PositionSide | null;
  /** Absolute size in base units; 0 when flat. */
  readonly qty: number;
  /** null when flat. */
  readonly entryPrice: number | null;
}

export interface LiveExecutorOptions {
  /** recvWindow sent with orders and cancels (ms). Default 5,000 (Binance's default). */
  readonly recvWindow?: number;
  /** Allowance for the difference between our clock and the exchange's (ms). Default 1,000. */
  readonly clockMarginMs?: number;
  /** Wall clock (Unix ms); default Date.now. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

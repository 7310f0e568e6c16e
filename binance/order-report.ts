// How a ccxt order and its trades become the executor's OrderReport: the fee, average price and fill time
// come from the exchange only, so this is where an unconfirmed fill turns into a retryable error.
import { OrderOutcomeUnknownError } from './exchange-errors';
import type { ParsedOrder, ParsedTrade } from './exchange-replies';
import type { OrderReport } from './execution-types';

/** What the exchange reports about an order's fills. */
export interface OrderFill {
  readonly fee: number;
  readonly feeAsset: string;
  readonly avgPrice: number | null;
  readonly time: number;
}

/** `settle` is the market's settlement asset, the fee asset when no fill says otherwise. */
export function toOrderReport(order: ParsedOrder, clientOrderId: string, settle: string | undefined, fill?: OrderFill): OrderReport {
  const filledQty = order.filled ?? 0;
  return {
    clientOrderId,
    exchangeOrderId: order.id,
    status: order.status,
    side: order.side,
    type: order.info.origType ?? order.info.orderType ?? order.info.type ?? 'UNKNOWN',
    reduceOnly: order.reduceOnly ?? false,
    qty: order.amount ?? filledQty,
    filledQty,
    avgPrice: fill?.avgPrice ?? (filledQty > 0 ? (order.average ?? null) : null),
    triggerPrice: order.triggerPrice ?? null,
    fee: fill?.fee ?? 0,
    feeAsset: fill?.feeAsset ?? settle ?? 'USDT',
    time: fill?.time ?? order.lastTradeTimestamp ?? order.timestamp ?? 0,
  };
}

/**
 * The fill of a filled order from its trades; OrderOutcomeUnknownError while the trades listed do not add up
 * to the filled quantity (within half a step).
 */
export function fillFromTrades(
  order: ParsedOrder,
  clientOrderId: string,
  trades: readonly ParsedTrade[],
  qtyStep: number,
  settle: string | undefined,
): OrderFill {
  const filled = order.filled ?? 0;
  const tradedQty = trades.reduce((sum, t) => sum + t.amount, 0);
  if (trades.length === 0 || Math.abs(tradedQty - filled) > qtyStep / 2) {
    throw new OrderOutcomeUnknownError(`Order ${clientOrderId} (${order.id}) filled ${filled}, but its trades list ${tradedQty} so far`);
  }
  // An account pays all its futures fees in one asset (USDT, or BNB with the BNB discount).
  const feeAsset = trades.find((t) => t.fee?.currency != null)?.fee?.currency ?? settle ?? 'USDT';
  const fee = trades.reduce((sum, t) => sum + (t.fee?.currency === feeAsset ? (t.fee.cost ?? 0) : 0), 0);
  const vwap = trades.reduce((sum, t) => sum + t.amount * t.price, 0) / tradedQty;
  return {
    fee,
    feeAsset,
    avgPrice: order.average ?? vwap,
    time: Math.max(...trades.map((t) => t.timestamp)),
  };
}

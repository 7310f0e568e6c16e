/** The arithmetic of fills and marks: slippage, fees, sizing, protective levels, equity. */
import type { TradingParams } from './params';
import type { Position, Side, TraderState } from './state';

export const BPS = 1e-4;

/** The side of an order (ccxt's and the orders table's casing): opening a LONG buys, closing it sells. */
export const ORDER_SIDES = ['buy', 'sell'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];

/** +1 for LONG, -1 for SHORT: the sign of the position's exposure to the price. */
export function direction(side: Side): 1 | -1 {
  return side === 'LONG' ? 1 : -1;
}

/** The order that opens `side` (LONG buys) and the one that closes it (LONG sells). */
export function openingOrder(side: Side): OrderSide {
  return side === 'LONG' ? 'buy' : 'sell';
}
export function closingOrder(side: Side): OrderSide {
  return side === 'LONG' ? 'sell' : 'buy';
}

/** Price after slippage against the trader: a buy pays more, a sell receives less. */
export function slippedPrice(price: number, order: OrderSide, params: TradingParams): number {
  const s = params.slippageBps * BPS;
  return order === 'buy' ? price * (1 + s) : price * (1 - s);
}

/** Taker fee of a fill: takerFeeBps of its notional at the fill price. */
export function takerFee(qty: number, price: number, params: TradingParams): number {
  return qty * price * params.takerFeeBps * BPS;
}

/** Entry size before any exchange rounding: notional = equity x positionFraction x leverage, qty = notional / price. */
export function entryQuantity(equity: number, price: number, params: TradingParams): number {
  return (equity * params.positionFraction * params.leverage) / price;
}

/** Price PnL of the position if it were closed at `price` (no fees, no slippage). */
export function unrealisedPnl(position: Position, price: number): number {
  return direction(position.side) * position.qty * (price - position.entryPrice);
}

/** Equity marked at `price`: cash plus the open position's unrealised PnL (futures margin accounting). */
export function equityAt(state: Pick<TraderState, 'cash' | 'position'>, price: number): number {
  return state.position === null ? state.cash : state.cash + unrealisedPnl(state.position, price);
}

/** Stop-loss and take-profit prices, measured from the entry fill price. */
export function protectiveLevels(position: Pick<Position, 'side' | 'entryPrice'>, params: TradingParams): { stop: number; take: number } {
  const d = direction(position.side);
  return {
    stop: position.entryPrice * (1 - d * params.stopLossFraction),
    take: position.entryPrice * (1 + d * params.takeProfitFraction),
  };
}

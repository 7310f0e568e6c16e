// The filled orders and trades of one symbol (GET /fapi/v1/order, allOrders, userTrades), apart from the engine
// that decides the fills: it records a fill as Binance reports it, an order and its one taker trade.
import type { OrderLookup, OrderRecord, TradeRecord, WireOrderSide } from './account-types';

/** A fill the engine has decided on. */
export interface Fill {
  readonly clientOrderId: string;
  readonly side: WireOrderSide;
  readonly origType: OrderRecord['origType'];
  readonly qtySteps: number;
  readonly price: number;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly stopPrice: number;
  readonly time: number;
}

export class OrderHistory {
  private readonly orders = new Map<number, OrderRecord>();
  private readonly ordersByClientId = new Map<string, OrderRecord>();
  private readonly tradeLog: TradeRecord[] = [];

  /** Records `f` as order `orderId` with trade `tradeId`. */
  record(f: Fill, ids: { orderId: number; tradeId: number }, realizedPnl: number, fee: number): OrderRecord {
    const order: OrderRecord = {
      orderId: ids.orderId,
      clientOrderId: f.clientOrderId,
      side: f.side,
      origType: f.origType,
      origQtySteps: f.qtySteps,
      executedQtySteps: f.qtySteps,
      avgPrice: f.price,
      reduceOnly: f.reduceOnly,
      closePosition: f.closePosition,
      stopPrice: f.stopPrice,
      time: f.time,
      updateTime: f.time,
      realizedPnl,
      fee,
    };
    this.orders.set(order.orderId, order);
    this.ordersByClientId.set(order.clientOrderId, order);
    this.tradeLog.push({
      id: ids.tradeId,
      orderId: order.orderId,
      side: f.side,
      price: f.price,
      qtySteps: f.qtySteps,
      realizedPnl,
      commission: fee,
      time: f.time,
    });
    return order;
  }

  find(lookup: OrderLookup): OrderRecord | undefined {
    return 'orderId' in lookup ? this.orders.get(lookup.orderId) : this.ordersByClientId.get(lookup.clientOrderId);
  }

  all(): OrderRecord[] {
    return [...this.orders.values()];
  }

  trades(): readonly TradeRecord[] {
    return this.tradeLog;
  }
}

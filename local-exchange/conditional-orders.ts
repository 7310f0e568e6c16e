// The Algo Service's book of conditional orders (STOP_MARKET, TAKE_PROFIT_MARKET) and their status changes,
// apart from the engine that validates them and fills what they become.
import type { AlgoLookup, AlgoOrderRecord, ConditionalOrderRequest } from './account-types';
import { binanceErrors } from './binance-errors';
import { dirOf, sign } from './position-margin';

export class ConditionalOrderBook {
  private readonly algoOrders = new Map<number, AlgoOrderRecord>();
  private readonly algoByClientId = new Map<string, AlgoOrderRecord>();

  /** `nextId` hands out algo ids (the account's counter: Binance's algo ids are unique across symbols). */
  constructor(private readonly nextId: () => number) {}

  /** Records an accepted order (validated by the caller) as NEW. */
  add(request: ConditionalOrderRequest, clientAlgoId: string, quantitySteps: number, time: number): AlgoOrderRecord {
    const order: AlgoOrderRecord = {
      algoId: this.nextId(),
      clientAlgoId,
      orderType: request.type,
      side: request.side,
      quantitySteps,
      triggerPrice: request.triggerPrice,
      reduceOnly: request.reduceOnly,
      closePosition: request.closePosition,
      createTime: time,
      status: 'NEW',
      updateTime: time,
      triggerTime: 0,
    };
    this.algoOrders.set(order.algoId, order);
    this.algoByClientId.set(clientAlgoId, order);
    return order;
  }

  find(lookup: AlgoLookup): AlgoOrderRecord | undefined {
    return 'algoId' in lookup ? this.algoOrders.get(lookup.algoId) : this.algoByClientId.get(lookup.clientAlgoId);
  }

  all(): AlgoOrderRecord[] {
    return [...this.algoOrders.values()];
  }

  open(): AlgoOrderRecord[] {
    return [...this.algoOrders.values()].filter((o) => o.status === 'NEW');
  }

  cancel(lookup: AlgoLookup, time: number): AlgoOrderRecord {
    const order = this.find(lookup);
    if (order === undefined || order.status !== 'NEW') throw binanceErrors.cancelRejected();
    order.status = 'CANCELED';
    order.updateTime = time;
    return order;
  }

  cancelAll(time: number): AlgoOrderRecord[] {
    const open = this.open();
    for (const order of open) {
      order.status = 'CANCELED';
      order.updateTime = time;
    }
    return open;
  }

  /** Expires the reduce-only and close-position orders that would not reduce a position of `positionSteps`. */
  expireStaleReduceOrders(positionSteps: number, time: number): void {
    for (const order of this.open()) {
      if (!order.reduceOnly && !order.closePosition) continue;
      const reduces = positionSteps !== 0 && sign(positionSteps) !== dirOf(order.side);
      if (!reduces) {
        order.status = 'EXPIRED';
        order.updateTime = time;
      }
    }
  }
}

// When a conditional order triggers and at what price it fills within a replayed bar: the rules Binance's
// Algo Service applies, as pure functions the engine and the tests share.
import type { Bar } from '../domain/bars';
import type { AlgoOrderRecord, ConditionalType, WireOrderSide } from './account-types';

/** Whether the last price has already reached the trigger (Binance refuses such an order: -2021). */
export function triggerCrossed(type: ConditionalType, side: WireOrderSide, price: number, trigger: number): boolean {
  return triggersBelow(type, side) ? price <= trigger : price >= trigger;
}

// Sell stops and buy take-profits wait for the price to fall to the trigger; the others for it to rise.
function triggersBelow(type: ConditionalType, side: WireOrderSide): boolean {
  return (type === 'STOP_MARKET') === (side === 'SELL');
}

/** The price a conditional order fills at within a bar: the trigger, or the open when the bar gaps past it. */
export function fillPriceInBar(order: Pick<AlgoOrderRecord, 'orderType' | 'side' | 'triggerPrice'>, bar: Bar): number | undefined {
  const trigger = order.triggerPrice;
  if (triggersBelow(order.orderType, order.side)) {
    if (bar.open <= trigger) return bar.open;
    return bar.low <= trigger ? trigger : undefined;
  }
  if (bar.open >= trigger) return bar.open;
  return bar.high >= trigger ? trigger : undefined;
}

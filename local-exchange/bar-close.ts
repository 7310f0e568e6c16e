// What closing one symbol's bar does: its conditional orders run against the bar (fills logged), then its
// closed kline event (x: true) is published, optionally followed by the next bar's opening update (x: false).
import { BAR_MS, type Bar } from '../domain/bars';
import type { KlineStreamServer } from './kline-stream';
import type { SymbolMarket } from './market-registry';

export interface BarCloseOutlets {
  readonly streams: KlineStreamServer;
  readonly partialBarUpdates: boolean;
  readonly log: (line: string) => void;
  /** Name the symbol in log lines (several listed). */
  readonly tag: boolean;
}

export function closeBar(market: SymbolMarket, bar: Bar, out: BarCloseOutlets): void {
  for (const fill of market.engine.onBar(bar, bar.openTime)) {
    const what = `${fill.side} ${market.format.qty(fill.executedQtySteps)} at ${market.format.fillPrice(fill.avgPrice)}`;
    out.log(`${out.tag ? `${market.symbol} ` : ''}${fill.origType} ${fill.clientOrderId} triggered: ${what}`);
  }
  const eventTime = bar.openTime + BAR_MS;
  out.streams.publishKline(market.symbol, bar, true, eventTime);
  const next = market.replay.inProgress();
  if (out.partialBarUpdates && next !== undefined) {
    out.streams.publishKline(market.symbol, { ...next, high: next.open, low: next.open, close: next.open, volume: 0 }, false, eventTime);
  }
}

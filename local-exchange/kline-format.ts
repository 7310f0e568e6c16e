/**
 * Binance's kline shapes (REST row and WebSocket event) from a Bar. Open, high, low, close and volume are served
 * exactly as given; the fields a Bar does not carry (quote volume, trade count, taker-buy volumes, trade ids) are
 * synthetic but deterministic: quote volume = volume x (high + low + close) / 3, taker buys = half, trade count
 * from the volume.
 */
import { BAR_MS, type Bar } from '../domain/bars';
import { fixed, plain } from './decimal-format';

function synthetic(bar: Bar) {
  const quoteVolume = (bar.volume * (bar.high + bar.low + bar.close)) / 3;
  const trades = bar.volume > 0 ? Math.max(1, Math.round(bar.volume * 100)) : 0;
  const firstTradeId = (bar.openTime / BAR_MS) * 1000;
  return {
    quoteVolume: fixed(quoteVolume, 8),
    trades,
    firstTradeId: trades > 0 ? firstTradeId : -1,
    lastTradeId: trades > 0 ? firstTradeId + trades - 1 : -1,
    takerBuyVolume: plain(bar.volume / 2),
    takerBuyQuoteVolume: fixed(quoteVolume / 2, 8),
  };
}

/** One row of GET /fapi/v1/klines. */
export function klineRow(bar: Bar): (number | string)[] {
  const s = synthetic(bar);
  return [
    bar.openTime,
    plain(bar.open),
    plain(bar.high),
    plain(bar.low),
    plain(bar.close),
    plain(bar.volume),
    bar.openTime + BAR_MS - 1,
    s.quoteVolume,
    s.trades,
    s.takerBuyVolume,
    s.takerBuyQuoteVolume,
    '0',
  ];
}

/** The `<symbol>@kline_1m` stream event; `closed` is Binance's `x` flag (true on the bar's final update). */
export function klineEvent(symbol: string, bar: Bar, closed: boolean, eventTime: number): Record<string, unknown> {
  const s = synthetic(bar);
  return {
    e: 'kline',
    E: eventTime,
    s: symbol,
    k: {
      t: bar.openTime,
      T: bar.openTime + BAR_MS - 1,
      s: symbol,
      i: '1m',
      f: s.firstTradeId,
      L: s.lastTradeId,
      o: plain(bar.open),
      c: plain(bar.close),
      h: plain(bar.high),
      l: plain(bar.low),
      v: plain(bar.volume),
      n: s.trades,
      x: closed,
      q: s.quoteVolume,
      V: s.takerBuyVolume,
      Q: s.takerBuyQuoteVolume,
      B: '0',
    },
  };
}

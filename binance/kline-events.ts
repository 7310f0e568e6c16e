/**
 * What ccxt's watchOHLCV drops from Binance's kline events: the "final" flag (`k.x`, the bar has closed) and the
 * event time (`E`, the exchange's clock). With them a bar is stored the moment its final event arrives, instead
 * of when the next bar's first update shows that it has ended (on the local exchange, without in-progress
 * updates, that would be a whole minute later).
 *
 * ccxt.pro's binance dispatches kline messages to `this.handleOHLCV` looked up at call time, so wrapping it on
 * the instance observes every kline without changing how ccxt parses or caches it. If a future ccxt renamed the
 * handler, nothing would be observed and the streamer would still work, a bar later (see kline-stream.ts).
 */
import { z } from 'zod';
import type { StreamClient } from './exchange-client';

export interface KlineEvent {
  /** Open time of the kline (ms). */
  readonly openTime: number;
  /** True on the kline's last event: its values are final. */
  readonly final: boolean;
  /** Exchange time of the event (ms). */
  readonly eventTime: number | undefined;
}

const klineMessage = z.object({
  E: z.number().optional(),
  k: z.object({ t: z.number(), x: z.boolean(), s: z.string(), i: z.string() }),
});

type HandleOhlcv = StreamClient['handleOHLCV'];

/**
 * Calls `listener` for every 1-minute kline event of `marketId` (e.g. 'BTCUSDT') the client receives, before
 * ccxt handles it. Returns a function that removes the observer.
 */
export function observeKlineEvents(client: StreamClient, marketId: string, listener: (event: KlineEvent) => void): () => void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be restored as is; always called with .call(this)
  const original = client.handleOHLCV;
  const observed: HandleOhlcv = function (this: StreamClient, wsClient, message) {
    const parsed = klineMessage.safeParse(message);
    if (parsed.success && parsed.data.k.s === marketId && parsed.data.k.i === '1m') {
      listener({ openTime: parsed.data.k.t, final: parsed.data.k.x, eventTime: parsed.data.E });
    }
    return original.call(this, wsClient, message);
  };
  client.handleOHLCV = observed;
  return () => {
    if (client.handleOHLCV === observed) client.handleOHLCV = original;
  };
}

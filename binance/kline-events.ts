/**
 * What ccxt's watchOHLCV drops from Binance's kline events: the "final" flag (`k.x`, the bar has closed) and the
 * event time (`E`, the exchange's clock). With them a bar is stored the moment its final event arrives, instead
 * of when the next bar's first update shows that it has ended (on the local exchange, without in-progress
 * updates, that would be a whole minute later).
 *
 * ccxt.pro's binance dispatches kline messages to `this.handleOHLCV` looked up at call time, so wrapping it on
 * the instance observes every kline without changing how ccxt parses or caches it. One wrapper per client (a
 * dispatcher, installed at the first observer and kept for the client's life) serves every symbol streamed over
 * it, each listener registered by market id and removable in any order. If a future ccxt renamed the handler,
 * nothing would be observed and the streamer would still work, a bar later (see kline-stream.ts).
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

export type KlineListener = (event: KlineEvent) => void;

const klineMessage = z.object({
  E: z.number().optional(),
  k: z.object({ t: z.number(), x: z.boolean(), s: z.string(), i: z.string() }),
});

type HandleOhlcv = StreamClient['handleOHLCV'];

/** The listeners of one client's 1-minute kline events, by market id (e.g. 'BTCUSDT'). */
export class KlineDispatcher {
  private readonly listeners = new Map<string, Set<KlineListener>>();

  constructor(client: StreamClient) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- always called with .call(this)
    const original = client.handleOHLCV;
    const dispatch = (message: unknown) => this.dispatch(message);
    const observed: HandleOhlcv = function (this: StreamClient, wsClient, message) {
      dispatch(message);
      return original.call(this, wsClient, message);
    };
    client.handleOHLCV = observed;
  }

  /** Calls `listener` for every 1-minute kline event of `marketId`, before ccxt handles it; returns its removal. */
  observe(marketId: string, listener: KlineListener): () => void {
    // A wrapper object per registration, so the same function registered twice is removed once per removal.
    const entry: KlineListener = (event) => listener(event);
    let set = this.listeners.get(marketId);
    if (set === undefined) this.listeners.set(marketId, (set = new Set()));
    set.add(entry);
    return () => {
      const current = this.listeners.get(marketId);
      if (current === undefined) return;
      current.delete(entry);
      if (current.size === 0) this.listeners.delete(marketId);
    };
  }

  /** Listeners currently registered (all markets, or one). */
  listenerCount(marketId?: string): number {
    if (marketId !== undefined) return this.listeners.get(marketId)?.size ?? 0;
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  private dispatch(message: unknown): void {
    const parsed = klineMessage.safeParse(message);
    if (!parsed.success || parsed.data.k.i !== '1m') return;
    const set = this.listeners.get(parsed.data.k.s);
    if (set === undefined) return;
    const event: KlineEvent = { openTime: parsed.data.k.t, final: parsed.data.k.x, eventTime: parsed.data.E };
    for (const listener of [...set]) listener(event);
  }
}

const dispatchers = new WeakMap<StreamClient, KlineDispatcher>();

/** The client's dispatcher, installed on first use. */
export function klineDispatcher(client: StreamClient): KlineDispatcher {
  let dispatcher = dispatchers.get(client);
  if (dispatcher === undefined) {
    dispatcher = new KlineDispatcher(client);
    dispatchers.set(client, dispatcher);
  }
  return dispatcher;
}

/**
 * Calls `listener` for every 1-minute kline event of `marketId` (e.g. 'BTCUSDT') the client receives, before
 * ccxt handles it. Returns a function that removes the observer (observers of one client come off in any order).
 */
export function observeKlineEvents(client: StreamClient, marketId: string, listener: KlineListener): () => void {
  return klineDispatcher(client).observe(marketId, listener);
}

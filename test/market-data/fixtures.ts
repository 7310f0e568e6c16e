/** Shared pieces of the market-data suites: a streamer on the local exchange, polling, reading the table. */
import type { DatabaseHandle } from '../../db/client';
import { loadBars } from '../../db/repositories/bars';
import type { Bar } from '../../domain/bars';
import { liveSeries } from '../../domain/markets';
import type { ExchangeSettings } from '../../domain/exchange-settings';
import type { LocalExchange } from '../../local-exchange/local-exchange';
import { createRestClient, createStreamClient } from '../../binance/exchange-client';
import { KlineStreamer, type KlineStreamerOptions, type StreamHeartbeat } from '../../binance/kline-stream';

export const SYMBOL = 'BTCUSDT';
/** Where the market-data path stores SYMBOL: the bot's market (binance-usdm). */
export const SERIES = liveSeries(SYMBOL);
/** Bars before this index of the shipped data are history when the exchange starts. */
export const START = 3000;

export function localSettings(exchange: LocalExchange): ExchangeSettings {
  return { kind: 'local', baseUrl: exchange.baseUrl };
}

export interface RunningStreamer {
  readonly streamer: KlineStreamer;
  readonly heartbeats: StreamHeartbeat[];
  /** Aborts the stream and waits for run() to return; closes the clients. */
  stop(): Promise<StreamHeartbeat>;
}

/** A streamer on `exchange` (REST and WebSocket, unless `streamExchange` serves the WebSocket). */
export function startStreamer(
  exchange: LocalExchange,
  database: DatabaseHandle,
  options: Partial<Omit<KlineStreamerOptions, 'rest' | 'stream' | 'store'>> = {},
  streamExchange: LocalExchange = exchange,
): RunningStreamer {
  const rest = createRestClient(localSettings(exchange));
  const stream = createStreamClient(localSettings(streamExchange));
  const heartbeats: StreamHeartbeat[] = [];
  const streamer = new KlineStreamer({
    symbol: SYMBOL,
    historyHours: 2,
    sourcePrefix: 'local',
    heartbeatIntervalMs: 200,
    backoff: { initialMs: 50, maxMs: 400 },
    ...options,
    rest,
    stream,
    store: { db: database.db, sql: database.sql },
    onHeartbeat: (details) => heartbeats.push(details),
  });
  const controller = new AbortController();
  const done = streamer.run(controller.signal);
  let stopping: Promise<StreamHeartbeat> | undefined;
  return {
    streamer,
    heartbeats,
    stop: () => {
      stopping ??= (async () => {
        controller.abort();
        try {
          return await done;
        } finally {
          await Promise.all([rest.close(), stream.close()]);
        }
      })();
      return stopping;
    },
  };
}

/** Polls `condition` every 20 ms; fails with `what` after `timeoutMs`. */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves once the streamer has caught up and the exchange sees its kline subscription. */
export async function streaming(running: RunningStreamer, exchange: LocalExchange): Promise<void> {
  await waitUntil('the streamer is streaming', () => running.streamer.status().phase === 'streaming');
  await exchange.waitForKlineSubscribers(1);
}

export function allStoredBars(database: DatabaseHandle): Promise<Bar[]> {
  return loadBars(database.db, SERIES, 0, Number.MAX_SAFE_INTEGER);
}

/** Rows per bars.source, e.g. { 'local-rest': 120, 'local-ws': 3 }. */
export async function barsBySource(database: DatabaseHandle): Promise<Record<string, number>> {
  const rows = await database.sql<{ source: string; n: number }[]>`select source, count(*)::int as n from bars group by source`;
  return Object.fromEntries(rows.map((r) => [r.source, r.n]));
}

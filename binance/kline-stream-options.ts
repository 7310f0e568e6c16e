// The kline stream's options and the status it reports, apart from the streamer so that the market-data
// activity and the tests can name them without reading the connection logic.
import type { BarStore } from '../market-data/store-bars';
import type { RestClient, StreamClient } from './exchange-client';
import type { StreamLease } from './shared-stream';
import type { BackoffOptions } from './stream-reconnect';

export type StreamPhase = 'starting' | 'catching-up' | 'streaming' | 'backing-off' | 'stopped';

/** What the stream reports regularly (the activity's heartbeat details). */
export interface StreamHeartbeat {
  readonly symbol: string;
  readonly phase: StreamPhase;
  /** Open time of the newest bar known stored, null before the first. */
  readonly lastStoredOpenTime: number | null;
  /** Recoveries after a failure (each = backoff, reconnect, catch-up). */
  readonly reconnects: number;
  /** New rows written (REST and stream). */
  readonly barsStored: number;
  readonly lastError: string | null;
}

export interface KlineStreamerOptions {
  /** Exchange id of a USDT-margined perpetual, e.g. BTCUSDT (stored as that symbol of market binance-usdm). */
  readonly symbol: string;
  readonly rest: RestClient;
  /**
   * The WebSocket client: a lease on a client shared with other symbols (SharedStreamPool), or a plain client the
   * streamer then owns alone (closed when run() ends).
   */
  readonly stream: StreamClient | StreamLease;
  readonly store: BarStore;
  /** The rolling window kept complete, e.g. 72 (features need 48-72 h). */
  readonly historyHours: number;
  /** bars.source is `<prefix>-rest` or `<prefix>-ws`, e.g. 'binance', 'local'. */
  readonly sourcePrefix: string;
  readonly onHeartbeat?: (details: StreamHeartbeat) => void;
  /** Default 2 s. */
  readonly heartbeatIntervalMs?: number;
  /** Default 10 s. */
  readonly clockCheckIntervalMs?: number;
  readonly backoff?: BackoffOptions;
  /** Counters carried over from an earlier attempt (an activity's last heartbeat). */
  readonly resume?: { readonly reconnects?: number; readonly barsStored?: number };
  readonly log?: (line: string) => void;
}

/**
 * One ccxt.pro client per exchange setting, shared by every kline stream of a worker process: ccxt.pro's
 * binanceusdm sends every watchOHLCV over one connection of a client (its 'multipleOHLCV' stream, one SUBSCRIBE
 * per new symbol, paced by the client's own throttle: with enableRateLimit, cost 5 at 20 tokens/s, about 4
 * messages a second, under Binance's 10 incoming messages a second per connection), so 50 symbols ride one
 * WebSocket instead of 50 (Binance: at most 1024 streams per connection; the pool does not split beyond that).
 *
 * Each streamer holds a lease. What ends a lease and what ends the connection are kept apart:
 * - `release()`: this streamer is done (abort, cancellation, session end). Its symbol is unsubscribed when no
 *   other lease watches it (UNSUBSCRIBE, ccxt's unWatchOHLCV); the others are not disturbed. The client is closed
 *   when the last lease is released.
 * - `reset(connection)`: the connection failed for this streamer (a watch rejected, or the clock watchdog found
 *   the stream stalled). The socket is dropped, so every streamer on it reconnects (ccxt opens a new socket at the
 *   next watch) and catches up over REST: no bar is lost. Only the socket the failed watch rode is dropped, and
 *   only while it is still the client's: after a drop, the 50 streamers failing at once reset one socket once,
 *   never the fresh one the first of them re-opened.
 */
import ccxt from 'ccxt';
import type { ExchangeSettings } from '../domain/exchange-settings';
import { createStreamClient, type StreamClient } from './exchange-client';

/** The part of ccxt's WsClient (one socket) the pool touches. */
interface SocketClient {
  error: unknown;
  readonly subscriptions: Record<string, unknown>;
  reset(error: unknown): void;
  close(): unknown;
  send(message: unknown): Promise<unknown>;
}

const guarded = new WeakSet<SocketClient>();

/**
 * ccxt 4.5.84's watchMultiple sends a throttled SUBSCRIBE / UNSUBSCRIBE without handling the send's result: a
 * socket closed while the message waited in the throttle queue (a drop, a reset, the last lease closing) would
 * reject it unhandled, which ends a Node process. The send is still awaited by whoever awaits it.
 */
function guardSends(socket: SocketClient): void {
  if (guarded.has(socket)) return;
  guarded.add(socket);
  const send = socket.send.bind(socket);
  socket.send = (message: unknown) => {
    const sent = send(message);
    sent.catch(() => undefined);
    return sent;
  };
}

/** The socket(s) a watch rode, as the client held them right after the call: compared by identity. */
export interface ConnectionToken {
  readonly sockets: readonly object[];
}

export type LeaseWatch =
  | { readonly kind: 'candles'; readonly candles: number[][]; readonly connection: ConnectionToken }
  | { readonly kind: 'error'; readonly error: unknown; readonly connection: ConnectionToken };

const released = (): LeaseWatch => ({ kind: 'error', error: new Error('stream lease released'), connection: { sockets: [] } });

const UNWATCH_TIMEOUT_MS = 3_000;
const CLOSE_TIMEOUT_MS = 5_000;

function sockets(client: StreamClient): Record<string, SocketClient> {
  const all: Record<string, SocketClient> = client.clients;
  return all;
}

function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}

/** One client and its leases (one pool entry, or the single lease of a client passed in directly). */
class SharedClient {
  leases = 0;
  /** Connections dropped by reset() (a reset of a socket no longer current does not count). */
  resets = 0;
  private readonly watchers = new Map<string, number>();
  private readonly unwatching = new Map<string, Promise<void>>();
  private markets: Promise<unknown> | undefined;

  constructor(
    readonly client: StreamClient,
    private readonly onIdle: () => void,
  ) {}

  async watch(market: string, lease: { readonly isReleased: boolean }, onCall: (connection: ConnectionToken) => void): Promise<LeaseWatch> {
    try {
      // Markets loaded and any UNSUBSCRIBE of this symbol answered first, so the call below reaches ccxt's
      // watchMultiple synchronously (the token names its socket) and subscribes afresh.
      this.markets ??= this.client.loadMarkets().catch((err: unknown) => {
        this.markets = undefined;
        throw err;
      });
      await this.markets;
      await this.unwatching.get(market);
    } catch (error) {
      return { kind: 'error', error, connection: { sockets: [] } };
    }
    // Released meanwhile (an abort during the first catch-up): subscribing now would leave a symbol nobody reads.
    if (lease.isReleased) return released();
    const watching = this.client.watchOHLCV(market, '1m');
    const current = Object.values(sockets(this.client));
    current.forEach(guardSends);
    const connection: ConnectionToken = { sockets: current };
    onCall(connection);
    try {
      // Rows copied at once: ccxt updates its cached rows in place.
      const candles = (await watching).map((c) => c.map(Number));
      return { kind: 'candles', candles, connection };
    } catch (error) {
      return { kind: 'error', error, connection };
    }
  }

  addWatcher(market: string): void {
    this.watchers.set(market, (this.watchers.get(market) ?? 0) + 1);
  }

  reset(connection: ConnectionToken, reason: string): Promise<boolean> {
    const current = sockets(this.client);
    const closing: Promise<unknown>[] = [];
    for (const [url, socket] of Object.entries(current)) {
      if (!connection.sockets.includes(socket)) continue;
      // Out of the client first, so the next watch opens a new socket; its pending watches reject now.
      delete current[url];
      socket.error = new ccxt.NetworkError(`shared stream reset: ${reason}`);
      socket.reset(socket.error);
      closing.push(Promise.resolve(socket.close()));
    }
    if (closing.length === 0) return Promise.resolve(false);
    this.resets++;
    // The close handshake of a silent (stalled) socket can take ccxt's 30 s: it finishes in the background.
    void withTimeout(Promise.all(closing), CLOSE_TIMEOUT_MS);
    return Promise.resolve(true);
  }

  async release(markets: readonly string[]): Promise<void> {
    this.leases--;
    const unwatches: Promise<void>[] = [];
    for (const market of markets) {
      const left = (this.watchers.get(market) ?? 1) - 1;
      if (left > 0) {
        this.watchers.set(market, left);
        continue;
      }
      this.watchers.delete(market);
      if (this.leases > 0) unwatches.push(this.unwatch(market));
    }
    if (this.leases > 0) {
      await Promise.all(unwatches);
      return;
    }
    this.onIdle();
    await Promise.all(this.unwatching.values()); // other leases' UNSUBSCRIBEs sent and answered before it closes
    await withTimeout(this.client.close(), CLOSE_TIMEOUT_MS);
  }

  /** UNSUBSCRIBE of `market`, only on a socket that carries its subscription (never opens one for it). */
  private unwatch(market: string): Promise<void> {
    const hash = `ohlcv::${market}::1m`;
    if (!Object.values(sockets(this.client)).some((s) => s.subscriptions[hash] !== undefined)) return Promise.resolve();
    const done = withTimeout(this.client.unWatchOHLCV(market, '1m'), UNWATCH_TIMEOUT_MS).finally(() => {
      if (this.unwatching.get(market) === done) this.unwatching.delete(market);
    });
    this.unwatching.set(market, done);
    return done;
  }
}

/** One streamer's hold on a shared client. */
export class StreamLease {
  private released = false;
  private readonly markets: string[] = [];
  private readonly connections = new Map<string, ConnectionToken>();

  /** @internal built by SharedStreamPool.lease or StreamLease.exclusive */
  constructor(private readonly shared: SharedClient) {
    shared.leases++;
  }

  /** A lease that owns `client` alone: release closes it (a streamer given a plain client). */
  static exclusive(client: StreamClient): StreamLease {
    return new StreamLease(new SharedClient(client, () => undefined));
  }

  get client(): StreamClient {
    return this.shared.client;
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** The next watchOHLCV result of `market` (ccxt symbol, e.g. BTC/USDT:USDT); never rejects. */
  watch(market: string): Promise<LeaseWatch> {
    if (this.released) return Promise.resolve(released());
    if (!this.markets.includes(market)) {
      this.markets.push(market);
      this.shared.addWatcher(market);
    }
    return this.shared.watch(market, this, (connection) => this.connections.set(market, connection));
  }

  /** The socket the latest watch of `market` rode (taken at the call, before it settles). */
  connectionOf(market: string): ConnectionToken {
    return this.connections.get(market) ?? { sockets: [] };
  }

  /**
   * Drops the shared socket `connection` names, if the client still uses it (every streamer on it reconnects and
   * catches up); true when it was dropped now.
   */
  reset(connection: ConnectionToken, reason: string): Promise<boolean> {
    if (this.released) return Promise.resolve(false);
    return this.shared.reset(connection, reason);
  }

  /** Ends this lease (idempotent): unsubscribes its symbols nobody else watches; the last lease closes the client. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.shared.release(this.markets);
  }
}

/** The stable key of a setting: sorted JSON without credentials (market streams are public). */
export function streamKey(settings: ExchangeSettings): string {
  const entries = Object.entries(settings)
    .filter(([k, v]) => k !== 'apiKey' && k !== 'apiSecret' && v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}

/** The shared clients of one worker process, by exchange setting. */
export class SharedStreamPool {
  private readonly entries = new Map<string, SharedClient>();

  constructor(private readonly create: (settings: ExchangeSettings) => StreamClient = (settings) => createStreamClient(settings, null)) {}

  lease(settings: ExchangeSettings): StreamLease {
    const key = streamKey(settings);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const created: SharedClient = new SharedClient(this.create(settings), () => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
      this.entries.set(key, created);
      entry = created;
    }
    return new StreamLease(entry);
  }

  /** Clients currently open (one per setting with a lease). */
  get size(): number {
    return this.entries.size;
  }

  /** Leases held on the client of `settings` (0 when none is open). */
  leases(settings: ExchangeSettings): number {
    return this.entries.get(streamKey(settings))?.leases ?? 0;
  }

  /** Sockets of `settings`' client dropped by reset() so far. */
  resets(settings: ExchangeSettings): number {
    return this.entries.get(streamKey(settings))?.resets ?? 0;
  }
}

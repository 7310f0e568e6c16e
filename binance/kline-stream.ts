/**
 * The market-data stream of one symbol, independent of Temporal: keeps the `bars` table complete over the rolling
 * window and appends each 1-minute bar the moment it closes.
 *
 * One connection cycle:
 *   1. subscribe (watchOHLCV) first, so nothing that closes from now on can be missed;
 *   2. catch up over REST: every minute of [exchange now - historyHours, last closed bar] missing from the table;
 *   3. stream: store each closed kline, in order, deduplicated; a hole between the last stored bar and a newly
 *      closed one (a reconnect, a late subscription) is filled over REST first.
 * Any failure (WebSocket drop, REST 5xx/429, database) ends the cycle; after an exponential backoff the next
 * cycle reconnects and catches up again, so the stored series never keeps a gap the exchange can fill.
 *
 * Closed-bar rule (on the exchange's clock, never this host's): a kline is closed when its open time + 1 min <=
 * exchange time. From the stream that shows as its final event (`x: true`), an event time (`E`) past its end, or a
 * newer kline. Only a kline whose final event arrived on the current connection is stored from the stream (its
 * values are the bar's final ones); one known closed otherwise (e.g. its final event fell in a disconnect) is
 * fetched over REST. The bar in progress is never stored.
 *
 * A watchdog compares the table with the exchange clock every `clockCheckIntervalMs`: a closed bar still missing
 * at the next check means the stream is stalled (a silent connection), which is treated like a drop.
 *
 * The WebSocket may be shared with other symbols' streamers (binance/shared-stream.ts): a failed watch or a stall
 * `reset()`s the connection (every streamer on it reconnects and catches up, and only the socket that failed is
 * dropped), any other failure (REST, database) keeps it, and the end of run() only `release()`s this streamer's
 * lease, leaving the others streaming.
 */
import { BAR_MS, type Bar } from '../domain/bars';
import { BINANCE_USDM, type SeriesKey } from '../domain/markets';
import { historyStart, lastClosedOpenTime, missingRanges, type BarRange } from '../market-data/bar-window';
import { candleToBar } from './candles';
import { exchangeNow, marketSymbol } from './exchange-client';
import { observeKlineEvents, type KlineEvent } from './kline-events';
import { StreamLease, type ConnectionToken, type LeaseWatch } from './shared-stream';
import { StallWatchdog } from './stream-watchdog';
import type { KlineStreamerOptions, StreamHeartbeat, StreamPhase } from './kline-stream-options';
import { backfillRange, type BackfillTarget } from './rest-backfill';
import { backoffDelay, DEFAULT_BACKOFF, describe, isPermanentStreamError, sleep, type BackoffOptions } from './stream-reconnect';
import { storeClosedBars, storedOpenTimes } from '../market-data/store-bars';

// Callers import the streamer's options, status and reconnect policy from here.
export type { KlineStreamerOptions, StreamHeartbeat, StreamPhase } from './kline-stream-options';
export { backoffDelay, isPermanentStreamError, type BackoffOptions } from './stream-reconnect';

type LoopOutcome = LeaseWatch | { readonly kind: 'tick' } | { readonly kind: 'final' } | { readonly kind: 'abort' };

export class KlineStreamer {
  private readonly market: string;
  /** Everything this streamer stores is Binance USD-M's (or the local exchange's, which imitates it). */
  private readonly series: SeriesKey;
  private readonly backoff: BackoffOptions;
  private readonly log: (line: string) => void;
  /** This streamer's hold on the (possibly shared) WebSocket client. */
  private readonly lease: StreamLease;
  private phase: StreamPhase = 'starting';
  private lastStored: number | null = null;
  private reconnects: number;
  private barsStored: number;
  private lastError: string | null = null;
  // State of the current connection: final events seen, the exchange clock from event times, the newest kline
  // seen, and the latest values of klines not stored yet.
  private finals = new Set<number>();
  private eventClock = Number.NEGATIVE_INFINITY;
  private newestSeen = Number.NEGATIVE_INFINITY;
  private readonly unstored = new Map<number, Bar>();
  /** Set by a final kline event, cleared when the loop reads ccxt's cache (see connectionCycle). */
  private finalArrived = false;
  private wakeOnFinal: (() => void) | null = null;
  private readonly watchdog: StallWatchdog;

  constructor(private readonly options: KlineStreamerOptions) {
    this.market = marketSymbol(options.symbol);
    this.series = { market: BINANCE_USDM, symbol: options.symbol };
    historyStart(0, options.historyHours); // validates historyHours now rather than at the first catch-up
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.log = options.log ?? (() => undefined);
    this.watchdog = new StallWatchdog(options.clockCheckIntervalMs ?? 10_000);
    this.lease = options.stream instanceof StreamLease ? options.stream : StreamLease.exclusive(options.stream);
    this.reconnects = options.resume?.reconnects ?? 0;
    this.barsStored = options.resume?.barsStored ?? 0;
  }

  status(): StreamHeartbeat {
    return {
      symbol: this.options.symbol,
      phase: this.phase,
      lastStoredOpenTime: this.lastStored,
      reconnects: this.reconnects,
      barsStored: this.barsStored,
      lastError: this.lastError,
    };
  }

  /** Streams until `signal` aborts; throws only errors no reconnect can fix (isPermanentStreamError). */
  async run(signal: AbortSignal): Promise<StreamHeartbeat> {
    const { onHeartbeat } = this.options;
    const beat = () => onHeartbeat?.(this.status());
    const unobserve = observeKlineEvents(this.lease.client, this.options.symbol, (event) => this.onKlineEvent(event));
    const heartbeat = setInterval(beat, this.options.heartbeatIntervalMs ?? 2_000);
    beat();
    let failures = 0;
    try {
      while (!signal.aborted) {
        try {
          await this.connectionCycle(signal, () => (failures = 0));
        } catch (err) {
          if (signal.aborted) break;
          if (isPermanentStreamError(err)) throw err;
          this.reconnects++;
          this.lastError = describe(err);
          this.phase = 'backing-off';
          const delay = backoffDelay(failures++, this.backoff);
          this.log(`${this.options.symbol}: ${this.lastError}; reconnecting in ${delay} ms`);
          beat();
          await sleep(delay, signal);
        }
      }
    } finally {
      clearInterval(heartbeat);
      unobserve();
      this.phase = 'stopped';
      await this.release();
      beat();
    }
    return this.status();
  }

  private async connectionCycle(signal: AbortSignal, onHealthy: () => void): Promise<void> {
    this.finals = new Set();
    this.eventClock = Number.NEGATIVE_INFINITY;
    this.newestSeen = Number.NEGATIVE_INFINITY;
    this.unstored.clear();
    this.watchdog.clear();
    this.finalArrived = false;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<LoopOutcome>((resolve) => {
      onAbort = () => resolve({ kind: 'abort' });
      signal.addEventListener('abort', onAbort, { once: true });
    });
    let pending = this.watch();
    /** The connection to drop when this cycle ends: the one a watch failed on, or the one found stalled. */
    let failed: ConnectionToken | undefined;
    try {
      this.phase = 'catching-up';
      await this.catchUp(signal);
      this.phase = 'streaming';
      this.log(`${this.options.symbol}: streaming; last stored bar ${this.lastStored === null ? 'none' : new Date(this.lastStored).toISOString()}`);
      for (;;) {
        // A watch resolves with the candles of one message; a final event arriving while no watch is pending
        // (during the catch-up, or behind another message) only reaches ccxt's cache. The hook's flag makes the
        // loop read that cache, so such a bar is stored now rather than at the next kline event.
        if (this.finalArrived) {
          this.finalArrived = false;
          await this.onCandles(this.cachedFinals(), signal);
          continue;
        }
        let tick: NodeJS.Timeout | undefined;
        const ticked = new Promise<LoopOutcome>((resolve) => {
          tick = setTimeout(() => resolve({ kind: 'tick' }), this.options.clockCheckIntervalMs ?? 10_000);
        });
        const finalEvent = new Promise<LoopOutcome>((resolve) => {
          this.wakeOnFinal = () => resolve({ kind: 'final' });
        });
        const outcome = await Promise.race([pending, ticked, aborted, finalEvent]);
        clearTimeout(tick);
        this.wakeOnFinal = null;
        if (outcome.kind === 'abort') return;
        if (outcome.kind === 'final') continue;
        if (outcome.kind === 'error') {
          failed = outcome.connection;
          throw outcome.error;
        }
        if (outcome.kind === 'tick') {
          signal.throwIfAborted();
          const stalled = this.watchdog.check(this.lastStored, lastClosedOpenTime(await exchangeNow(this.options.rest)));
          if (stalled === null) continue;
          failed = this.lease.connectionOf(this.market);
          throw stalled;
        }
        pending = this.watch(); // re-arm before the writes, so events arriving meanwhile resolve it
        await this.onCandles(outcome.candles, signal);
        onHealthy();
      }
    } catch (err) {
      // A failed or stalled connection is dropped (the pending watch settles as an ignored error); after any
      // other failure it stays: the next cycle's catch-up fills what closed meanwhile.
      if (failed !== undefined) await this.reset(failed, describe(err));
      throw err;
    } finally {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    }
  }

  /** The next watchOHLCV result and the socket it rode, never rejecting. */
  private watch(): Promise<LeaseWatch> {
    return this.lease.watch(this.market);
  }

  /** Drops the connection that failed for this symbol: every streamer sharing it reconnects and catches up. */
  private async reset(connection: ConnectionToken, why: string): Promise<void> {
    const dropped = await this.lease.reset(connection, `${this.options.symbol}: ${why}`).catch(() => false);
    if (dropped) this.log(`${this.options.symbol}: dropped the WebSocket connection; every symbol on it reconnects`);
  }

  /** Ends this streamer's hold on the WebSocket client; other symbols sharing it keep streaming. */
  private async release(): Promise<void> {
    await this.lease.release().catch(() => undefined);
  }

  /** Copies of ccxt's cached candles whose final event arrived on this connection and that are not stored yet. */
  private cachedFinals(): number[][] {
    const rows: number[][] = [];
    // ccxt types its cache rows as any; read them as unknown values (each is converted with Number below).
    const cached: readonly (readonly unknown[])[] = this.lease.client.ohlcvs[this.market]?.['1m'] ?? [];
    for (const c of cached) {
      const t = c[0];
      if (typeof t === 'number' && this.finals.has(t) && (this.lastStored === null || t > this.lastStored)) rows.push(c.map(Number));
    }
    return rows;
  }

  private onKlineEvent(event: KlineEvent): void {
    if (event.final) {
      this.finals.add(event.openTime);
      this.finalArrived = true;
      this.wakeOnFinal?.();
    }
    if (event.eventTime !== undefined && event.eventTime > this.eventClock) this.eventClock = event.eventTime;
  }

  private isClosed(openTime: number): boolean {
    return this.finals.has(openTime) || openTime < this.newestSeen || openTime + BAR_MS <= this.eventClock;
  }

  /** REST: every minute of the rolling window up to the last closed bar that the table lacks. */
  private async catchUp(signal: AbortSignal): Promise<void> {
    const now = await exchangeNow(this.options.rest);
    const to = lastClosedOpenTime(now);
    const from = historyStart(now, this.options.historyHours);
    const stored = await storedOpenTimes(this.options.store.db, this.series, from, to);
    const last = stored.at(-1);
    if (last !== undefined) this.advanceLastStored(last);
    for (const range of missingRanges(stored, from, to)) await this.fill(range, signal);
  }

  private async fill(range: BarRange, signal: AbortSignal): Promise<void> {
    const target: BackfillTarget = {
      rest: this.options.rest,
      store: this.options.store,
      series: this.series,
      marketSymbol: this.market,
      source: `${this.options.sourcePrefix}-rest`,
    };
    const result = await backfillRange(target, range, signal);
    this.barsStored += result.inserted;
    if (result.lastOpenTime !== null) this.advanceLastStored(result.lastOpenTime);
    const minutes = (range.to - range.from) / BAR_MS + 1;
    if (result.fetched < minutes) {
      this.log(
        `${this.options.symbol}: the exchange has ${result.fetched} of the ${minutes} bars ${new Date(range.from).toISOString()} .. ${new Date(range.to).toISOString()}`,
      );
    }
  }

  private advanceLastStored(openTime: number): void {
    if (this.lastStored === null || openTime > this.lastStored) this.lastStored = openTime;
    for (const t of this.unstored.keys()) if (t <= openTime) this.unstored.delete(t);
    for (const t of this.finals) if (t <= openTime) this.finals.delete(t);
  }

  private async onCandles(candles: readonly number[][], signal: AbortSignal): Promise<void> {
    for (const candle of candles) {
      const bar = candleToBar(candle, `${this.lease.client.id} watchOHLCV`);
      if (bar.openTime > this.newestSeen) this.newestSeen = bar.openTime;
      if (this.lastStored === null || bar.openTime > this.lastStored) this.unstored.set(bar.openTime, bar);
    }
    const closed = [...this.unstored.keys()].filter((t) => this.isClosed(t)).sort((a, b) => a - b);
    let batch: Bar[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const written = batch;
      batch = [];
      this.barsStored += await storeClosedBars(this.options.store, this.series, written, `${this.options.sourcePrefix}-ws`);
      this.advanceLastStored(written.at(-1)!.openTime);
    };
    for (const t of closed) {
      const end = batch.at(-1)?.openTime ?? this.lastStored;
      if (end !== null && t <= end) continue; // already covered by a REST fill
      if (end !== null && t > end + BAR_MS) {
        await flush();
        await this.fill({ from: end + BAR_MS, to: t - BAR_MS }, signal);
      }
      const bar = this.unstored.get(t);
      if (this.finals.has(t) && bar !== undefined) {
        batch.push(bar);
      } else {
        // Closed, but its final values never reached this connection: take them from REST.
        await flush();
        await this.fill({ from: t, to: t }, signal);
      }
    }
    await flush();
  }
}

/**
 * A local Binance USD-M futures exchange for tests and the offline demo: the real ccxt client (binanceusdm, and
 * ccxt.pro's for WebSocket) talks to it with only its URLs changed (see ccxt-config.ts).
 *
 * One HTTP port serves the REST API (rest-api.ts), the market-stream WebSocket (kline-stream.ts) and the admin
 * endpoints (admin-api.ts). The market is a replay of a bar array (market-replay.ts): manually with `advance(n)`
 * (tests: no timers), or timed at `speed` (1 = one bar per 60 s of wall time). Server time, kline events and order
 * times follow the replayed market clock. Orders fill against the replay (account-engine.ts).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BAR_MS, type Bar } from '../domain/bars';
import { AccountEngine } from './account-engine';
import type { AccountState, IncomeRecord } from './account-types';
import type { AdminTarget } from './admin-api';
import { CancellableDelays } from './cancellable-delays';
import { BTCUSDT_PERPETUAL } from './exchange-info';
import { FaultInjector, type OrderRejection, type RestFault, type ShortPageFault, type SlowRequestFault, type WebSocketRefusal } from './fault-injector';
import { FundingSeries } from './funding-series';
import { KlineStreamServer } from './kline-stream';
import { DEMO_API_KEY, DEMO_API_SECRET, type LocalExchangeOptions } from './local-exchange-options';
import { MarketReplay, type RegimeChange } from './market-replay';
import { PositionMode } from './position-mode';
import type { RestContext } from './rest-api';
import { ResponseFormatter } from './rest-responses';
import { handleRestRequest, type RestServerDeps } from './rest-server';

// Callers import the options and demo credentials with the exchange.
export { DEMO_API_KEY, DEMO_API_SECRET, type LocalExchangeOptions } from './local-exchange-options';

export class LocalExchange implements AdminTarget {
  readonly apiKey: string;
  readonly apiSecret: string;
  private readonly replay: MarketReplay;
  private readonly engine: AccountEngine;
  private readonly faults = new FaultInjector();
  private readonly streams: KlineStreamServer;
  private readonly server: Server;
  private readonly ctx: RestContext;
  private readonly wall: () => number;
  private readonly log: (line: string) => void;
  private readonly delays = new CancellableDelays();
  private speed: number;
  private timer: NodeJS.Timeout | undefined;
  private barStartedAtWall: number;
  private pausedIntraBarMs = 0;
  private stopped = false;
  private listeningPort = 0;

  private constructor(private readonly options: LocalExchangeOptions) {
    const spec = options.instrument ?? BTCUSDT_PERPETUAL;
    this.apiKey = options.apiKey ?? DEMO_API_KEY;
    this.apiSecret = options.apiSecret ?? DEMO_API_SECRET;
    this.wall = options.wallClock ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.speed = options.speed ?? 0;
    if (!(this.speed >= 0)) throw new Error(`speed must be >= 0 (0 = manual), got ${this.speed}`);
    this.replay = new MarketReplay(options.bars, options.startIndex ?? 0);
    this.barStartedAtWall = this.wall();
    this.engine = new AccountEngine({
      spec,
      startingBalance: options.startingBalance ?? 10_000,
      takerFeeRate: (options.takerFeeBps ?? 4) / 10_000,
      slippageBps: options.slippageBps ?? 0,
      leverage: options.leverage ?? 20,
      fundedAt: this.replay.clock(),
    });
    const funding = options.funding === undefined ? FundingSeries.synthetic(options.bars) : FundingSeries.given(options.funding);
    if (funding.origin === 'synthetic') this.log(`funding: a SYNTHETIC 8-hourly series of ${funding.length} rates (no funding series given)`);
    this.ctx = {
      spec,
      replay: this.replay,
      engine: this.engine,
      format: new ResponseFormatter(spec, this.engine),
      funding,
      positionMode: new PositionMode(),
      serverTime: () => this.serverTime(),
      takeOrderRejection: () => this.faults.takeOrderRejection(),
      takeShortPage: (path) => this.faults.takeShortPage(path),
      onOrder: (line) => this.log(line),
    };
    this.streams = new KlineStreamServer({
      symbol: spec.symbol,
      pingIntervalMs: options.wsPingIntervalMs ?? 180_000,
      pongTimeoutMs: options.wsPongTimeoutMs ?? 600_000,
      refuseConnections: () => this.faults.webSocketRefused(this.wall(), this.replay.closedCount),
      wallClock: this.wall,
    });
    const rest: RestServerDeps = {
      ctx: this.ctx,
      faults: this.faults,
      admin: this,
      credentials: { apiKey: this.apiKey, apiSecret: this.apiSecret },
      timestampToleranceMs: options.timestampToleranceMs ?? 5000,
      wall: this.wall,
      log: this.log,
      delay: (ms) => this.delays.wait(ms),
      stopped: () => this.stopped,
    };
    this.server = createServer((req, res) => void handleRestRequest(req, res, rest));
    this.server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => this.streams.handleUpgrade(req, socket, head));
  }

  /** Starts listening; with `speed` > 0 the timed replay starts too. */
  static async start(options: LocalExchangeOptions): Promise<LocalExchange> {
    const exchange = new LocalExchange(options);
    await new Promise<void>((resolve, reject) => {
      exchange.server.once('error', reject);
      exchange.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        exchange.server.off('error', reject);
        resolve();
      });
    });
    exchange.listeningPort = (exchange.server.address() as AddressInfo).port;
    if (exchange.speed > 0) exchange.startReplay();
    return exchange;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** REST base URL, e.g. http://127.0.0.1:8090 (give it to configureCcxtForLocal). */
  get baseUrl(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.listeningPort}`;
  }

  /** Market-stream base URL (ccxt's urls.api.ws.future). */
  get wsUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/ws`;
  }

  get klineStreamName(): string {
    return this.streams.streamName;
  }

  /** The replayed market clock (Unix ms): the open time of the bar in progress, plus elapsed time when timed. */
  serverTime(): number {
    return this.replay.clock(this.intraBarMs());
  }

  get closedBars(): number {
    return this.replay.closedCount;
  }

  get totalBars(): number {
    return this.replay.length;
  }

  get replayRunning(): boolean {
    return this.timer !== undefined;
  }

  lastPrice(): number {
    return this.replay.lastPrice();
  }

  /** Position, balances and margin at the last price. */
  account(): AccountState {
    return this.engine.state(this.replay.lastPrice());
  }

  /**
   * Replays the next `bars` bars now: conditional orders are run against each, then its closed kline event
   * (x: true) is published. Returns the bars released (fewer at the end of the data).
   */
  advance(bars = 1): Bar[] {
    if (!Number.isInteger(bars) || bars < 1) throw new Error(`advance needs a positive integer number of bars, got ${bars}`);
    const released: Bar[] = [];
    for (let i = 0; i < bars; i++) {
      const bar = this.replay.release();
      if (bar === undefined) break;
      released.push(bar);
      for (const fill of this.engine.onBar(bar, bar.openTime)) {
        this.log(
          `${fill.origType} ${fill.clientOrderId} triggered: ${fill.side} ${this.ctx.format.qty(fill.executedQtySteps)} at ${this.ctx.format.fillPrice(fill.avgPrice)}`,
        );
      }
      const eventTime = bar.openTime + BAR_MS;
      this.streams.publishKline(bar, true, eventTime);
      const next = this.replay.inProgress();
      if (this.options.partialBarUpdates === true && next !== undefined) {
        this.streams.publishKline({ ...next, high: next.open, low: next.open, close: next.open, volume: 0 }, false, eventTime);
      }
    }
    this.barStartedAtWall = this.wall();
    this.pausedIntraBarMs = 0;
    if (this.replay.finished && this.timer !== undefined) {
      this.pauseReplay();
      this.log('replay finished: no bars left');
    }
    return released;
  }

  /** Starts (or re-times) the timed replay; `speed` 1 = one bar per 60 s. */
  startReplay(speed: number = this.speed || 1): void {
    if (!(speed > 0)) throw new Error(`replay speed must be > 0, got ${speed}`);
    const intra = this.intraBarMs();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.speed = speed;
    // Keep the clock where it was: the bar in progress continues at the new speed.
    this.barStartedAtWall = this.wall() - intra / speed;
    const intervalMs = BAR_MS / speed;
    this.timer = setInterval(() => this.advance(1), intervalMs);
    this.timer.unref();
    this.log(`replay running at ${speed}x (one bar every ${intervalMs} ms)`);
  }

  /** Stops the timed replay; the clock stays where it was. */
  pauseReplay(): void {
    if (this.timer === undefined) return;
    this.pausedIntraBarMs = this.intraBarMs();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The next `count` REST calls (matching `pathPrefix`/`method`) fail with `status`. */
  failRequests(fault: RestFault): void {
    this.faults.failRequests(fault);
    this.log(`fault: next ${fault.count} REST call(s)${fault.pathPrefix === undefined ? '' : ` to ${fault.pathPrefix}*`} answer ${fault.status}`);
  }

  /** The next `count` history answers (klines unless `pathPrefix`) carry at most `rows` rows, although more exist. */
  shortenPages(fault: ShortPageFault): void {
    this.faults.shortenPages(fault);
    this.log(`fault: next ${fault.count} answer(s) of ${fault.pathPrefix ?? '/fapi/v1/klines'} carry at most ${fault.rows} row(s)`);
  }

  /** The next `count` REST calls (matching `pathPrefix`/`method`) answer `ms` late. */
  slowDown(fault: SlowRequestFault): void {
    this.faults.slowDown(fault);
  }

  /** Delays every REST answer by `ms`. */
  setLatency(ms: number): void {
    this.faults.setLatency(ms);
  }

  /** The next order placements fail (default: one, -2019 Margin is insufficient.). */
  rejectNextOrders(rejection: OrderRejection = { count: 1 }): void {
    this.faults.rejectOrders(rejection);
  }

  /** Cuts every WebSocket connection; optionally refuses new ones for a while. Returns how many were cut. */
  dropWebSockets(refusal: WebSocketRefusal = {}): number {
    this.faults.refuseWebSockets(refusal, this.wall(), this.replay.closedCount);
    const dropped = this.streams.dropAll();
    this.log(`fault: dropped ${dropped} WebSocket connection(s)`);
    return dropped;
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Rewrites bars not yet replayed (volumes and volatility), e.g. to test drift detection. */
  injectRegimeChange(change: RegimeChange): void {
    this.replay.applyRegimeChange(change);
    this.log(`regime change from bar ${change.fromIndex}: volume x${change.volumeMultiplier ?? 1}, volatility x${change.volatilityMultiplier ?? 1}`);
  }

  /** Books a transfer or a funding payment on the account now (someone moving money behind the bot's back, funding). */
  bookIncome(type: 'TRANSFER' | 'FUNDING_FEE', amount: number): IncomeRecord {
    const record = this.engine.bookIncome(type, amount, this.serverTime());
    this.log(`${type} of ${amount} booked on the wallet`);
    return record;
  }

  /** Resolves once `count` WebSocket connections are subscribed to the kline stream. */
  waitForKlineSubscribers(count = 1, timeoutMs = 5000): Promise<void> {
    return this.streams.waitForKlineSubscribers(count, timeoutMs);
  }

  state(): Record<string, unknown> {
    const account = this.account();
    return {
      serverTime: this.serverTime(),
      closedBars: this.replay.closedCount,
      totalBars: this.replay.length,
      finished: this.replay.finished,
      lastPrice: this.replay.lastPrice(),
      replayRunning: this.replayRunning,
      speed: this.speed,
      leverage: this.engine.leverage,
      marginType: this.engine.marginType,
      dualSidePosition: this.ctx.positionMode.dualSidePosition,
      funding: { origin: this.ctx.funding.origin, rates: this.ctx.funding.length },
      account,
      openConditionalOrders: this.engine.openAlgoOrders().length,
      faults: this.faults.snapshot(),
      webSocketConnections: this.streams.connectionCount(),
      klineSubscribers: this.streams.klineSubscribers(),
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.pauseReplay();
    this.delays.releaseAll();
    await this.streams.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private intraBarMs(): number {
    if (this.timer === undefined) return this.pausedIntraBarMs;
    return (this.wall() - this.barStartedAtWall) * this.speed;
  }
}

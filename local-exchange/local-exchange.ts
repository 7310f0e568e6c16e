/**
 * A local Binance USD-M futures exchange for tests and the offline demo: the real ccxt client (binanceusdm, and
 * ccxt.pro's for WebSocket) talks to it with only its URLs changed (see ccxt-config.ts).
 *
 * One HTTP port serves the REST API (rest-api.ts), the market-stream WebSocket (kline-stream.ts) and the admin
 * endpoints (admin-api.ts). It lists one symbol (`bars`) or several (`markets`, market-registry.ts), each a replay
 * of a bar array (market-replay.ts) on one shared clock: manually with `advance(n)` (tests: no timers), or timed at
 * `speed` (1 = one bar per 60 s of wall time, replay-timer.ts). Server time, kline events and order times follow
 * the replayed market clock. Orders fill against their symbol's replay (account-engine.ts), on one wallet.
 * Symbol-taking methods default to the first (or only) symbol.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bar } from '../domain/bars';
import type { AccountState, AccountTotals, IncomeRecord } from './account-types';
import type { AdminTarget, HandTrade } from './admin-api';
import { CancellableDelays } from './cancellable-delays';
import { exchangeState } from './exchange-state';
import { FaultInjector, type OrderRejection, type RestFault, type ShortPageFault, type SlowRequestFault, type WebSocketRefusal } from './fault-injector';
import { KlineStreamServer } from './kline-stream';
import { DEMO_API_KEY, DEMO_API_SECRET, type LocalExchangeOptions } from './local-exchange-options';
import { closeBar } from './bar-close';
import { accountSettingsOf, MarketRegistry, marketsOf } from './market-registry';
import type { RegimeChange } from './market-replay';
import { PositionMode } from './position-mode';
import { ReplayTimer } from './replay-timer';
import type { RestContext } from './rest-api';
import { handleRestRequest, type RestServerDeps } from './rest-server';

// Callers import the options and demo credentials with the exchange.
export { DEMO_API_KEY, DEMO_API_SECRET, type LocalExchangeOptions, type MarketOptions } from './local-exchange-options';

export class LocalExchange implements AdminTarget {
  readonly apiKey: string;
  readonly apiSecret: string;
  private readonly markets: MarketRegistry;
  private readonly faults = new FaultInjector();
  private readonly streams: KlineStreamServer;
  private readonly server: Server;
  private readonly ctx: RestContext;
  private readonly wall: () => number;
  private readonly log: (line: string) => void;
  private readonly delays = new CancellableDelays();
  private readonly timer: ReplayTimer;
  private stopped = false;
  private listeningPort = 0;

  private constructor(private readonly options: LocalExchangeOptions) {
    this.apiKey = options.apiKey ?? DEMO_API_KEY;
    this.apiSecret = options.apiSecret ?? DEMO_API_SECRET;
    this.wall = options.wallClock ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.timer = new ReplayTimer(this.wall, options.speed ?? 0, () => this.advance(1), this.log);
    this.markets = new MarketRegistry(marketsOf(options), options.startIndex ?? 0, accountSettingsOf(options), this.log);
    this.ctx = {
      markets: this.markets,
      positionMode: new PositionMode(),
      serverTime: () => this.serverTime(),
      takeOrderRejection: () => this.faults.takeOrderRejection(),
      takeShortPage: (path) => this.faults.takeShortPage(path),
      onOrder: (line) => this.log(line),
    };
    this.streams = new KlineStreamServer({
      symbols: this.markets.symbols,
      pingIntervalMs: options.wsPingIntervalMs ?? 180_000,
      pongTimeoutMs: options.wsPongTimeoutMs ?? 600_000,
      refuseConnections: () => this.faults.webSocketRefused(this.wall(), this.closedBars),
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
    if (exchange.timer.speed > 0) exchange.startReplay();
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

  /** The listed symbols, in the order given (the first is the default of symbol-taking methods). */
  get symbols(): string[] {
    return this.markets.symbols;
  }

  /** The first symbol's kline stream name (e.g. btcusdt@kline_1m). */
  get klineStreamName(): string {
    return this.streams.streamName();
  }

  klineStreamNameOf(symbol: string): string {
    return this.streams.streamName(this.markets.pick(symbol).symbol);
  }

  /** The replayed market clock (Unix ms): the open time of the bar in progress, plus elapsed time when timed. */
  serverTime(): number {
    return this.markets.clockReplay.clock(this.timer.intraBarMs());
  }

  get closedBars(): number {
    return this.markets.clockReplay.closedCount;
  }

  get totalBars(): number {
    return this.markets.clockReplay.length;
  }

  get replayRunning(): boolean {
    return this.timer.running;
  }

  lastPrice(symbol?: string): number {
    return this.markets.pick(symbol).replay.lastPrice();
  }

  /** A symbol's position at its last price, with the account's balances (every symbol's position counted). */
  account(symbol?: string): AccountState {
    const market = this.markets.pick(symbol);
    return market.engine.state(market.replay.lastPrice());
  }

  /** The one wallet and every position's PnL and margin together. */
  accountTotals(): AccountTotals {
    return this.markets.totals();
  }

  /**
   * Replays the next `bars` bars of every symbol now: each symbol's conditional orders are run against its own
   * bar, then its closed kline event (x: true) is published. Returns the first symbol's bars released (fewer at
   * the end of the data; the other symbols' are the same indexes of their own series).
   */
  advance(bars = 1): Bar[] {
    if (!Number.isInteger(bars) || bars < 1) throw new Error(`advance needs a positive integer number of bars, got ${bars}`);
    const released: Bar[] = [];
    for (let i = 0; i < bars; i++) {
      const closed = this.markets.release();
      if (closed.length === 0) break;
      for (const { market, bar } of closed) {
        if (market === this.markets.first) released.push(bar);
        closeBar(market, bar, {
          streams: this.streams,
          partialBarUpdates: this.options.partialBarUpdates === true,
          log: this.log,
          tag: this.symbols.length > 1,
        });
      }
    }
    this.timer.barClosed();
    if (this.markets.clockReplay.finished && this.timer.running) {
      this.pauseReplay();
      this.log('replay finished: no bars left');
    }
    return released;
  }

  /** Starts (or re-times) the timed replay; `speed` 1 = one bar per 60 s. */
  startReplay(speed?: number): void {
    this.timer.start(speed);
  }

  /** Stops the timed replay; the clock stays where it was. */
  pauseReplay(): void {
    this.timer.pause();
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
    this.faults.refuseWebSockets(refusal, this.wall(), this.closedBars);
    const dropped = this.streams.dropAll();
    this.log(`fault: dropped ${dropped} WebSocket connection(s)`);
    return dropped;
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Rewrites a symbol's bars not yet replayed (volumes and volatility), e.g. to test drift detection. */
  injectRegimeChange(change: RegimeChange, symbol?: string): void {
    const market = this.markets.pick(symbol);
    market.replay.applyRegimeChange(change);
    const what = `volume x${change.volumeMultiplier ?? 1}, volatility x${change.volatilityMultiplier ?? 1}`;
    this.log(`regime change${this.symbols.length > 1 ? ` of ${market.symbol}` : ''} from bar ${change.fromIndex}: ${what}`);
  }

  /** Books a transfer, or a funding payment of a symbol's position, on the wallet now. */
  bookIncome(type: 'TRANSFER' | 'FUNDING_FEE', amount: number, symbol?: string): IncomeRecord {
    const record = this.markets.pick(symbol).engine.bookIncome(type, amount, this.serverTime());
    this.log(`${type}${record.symbol === '' ? '' : ` of ${record.symbol}`} of ${amount} booked on the wallet`);
    return record;
  }

  /** A market order placed by hand (someone trading behind the bot's back); answers Binance's order JSON. */
  handTrade(trade: HandTrade): Record<string, unknown> {
    const market = this.markets.pick(trade.symbol);
    const request = { side: trade.side, quantity: trade.quantity, reduceOnly: trade.reduceOnly ?? false };
    const order = market.engine.placeMarketOrder(request, market.replay.lastPrice(), this.serverTime());
    this.log(`hand trade: ${market.symbol} ${trade.side} ${market.format.qty(order.executedQtySteps)} at ${market.format.fillPrice(order.avgPrice)}`);
    return market.format.order(order);
  }

  /** Resolves once `count` WebSocket connections are subscribed to `symbol`'s kline stream (default the first's). */
  waitForKlineSubscribers(count = 1, timeoutMs = 5000, symbol?: string): Promise<void> {
    return this.streams.waitForKlineSubscribers(count, timeoutMs, this.markets.pick(symbol).symbol);
  }

  /** Connections subscribed to `symbol`'s kline stream (default the first's). */
  klineSubscribers(symbol?: string): number {
    return this.streams.klineSubscribers(this.markets.pick(symbol).symbol);
  }

  /** Subscribed connections per listed symbol, e.g. { BTCUSDT: 1, ETHUSDT: 1 }. */
  klineSubscribersBySymbol(): Record<string, number> {
    return this.streams.subscribersBySymbol();
  }

  /** Open WebSocket connections, whatever they subscribe to. */
  webSocketConnections(): number {
    return this.streams.connectionCount();
  }

  state(): Record<string, unknown> {
    return exchangeState({
      markets: this.markets,
      serverTime: this.serverTime(),
      replayRunning: this.replayRunning,
      speed: this.timer.speed,
      dualSidePosition: this.ctx.positionMode.dualSidePosition,
      faults: this.faults.snapshot(),
      streams: this.streams,
    });
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
}

/**
 * Binance USD-M's market-stream WebSocket, as ccxt.pro's binanceusdm uses it, on the HTTP server's port:
 * - raw streams: `/ws`, `/ws/<stream>[/<stream>...]` and the split paths `/market/ws/...`, `/public/ws/...`
 *   (ccxt connects to `<ws.future minus /ws>/market/ws/<n>`, n being its own connection index, ignored here);
 * - combined streams: `/stream?streams=a/b` (also under /market and /public), events wrapped as {stream, data};
 * - live subscription messages: SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY with
 *   Binance's acknowledgements ({"result": null, "id": n});
 * - keep-alive: the server pings every `pingIntervalMs` and drops a connection silent for `pongTimeoutMs`; the
 *   `ws` package answers client pings with pongs;
 * - `/ws-fapi/v1` (the WebSocket API) answers every request with an error status: it is not implemented;
 * - Binance's limit of incoming messages per connection (USD-M: 10 a second; text messages, PING and PONG frames
 *   count): a connection beyond it is closed as Binance closes it, with code 1008 "Too many requests".
 * Each listed symbol's `<symbol>@kline_1m` carries that symbol's bars, so one connection subscribed to several
 * (combined URL, or SUBSCRIBE with several names) receives them all; other stream names are accepted and stay silent.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import type { Bar } from '../domain/bars';
import { klineEvent } from './kline-format';

export interface KlineStreamOptions {
  /** The listed Binance symbols, e.g. BTCUSDT (the first is the default of the subscriber counts). */
  readonly symbols: readonly string[];
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  /** Whether a new connection must be refused now (fault injection). */
  readonly refuseConnections: () => boolean;
  readonly wallClock: () => number;
  /** Incoming messages a connection may send per second (default 10, Binance USD-M's limit). */
  readonly maxIncomingPerSecond?: number;
}

/** Binance's close of a connection beyond its incoming-message limit (RFC 6455 1008: policy violation). */
export const TOO_MANY_REQUESTS_CLOSE = { code: 1008, reason: 'Too many requests' } as const;

interface Session {
  readonly socket: WebSocket;
  readonly combined: boolean;
  readonly wsApi: boolean;
  readonly streams: Set<string>;
  lastPongAt: number;
  /** Arrival times (wall clock) of the incoming messages of the last second. */
  readonly incoming: number[];
  overLimit: boolean;
}

const STREAM_PATH = /^\/(?:(?:public|market|private)\/)?(ws|stream)(?:\/(.*))?$/;
const WS_API_PATH = /^\/ws-fapi\/v1\/?$/;

const subscriptionMessage = z.object({
  method: z.enum(['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY']),
  params: z.array(z.union([z.string(), z.boolean()])).optional(),
  id: z.union([z.number().int(), z.string()]).nullable(),
});

const wsApiRequest = z.object({ id: z.union([z.number(), z.string()]).nullable().optional(), method: z.string().optional() });

export class KlineStreamServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Set<Session>();
  private readonly pingTimer: NodeJS.Timeout;
  private readonly subscriptionWaiters = new Set<() => void>();

  constructor(private readonly options: KlineStreamOptions) {
    if (options.symbols.length === 0) throw new Error('the kline stream needs at least one symbol');
    this.pingTimer = setInterval(() => this.keepAlive(), options.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** Name of the stream that carries `symbol`'s replayed bars (default: the first symbol's). */
  streamName(symbol: string = this.options.symbols[0]!): string {
    return klineStreamOf(symbol);
  }

  /** Takes over an HTTP upgrade request (the server's 'upgrade' event). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://local');
    const wsApi = WS_API_PATH.test(url.pathname);
    const match = STREAM_PATH.exec(url.pathname);
    if (!wsApi && match === null) {
      rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (this.options.refuseConnections()) {
      rejectUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    const combined = match?.[1] === 'stream';
    const initial = combined ? (url.searchParams.get('streams') ?? '') : (match?.[2] ?? '');
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const session: Session = {
        socket: ws,
        combined,
        wsApi,
        // ccxt appends its connection index ("/ws/0"): only names with '@' are streams.
        streams: new Set(initial.split('/').filter((s) => s.includes('@'))),
        lastPongAt: this.options.wallClock(),
        incoming: [],
        overLimit: false,
      };
      this.sessions.add(session);
      ws.on('pong', () => {
        session.lastPongAt = this.options.wallClock();
        this.countIncoming(session);
      });
      ws.on('ping', () => this.countIncoming(session));
      ws.on('message', (data) => {
        if (this.countIncoming(session)) this.onMessage(session, data);
      });
      ws.on('close', () => this.sessions.delete(session));
      ws.on('error', () => this.sessions.delete(session));
      if (session.streams.size > 0) this.notifySubscriptionWaiters();
    });
  }

  /** Sends `symbol`'s kline event to every connection subscribed to its 1m stream. */
  publishKline(symbol: string, bar: Bar, closed: boolean, eventTime: number): void {
    const stream = klineStreamOf(symbol);
    const event = klineEvent(symbol, bar, closed, eventTime);
    for (const session of this.sessions) {
      if (!session.streams.has(stream)) continue;
      send(session, session.combined ? { stream, data: event } : event);
    }
  }

  /** Connections currently subscribed to `symbol`'s kline stream (default: the first symbol's). */
  klineSubscribers(symbol: string = this.options.symbols[0]!): number {
    const stream = klineStreamOf(symbol);
    let n = 0;
    for (const session of this.sessions) if (session.streams.has(stream)) n++;
    return n;
  }

  /** Subscribed connections per listed symbol. */
  subscribersBySymbol(): Record<string, number> {
    return Object.fromEntries(this.options.symbols.map((symbol) => [symbol, this.klineSubscribers(symbol)]));
  }

  /** Resolves once at least `count` connections are subscribed to `symbol`'s kline stream (default: the first's). */
  waitForKlineSubscribers(count: number, timeoutMs: number, symbol: string = this.options.symbols[0]!): Promise<void> {
    if (this.klineSubscribers(symbol) >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.klineSubscribers(symbol) < count) return;
        clearTimeout(timer);
        this.subscriptionWaiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.subscriptionWaiters.delete(check);
        reject(new Error(`no ${count} subscriber(s) to ${klineStreamOf(symbol)} within ${timeoutMs} ms (have ${this.klineSubscribers(symbol)})`));
      }, timeoutMs);
      this.subscriptionWaiters.add(check);
    });
  }

  /** Cuts every connection as a network failure would (no close frame); returns how many were cut. */
  dropAll(): number {
    const n = this.sessions.size;
    for (const session of this.sessions) session.socket.terminate();
    this.sessions.clear();
    return n;
  }

  connectionCount(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onMessage(session: Session, data: RawData): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawText(data));
    } catch (e) {
      send(session, { code: 3, msg: `Invalid JSON: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    if (session.wsApi) {
      const request = wsApiRequest.safeParse(parsed);
      const id = request.success ? (request.data.id ?? null) : null;
      const method = request.success ? (request.data.method ?? '?') : '?';
      send(session, { id, status: 400, error: { code: -1, msg: `Local exchange: the WebSocket API (${method}) is not implemented; use REST.` } });
      return;
    }
    const message = subscriptionMessage.safeParse(parsed);
    if (!message.success) {
      const id = typeof parsed === 'object' && parsed !== null && 'id' in parsed ? parsed.id : null;
      send(session, { code: 2, msg: `Invalid request: ${message.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}`, id });
      return;
    }
    const { method, params = [], id } = message.data;
    const names = params.filter((p): p is string => typeof p === 'string');
    switch (method) {
      case 'SUBSCRIBE':
        for (const name of names) session.streams.add(name);
        send(session, { result: null, id });
        this.notifySubscriptionWaiters();
        return;
      case 'UNSUBSCRIBE':
        for (const name of names) session.streams.delete(name);
        send(session, { result: null, id });
        return;
      case 'LIST_SUBSCRIPTIONS':
        send(session, { result: [...session.streams], id });
        return;
      case 'SET_PROPERTY':
        send(session, { result: null, id });
        return;
      case 'GET_PROPERTY':
        send(session, { result: session.combined, id });
        return;
    }
  }

  /** Counts one incoming message; false (and the connection closed, as Binance does) beyond the limit. */
  private countIncoming(session: Session): boolean {
    if (session.overLimit) return false;
    const now = this.options.wallClock();
    while (session.incoming.length > 0 && session.incoming[0]! <= now - 1000) session.incoming.shift();
    session.incoming.push(now);
    if (session.incoming.length <= (this.options.maxIncomingPerSecond ?? 10)) return true;
    session.overLimit = true;
    session.streams.clear();
    session.socket.close(TOO_MANY_REQUESTS_CLOSE.code, TOO_MANY_REQUESTS_CLOSE.reason);
    return false;
  }

  private notifySubscriptionWaiters(): void {
    for (const waiter of [...this.subscriptionWaiters]) waiter();
  }

  private keepAlive(): void {
    const now = this.options.wallClock();
    for (const session of this.sessions) {
      if (now - session.lastPongAt > this.options.pongTimeoutMs) {
        session.socket.terminate();
        this.sessions.delete(session);
      } else {
        session.socket.ping();
      }
    }
  }
}

/** Binance's name of a symbol's 1-minute kline stream (lowercase symbol). */
export const klineStreamOf = (symbol: string): string => `${symbol.toLowerCase()}@kline_1m`;

function send(session: Session, message: unknown): void {
  if (session.socket.readyState === session.socket.OPEN) session.socket.send(JSON.stringify(message));
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

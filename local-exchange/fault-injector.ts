/**
 * Faults the local exchange can be told to produce, so tests and demos can watch a client survive them:
 * REST errors (429 rate limit, 418 ban, 5xx), REST latency (all calls, or a few slow ones), short history pages,
 * rejected orders, dropped and refused WebSocket connections. Each fault is counted down as it fires; `clear()`
 * removes them all.
 */
import { BinanceApiError, binanceErrors } from './binance-errors';

export interface RestFault {
  /** 429 and 418 answer Binance's -1003 JSON; 5xx answer `body` (default plain text, as Binance's gateway). */
  readonly status: 418 | 429 | 500 | 502 | 503 | 504;
  /** How many matching calls fail. */
  readonly count: number;
  /** Only calls whose path starts with this (e.g. "/fapi/v1/order"); all REST calls when absent. */
  readonly pathPrefix?: string;
  /** Only calls with this HTTP method. */
  readonly method?: string;
  readonly body?: string;
}

/** History answers (klines, funding rates) with fewer rows than asked although more exist. */
export interface ShortPageFault {
  readonly count: number;
  /** The most rows each of those answers carries (>= 1). */
  readonly rows: number;
  /** Default "/fapi/v1/klines". */
  readonly pathPrefix?: string;
}

/** Single REST calls answered late (e.g. past a client's timeout), unlike `setLatency`, which delays every call. */
export interface SlowRequestFault {
  readonly count: number;
  readonly ms: number;
  readonly pathPrefix?: string;
  readonly method?: string;
}

export interface OrderRejection {
  readonly count: number;
  /** Binance error code; default -2019 "Margin is insufficient.". */
  readonly code?: number;
  readonly msg?: string;
  readonly httpStatus?: number;
}

export interface WebSocketRefusal {
  /** Refuse new connections for this long (wall-clock ms). */
  readonly forMs?: number;
  /** Refuse new connections until this many more bars have been replayed. */
  readonly forBars?: number;
}

export interface FaultResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface FaultSnapshot {
  readonly restFaults: (RestFault & { remaining: number })[];
  readonly shortPagesRemaining: number;
  readonly slowRequestsRemaining: number;
  readonly latencyMs: number;
  readonly orderRejectionsRemaining: number;
  readonly webSocketsRefusedUntil: { wallMs?: number; closedBars?: number };
}

export class FaultInjector {
  private restFaults: (RestFault & { remaining: number })[] = [];
  private shortPages: (ShortPageFault & { remaining: number })[] = [];
  private slowRequests: (SlowRequestFault & { remaining: number })[] = [];
  private orderRejections: (OrderRejection & { remaining: number })[] = [];
  private refuseUntilWallMs: number | undefined;
  private refuseUntilClosedBars: number | undefined;
  latencyMs = 0;

  failRequests(fault: RestFault): void {
    if (!Number.isInteger(fault.count) || fault.count < 1) throw new Error(`REST fault count must be a positive integer, got ${fault.count}`);
    this.restFaults.push({ ...fault, remaining: fault.count });
  }

  shortenPages(fault: ShortPageFault): void {
    checkCount('short-page', fault.count);
    if (!Number.isInteger(fault.rows) || fault.rows < 1) throw new Error(`short-page rows must be a positive integer, got ${fault.rows}`);
    this.shortPages.push({ ...fault, remaining: fault.count });
  }

  slowDown(fault: SlowRequestFault): void {
    checkCount('slow-request', fault.count);
    if (!(fault.ms >= 0) || !Number.isFinite(fault.ms)) throw new Error(`slow-request ms must be a finite number >= 0, got ${fault.ms}`);
    this.slowRequests.push({ ...fault, remaining: fault.count });
  }

  setLatency(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`latency must be a finite number of ms >= 0, got ${ms}`);
    this.latencyMs = ms;
  }

  rejectOrders(rejection: OrderRejection): void {
    if (!Number.isInteger(rejection.count) || rejection.count < 1) {
      throw new Error(`order rejection count must be a positive integer, got ${rejection.count}`);
    }
    this.orderRejections.push({ ...rejection, remaining: rejection.count });
  }

  refuseWebSockets(refusal: WebSocketRefusal, wallNowMs: number, closedBars: number): void {
    if (refusal.forMs !== undefined) this.refuseUntilWallMs = wallNowMs + refusal.forMs;
    if (refusal.forBars !== undefined) this.refuseUntilClosedBars = closedBars + refusal.forBars;
  }

  clear(): void {
    this.restFaults = [];
    this.shortPages = [];
    this.slowRequests = [];
    this.orderRejections = [];
    this.refuseUntilWallMs = undefined;
    this.refuseUntilClosedBars = undefined;
    this.latencyMs = 0;
  }

  /** The fault answer for this call, if a REST fault matches it (and counts it down). */
  takeRestFault(method: string, path: string): FaultResponse | undefined {
    const fault = this.restFaults.find(
      (f) => f.remaining > 0 && (f.pathPrefix === undefined || path.startsWith(f.pathPrefix)) && (f.method === undefined || f.method.toUpperCase() === method),
    );
    if (fault === undefined) return undefined;
    fault.remaining--;
    this.restFaults = this.restFaults.filter((f) => f.remaining > 0);
    if (fault.status === 429 || fault.status === 418) {
      const error = fault.status === 429 ? binanceErrors.tooManyRequests() : binanceErrors.ipBanned();
      return {
        status: fault.status,
        headers: { 'content-type': 'application/json', 'retry-after': '1' },
        body: fault.body ?? JSON.stringify(error.toJSON()),
      };
    }
    return { status: fault.status, headers: { 'content-type': 'text/plain' }, body: fault.body ?? 'Service Unavailable.' };
  }

  /** The most rows this history answer may carry, if a short-page fault matches (and counts it down). */
  takeShortPage(path: string): number | undefined {
    const fault = this.shortPages.find((f) => f.remaining > 0 && path.startsWith(f.pathPrefix ?? '/fapi/v1/klines'));
    if (fault === undefined) return undefined;
    fault.remaining--;
    this.shortPages = this.shortPages.filter((f) => f.remaining > 0);
    return fault.rows;
  }

  /** The extra delay of this call, if a slow-request fault matches (and counts it down). */
  takeSlowRequest(method: string, path: string): number | undefined {
    const fault = this.slowRequests.find(
      (f) => f.remaining > 0 && (f.pathPrefix === undefined || path.startsWith(f.pathPrefix)) && (f.method === undefined || f.method.toUpperCase() === method),
    );
    if (fault === undefined) return undefined;
    fault.remaining--;
    this.slowRequests = this.slowRequests.filter((f) => f.remaining > 0);
    return fault.ms;
  }

  /** The error for this order placement, if a rejection is armed (and counts it down). */
  takeOrderRejection(): BinanceApiError | undefined {
    const rejection = this.orderRejections[0];
    if (rejection === undefined) return undefined;
    rejection.remaining--;
    if (rejection.remaining <= 0) this.orderRejections.shift();
    if (rejection.code === undefined && rejection.msg === undefined) return binanceErrors.marginInsufficient();
    return new BinanceApiError(rejection.httpStatus ?? 400, rejection.code ?? -2019, rejection.msg ?? 'Margin is insufficient.');
  }

  webSocketRefused(wallNowMs: number, closedBars: number): boolean {
    return (
      (this.refuseUntilWallMs !== undefined && wallNowMs < this.refuseUntilWallMs) ||
      (this.refuseUntilClosedBars !== undefined && closedBars < this.refuseUntilClosedBars)
    );
  }

  snapshot(): FaultSnapshot {
    return {
      restFaults: this.restFaults.map((f) => ({ ...f })),
      shortPagesRemaining: this.shortPages.reduce((n, f) => n + f.remaining, 0),
      slowRequestsRemaining: this.slowRequests.reduce((n, f) => n + f.remaining, 0),
      latencyMs: this.latencyMs,
      orderRejectionsRemaining: this.orderRejections.reduce((n, r) => n + r.remaining, 0),
      webSocketsRefusedUntil: { wallMs: this.refuseUntilWallMs, closedBars: this.refuseUntilClosedBars },
    };
  }
}

function checkCount(kind: string, count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new Error(`${kind} fault count must be a positive integer, got ${count}`);
}

/**
 * Faults the local exchange can be told to produce, so tests and demos can watch a client survive them:
 * REST errors (429 rate limit, 418 ban, 5xx), REST latency, rejected orders, dropped and refused WebSocket
 * connections. Each fault is counted down as it fires; `clear()` removes them all.
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
  readonly latencyMs: number;
  readonly orderRejectionsRemaining: number;
  readonly webSocketsRefusedUntil: { wallMs?: number; closedBars?: number };
}

export class FaultInjector {
  private restFaults: (RestFault & { remaining: number })[] = [];
  private orderRejections: (OrderRejection & { remaining: number })[] = [];
  private refuseUntilWallMs: number | undefined;
  private refuseUntilClosedBars: number | undefined;
  latencyMs = 0;

  failRequests(fault: RestFault): void {
    if (!Number.isInteger(fault.count) || fault.count < 1) throw new Error(`REST fault count must be a positive integer, got ${fault.count}`);
    this.restFaults.push({ ...fault, remaining: fault.count });
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
      latencyMs: this.latencyMs,
      orderRejectionsRemaining: this.orderRejections.reduce((n, r) => n + r.remaining, 0),
      webSocketsRefusedUntil: { wallMs: this.refuseUntilWallMs, closedBars: this.refuseUntilClosedBars },
    };
  }
}

/**
 * The local exchange's operator endpoints (no authentication, never faulted or delayed), so a test or demo in
 * another process can drive the replay and inject faults:
 *
 *   GET    /__admin/state                      replay clock, account, faults, connections
 *   POST   /__admin/advance  {"bars": 3}       replay bars now (manual mode)
 *   POST   /__admin/replay   {"running": true, "speed": 60}   start or pause the timed replay
 *   POST   /__admin/faults   {"kind": "rest", "status": 429, "count": 2, "pathPrefix": "/fapi/v1/order"}
 *                            {"kind": "latency", "ms": 250}
 *                            {"kind": "short-page", "count": 2, "rows": 10, "pathPrefix": "/fapi/v1/klines"}
 *                            {"kind": "slow", "count": 1, "ms": 5000, "pathPrefix": "/fapi/v1/klines"}
 *                            {"kind": "reject-orders", "count": 1, "code": -2019, "msg": "Margin is insufficient."}
 *                            {"kind": "drop-websockets", "refuseForMs": 5000, "refuseForBars": 2}
 *                            {"kind": "clear"}
 *   DELETE /__admin/faults                     clears every fault
 *   POST   /__admin/regime   {"fromIndex": 5000, "volumeMultiplier": 3, "volatilityMultiplier": 2, "symbol": "ETHUSDT"}
 *   POST   /__admin/income   {"type": "TRANSFER", "amount": -250}   a transfer or funding payment booked on the wallet
 *                            {"type": "FUNDING_FEE", "amount": -1.5, "symbol": "ETHUSDT"}
 *   POST   /__admin/trade    {"side": "BUY", "quantity": 0.01, "symbol": "ETHUSDT", "reduceOnly": false}
 *                            a market order by hand (behind the bot's back), filled at the symbol's last price
 *
 * `symbol` is optional everywhere: the first (or only) listed symbol by default. The clock (advance, replay) is
 * every symbol's at once.
 */
import { z } from 'zod';
import type { Bar } from '../domain/bars';
import type { RestFault, OrderRejection, ShortPageFault, SlowRequestFault, WebSocketRefusal } from './fault-injector';
import type { RegimeChange } from './market-replay';
import type { IncomeRecord } from './account-types';

/** A market order placed by hand on a symbol (default: the first). */
export interface HandTrade {
  readonly symbol?: string;
  readonly side: 'BUY' | 'SELL';
  readonly quantity: number;
  readonly reduceOnly?: boolean;
}

/** What the admin endpoints need from the exchange. */
export interface AdminTarget {
  state(): Record<string, unknown>;
  advance(bars: number): Bar[];
  serverTime(): number;
  startReplay(speed?: number): void;
  pauseReplay(): void;
  failRequests(fault: RestFault): void;
  setLatency(ms: number): void;
  shortenPages(fault: ShortPageFault): void;
  slowDown(fault: SlowRequestFault): void;
  rejectNextOrders(rejection: OrderRejection): void;
  dropWebSockets(refusal?: WebSocketRefusal): number;
  clearFaults(): void;
  injectRegimeChange(change: RegimeChange, symbol?: string): void;
  bookIncome(type: 'TRANSFER' | 'FUNDING_FEE', amount: number, symbol?: string): IncomeRecord;
  handTrade(trade: HandTrade): Record<string, unknown>;
}

export interface AdminResponse {
  readonly status: number;
  readonly body: unknown;
}

const advanceBody = z.object({ bars: z.number().int().min(1).max(100_000).default(1) }).strict();
const replayBody = z.object({ running: z.boolean(), speed: z.number().positive().max(100_000).optional() }).strict();
const faultBody = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('rest'),
      status: z.union([z.literal(418), z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
      count: z.number().int().min(1),
      pathPrefix: z.string().startsWith('/').optional(),
      method: z.enum(['GET', 'POST', 'PUT', 'DELETE']).optional(),
      body: z.string().optional(),
    })
    .strict(),
  z.object({ kind: z.literal('latency'), ms: z.number().min(0).max(600_000) }).strict(),
  z
    .object({
      kind: z.literal('short-page'),
      count: z.number().int().min(1).default(1),
      rows: z.number().int().min(1),
      pathPrefix: z.string().startsWith('/').optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('slow'),
      count: z.number().int().min(1).default(1),
      ms: z.number().min(0).max(600_000),
      pathPrefix: z.string().startsWith('/').optional(),
      method: z.enum(['GET', 'POST', 'PUT', 'DELETE']).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('reject-orders'),
      count: z.number().int().min(1).default(1),
      code: z.number().int().optional(),
      msg: z.string().optional(),
      httpStatus: z.number().int().min(400).max(599).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('drop-websockets'),
      refuseForMs: z.number().min(0).optional(),
      refuseForBars: z.number().int().min(0).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('clear') }).strict(),
]);
const symbol = z
  .string()
  .regex(/^[A-Z0-9]{2,30}$/)
  .optional();
const incomeBody = z.object({ type: z.enum(['TRANSFER', 'FUNDING_FEE']), amount: z.number().finite(), symbol }).strict();
const tradeBody = z.object({ side: z.enum(['BUY', 'SELL']), quantity: z.number().positive(), symbol, reduceOnly: z.boolean().optional() }).strict();
const regimeBody = z
  .object({
    symbol,
    fromIndex: z.number().int().min(0),
    volumeMultiplier: z.number().min(0).optional(),
    volatilityMultiplier: z.number().positive().optional(),
  })
  .strict();

export const ADMIN_PREFIX = '/__admin/';

/** Answers one admin request; `rawBody` is JSON (empty means {}). */
export function handleAdmin(method: string, path: string, rawBody: string, target: AdminTarget): AdminResponse {
  let json: unknown = {};
  if (rawBody.trim() !== '') {
    try {
      json = JSON.parse(rawBody);
    } catch {
      return { status: 400, body: { error: `${method} ${path}: the body is not JSON` } };
    }
  }
  const parse = <T>(schema: z.ZodType<T>): T => {
    const result = schema.safeParse(json);
    if (!result.success) {
      throw new Error(`${method} ${path}: ${result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
    }
    return result.data;
  };
  try {
    switch (`${method} ${path}`) {
      case 'GET /__admin/state':
        return { status: 200, body: target.state() };
      case 'POST /__admin/advance': {
        const released = target.advance(parse(advanceBody).bars);
        return { status: 200, body: { released: released.map((b) => b.openTime), serverTime: target.serverTime() } };
      }
      case 'POST /__admin/replay': {
        const body = parse(replayBody);
        if (body.running) target.startReplay(body.speed);
        else target.pauseReplay();
        return { status: 200, body: target.state() };
      }
      case 'POST /__admin/faults':
        return { status: 200, body: applyFault(parse(faultBody), target) };
      case 'DELETE /__admin/faults':
        target.clearFaults();
        return { status: 200, body: { cleared: true } };
      case 'POST /__admin/regime': {
        const { symbol: regimeSymbol, ...change } = parse(regimeBody);
        target.injectRegimeChange(change, regimeSymbol);
        return { status: 200, body: { applied: true } };
      }
      case 'POST /__admin/income': {
        const body = parse(incomeBody);
        return { status: 200, body: target.bookIncome(body.type, body.amount, body.symbol) };
      }
      case 'POST /__admin/trade':
        return { status: 200, body: target.handTrade(parse(tradeBody)) };
      default:
        return { status: 404, body: { error: `${method} ${path} is not an admin endpoint (see local-exchange/admin-api.ts)` } };
    }
  } catch (e) {
    // Input errors and refused operations (e.g. a regime change in the past) are the caller's to fix.
    return { status: 400, body: { error: e instanceof Error ? e.message : String(e) } };
  }
}

function applyFault(fault: z.infer<typeof faultBody>, target: AdminTarget): Record<string, unknown> {
  switch (fault.kind) {
    case 'rest':
      target.failRequests(fault);
      return { armed: fault };
    case 'latency':
      target.setLatency(fault.ms);
      return { latencyMs: fault.ms };
    case 'short-page':
      target.shortenPages(fault);
      return { armed: fault };
    case 'slow':
      target.slowDown(fault);
      return { armed: fault };
    case 'reject-orders':
      target.rejectNextOrders(fault);
      return { armed: fault };
    case 'drop-websockets':
      return { dropped: target.dropWebSockets({ forMs: fault.refuseForMs, forBars: fault.refuseForBars }) };
    case 'clear':
      target.clearFaults();
      return { cleared: true };
  }
}

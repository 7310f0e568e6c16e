/**
 * Deterministic client order ids for live orders.
 *
 * Why deterministic: an activity that places an order can be retried by Temporal after the order reached the
 * exchange but before the activity reported success (a timeout, a crash, a lost answer). The retry computes the
 * same id from the same inputs (bot workflow id, the decision's bar, the order's purpose), looks the order up by
 * that id first and only sends it when the exchange has no such order, so a retry never trades twice. A random
 * id would make every attempt a new order.
 *
 * Format (Binance allows 1..36 characters of [.A-Z:/a-z0-9_-]):
 *   mlb-<workflow hash>-<minute index>-<purpose>[<attempt>]     e.g. mlb-0k2xv9a-gmfk0-o
 * - workflow hash: FNV-1a 32-bit of the workflow id (UTF-8), base36, 7 characters: bots sharing one account get
 *   different ids (two ids collide with probability 2^-32 per pair of workflows);
 * - minute index: the bar open time / 60,000, base36 (5 characters until 2084);
 * - purpose: o = open, c = close, s = stop-loss, t = take-profit, f = flatten;
 * - attempt: absent for 0, else base36; for a deliberate new order with the same bar and purpose (e.g. a
 *   protective order placed again after it was cancelled), never for a retry of the same order.
 */
import { BAR_MS } from './bars';

export type OrderPurpose = 'open' | 'close' | 'sl' | 'tp' | 'flatten';

export interface ClientOrderIdInput {
  /** The bot's Temporal workflow id. */
  readonly workflowId: string;
  /** Open time (Unix ms, minute-aligned) of the bar whose close made the decision. */
  readonly barOpenTime: number;
  readonly purpose: OrderPurpose;
  /** 0 (default) for the first order of this bar and purpose. */
  readonly attempt?: number;
}

export interface ParsedClientOrderId {
  /** workflowHash(workflowId) of the bot that placed the order. */
  readonly workflowHash: string;
  readonly barOpenTime: number;
  readonly purpose: OrderPurpose;
  readonly attempt: number;
}

/** Binance's rule for newClientOrderId / clientAlgoId. */
export const BINANCE_CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

const PREFIX = 'mlb';
const HASH_CHARS = 7;
const MAX_LENGTH = 36;
const PURPOSE_CODES: Readonly<Record<OrderPurpose, string>> = { open: 'o', close: 'c', sl: 's', tp: 't', flatten: 'f' };
const PURPOSES_BY_CODE: Readonly<Record<string, OrderPurpose>> = { o: 'open', c: 'close', s: 'sl', t: 'tp', f: 'flatten' };
const PARSE = /^mlb-([0-9a-z]{7})-([0-9a-z]+)-([ocstf])([0-9a-z]*)$/;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** UTF-8 bytes of a string (no TextEncoder: domain code stays free of platform APIs). */
function utf8Bytes(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return bytes;
}

/** FNV-1a 32-bit hash of the workflow id's UTF-8 bytes, base36, zero-padded to 7 characters. */
export function workflowHash(workflowId: string): string {
  let hash = FNV_OFFSET;
  for (const byte of utf8Bytes(workflowId)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return (hash >>> 0).toString(36).padStart(HASH_CHARS, '0');
}

/** The client order id of one order decision; the same inputs always give the same id. */
export function clientOrderId(input: ClientOrderIdInput): string {
  const { workflowId, barOpenTime, purpose } = input;
  const attempt = input.attempt ?? 0;
  if (workflowId.length === 0) throw new Error('clientOrderId: workflowId must not be empty');
  if (!Number.isSafeInteger(barOpenTime) || barOpenTime < 0 || barOpenTime % BAR_MS !== 0) {
    throw new Error(`clientOrderId: barOpenTime must be a minute-aligned Unix time in ms, got ${barOpenTime}`);
  }
  const code = PURPOSE_CODES[purpose];
  if (code === undefined) throw new Error(`clientOrderId: unknown purpose "${String(purpose)}" (open, close, sl, tp, flatten)`);
  if (!Number.isSafeInteger(attempt) || attempt < 0) throw new Error(`clientOrderId: attempt must be an integer >= 0, got ${attempt}`);
  const id = `${PREFIX}-${workflowHash(workflowId)}-${(barOpenTime / BAR_MS).toString(36)}-${code}${attempt === 0 ? '' : attempt.toString(36)}`;
  // Only an absurd attempt number can get here (the rest is bounded); refuse rather than let Binance reject it.
  if (id.length > MAX_LENGTH) throw new Error(`clientOrderId: "${id}" is longer than Binance's ${MAX_LENGTH} characters`);
  return id;
}

/** The parts of an id made by clientOrderId, or null for any other id (e.g. one placed by hand). */
export function parseClientOrderId(id: string): ParsedClientOrderId | null {
  const match = PARSE.exec(id);
  if (match === null) return null;
  const [, hash, minutes, code, attempt] = match;
  const purpose = PURPOSES_BY_CODE[code ?? ''];
  if (hash === undefined || minutes === undefined || purpose === undefined) return null;
  // "0" is never written as an attempt suffix: an id carrying it is not ours.
  if (attempt === '0' || (attempt !== undefined && attempt.startsWith('0'))) return null;
  return {
    workflowHash: hash,
    barOpenTime: parseInt(minutes, 36) * BAR_MS,
    purpose,
    attempt: attempt === undefined || attempt === '' ? 0 : parseInt(attempt, 36),
  };
}

/** The protective orders of an open position at the exchange (live mode), by client order id. */
export interface ProtectiveOrderIds {
  readonly sl: string;
  readonly tp: string;
}

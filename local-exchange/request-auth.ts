/**
 * Binance's SIGNED-endpoint checks: the X-MBX-APIKEY header names the key, and `signature` is the hex
 * HMAC-SHA256 (keyed with the secret) of the query string concatenated with the request body, both exactly as
 * sent and without the signature parameter itself.
 *
 * `timestamp` is checked against the wall clock, not the replay clock: clients sign with their own clock, and
 * the replay may be years in the past. The check is lenient by `toleranceMs` on both sides of Binance's window
 * (timestamp <= now + 1 s, now - timestamp <= recvWindow).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { binanceErrors } from './binance-errors';

export interface ApiCredentials {
  readonly apiKey: string;
  readonly apiSecret: string;
}

export interface SignedRequest {
  readonly apiKeyHeader: string | undefined;
  /** Query string as received, without the leading '?'. */
  readonly rawQuery: string;
  /** Form body as received ('' for none). */
  readonly rawBody: string;
  /** Parameters of query and body, decoded. */
  readonly params: URLSearchParams;
}

const DEFAULT_RECV_WINDOW = 5000;
const MAX_RECV_WINDOW = 60_000;

/** Throws Binance's error for the first check the request fails. */
export function verifySignedRequest(request: SignedRequest, credentials: ApiCredentials, nowMs: number, toleranceMs: number): void {
  const apiKey = request.apiKeyHeader;
  if (apiKey === undefined || apiKey === '') throw binanceErrors.apiKeyFormatInvalid();
  if (!sameText(apiKey, credentials.apiKey)) throw binanceErrors.invalidApiKey();

  const signature = request.params.get('signature');
  if (signature === null || signature === '') throw binanceErrors.mandatoryParam('signature');
  const timestampText = request.params.get('timestamp');
  if (timestampText === null || !/^\d+$/.test(timestampText)) throw binanceErrors.mandatoryParam('timestamp');

  const payload = withoutSignature(request.rawQuery) + withoutSignature(request.rawBody);
  const expected = createHmac('sha256', credentials.apiSecret).update(payload).digest('hex');
  if (!sameText(signature.toLowerCase(), expected)) throw binanceErrors.invalidSignature();

  const recvWindowText = request.params.get('recvWindow');
  const recvWindow = recvWindowText === null ? DEFAULT_RECV_WINDOW : Number(recvWindowText);
  if (!Number.isInteger(recvWindow) || recvWindow <= 0 || recvWindow > MAX_RECV_WINDOW) {
    throw binanceErrors.invalidParamValue('recvWindow');
  }
  const timestamp = Number(timestampText);
  if (timestamp > nowMs + 1000 + toleranceMs || nowMs - timestamp > recvWindow + toleranceMs) {
    throw binanceErrors.timestampOutsideRecvWindow();
  }
}

// Drops the `signature=...` pair, keeping every other byte as sent (the HMAC covers the raw text).
function withoutSignature(raw: string): string {
  if (raw === '') return raw;
  return raw
    .split('&')
    .filter((pair) => !pair.startsWith('signature='))
    .join('&');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

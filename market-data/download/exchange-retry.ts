/**
 * How the downloader survives an exchange under load. On top of ccxt's own limiter (enableRateLimit), every call is
 * retried when a retry can help:
 * - 429 / 418 (ccxt's DDoSProtection family): wait what the answer's Retry-After says, then try again; a wait longer
 *   than `maxRetryAfterMs` (a ban of hours) is not waited out but reported;
 * - 5xx, timeouts, network errors (ExchangeNotAvailable, RequestTimeout, NetworkError): exponential backoff, at most
 *   `maxAttempts` tries;
 * - anything else (an unknown symbol, a bad request) fails at once: no retry can fix it.
 */
import { z } from 'zod';

export interface RetryPolicy {
  /** Tries of a call that fails with 5xx, a timeout or a network error. Default 5. */
  readonly maxAttempts: number;
  /** First backoff after such a failure, doubled each time up to maxBackoffMs. Default 1 s. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** Rate-limit answers waited out for one call before giving up. Default 10. */
  readonly maxRateLimitWaits: number;
  /** The longest Retry-After waited out; longer ones (an IP ban) fail the download. Default 5 min. */
  readonly maxRetryAfterMs: number;
  /** The wait after a rate-limit answer without a Retry-After header. Default 60 s (Binance's window is a minute). */
  readonly defaultRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  backoffMs: 1_000,
  maxBackoffMs: 16_000,
  maxRateLimitWaits: 10,
  maxRetryAfterMs: 300_000,
  defaultRetryAfterMs: 60_000,
};

export interface RetryEvent {
  readonly what: string;
  readonly kind: 'rate-limit' | 'transient';
  readonly attempt: number;
  readonly waitMs: number;
  readonly error: string;
}

/** A failure no retry fixes, or retries exhausted: the download stops with this message. */
export class DownloadError extends Error {
  override name = 'DownloadError';
}

/** The part of a ccxt client the retries read: the headers of its last answer (ccxt capitalises their names). */
export interface HeaderSource {
  readonly last_response_headers?: unknown;
}

type Failure = 'rate-limit' | 'transient' | 'permanent';

/** ccxt's class names of an error's prototype chain (works across realms: Jest runs ccxt in another one). */
function classNames(err: unknown): Set<string> {
  const names = new Set<string>();
  for (
    let p: unknown = typeof err === 'object' && err !== null ? Object.getPrototypeOf(err) : null;
    p !== null && typeof p === 'object';
    p = Object.getPrototypeOf(p)
  ) {
    const name = (p as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string') names.add(name);
  }
  return names;
}

export function classifyFailure(err: unknown): Failure {
  const names = classNames(err);
  // DDoSProtection is ccxt's class of 418 and 429 (RateLimitExceeded extends it); both are NetworkErrors too.
  if (names.has('DDoSProtection')) return 'rate-limit';
  if (names.has('NetworkError') || names.has('BadResponse')) return 'transient';
  return 'permanent';
}

const headers = z.record(z.string(), z.unknown());

/** The Retry-After of the last answer in ms (seconds or an HTTP date), or undefined. */
export function retryAfterMs(client: HeaderSource, now = Date.now()): number | undefined {
  const parsed = headers.safeParse(client.last_response_headers);
  if (!parsed.success) return undefined;
  const entry = Object.entries(parsed.data).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  if (typeof entry !== 'string' || entry.trim() === '') return undefined;
  const seconds = Number(entry);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(entry);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryContext {
  readonly client: HeaderSource;
  readonly policy: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly onRetry?: (event: RetryEvent) => void;
}

/** Runs `call` with the retries above; `what` names it in messages (e.g. "klines from 2025-01-01T00:00Z"). */
export async function withRetries<T>(what: string, call: () => Promise<T>, ctx: RetryContext): Promise<T> {
  const { policy } = ctx;
  let transient = 0;
  let rateLimited = 0;
  for (;;) {
    ctx.signal?.throwIfAborted();
    try {
      return await call();
    } catch (err) {
      const kind = classifyFailure(err);
      if (kind === 'permanent') throw err;
      let waitMs: number;
      if (kind === 'rate-limit') {
        rateLimited++;
        waitMs = retryAfterMs(ctx.client) ?? policy.defaultRetryAfterMs;
        if (waitMs > policy.maxRetryAfterMs) {
          throw new DownloadError(`${what}: the exchange refuses requests for ${Math.ceil(waitMs / 1000)} s (Retry-After; an IP ban?): ${message(err)}`);
        }
        if (rateLimited > policy.maxRateLimitWaits)
          throw new DownloadError(`${what}: still rate-limited after ${policy.maxRateLimitWaits} waits: ${message(err)}`);
      } else {
        transient++;
        if (transient >= policy.maxAttempts) throw new DownloadError(`${what}: failed ${transient} times, giving up: ${message(err)}`);
        waitMs = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (transient - 1));
      }
      ctx.onRetry?.({ what, kind, attempt: kind === 'rate-limit' ? rateLimited : transient, waitMs, error: message(err) });
      await sleep(waitMs, ctx.signal);
    }
  }
}

/** The downloader's retry rules, on stand-ins for ccxt's error classes (ccxt is matched by class name). */
import { classifyFailure, DownloadError, retryAfterMs, withRetries, type RetryPolicy } from '../../market-data/download/exchange-retry';

// Named like ccxt's classes and nested as in ccxt: RateLimitExceeded < DDoSProtection < NetworkError.
class NetworkError extends Error {}
class DDoSProtection extends NetworkError {}
class RateLimitExceeded extends DDoSProtection {}
class RequestTimeout extends NetworkError {}
class BadSymbol extends Error {}

const policy: RetryPolicy = { maxAttempts: 3, backoffMs: 1, maxBackoffMs: 4, maxRateLimitWaits: 2, maxRetryAfterMs: 2_000, defaultRetryAfterMs: 5 };

/** A call failing with `errors` in turn, then answering 'ok'. */
function failing(...errors: Error[]) {
  let calls = 0;
  return {
    call: () => {
      calls++;
      const error = errors.shift();
      return error === undefined ? Promise.resolve('ok') : Promise.reject(error);
    },
    calls: () => calls,
  };
}

describe('download retries', () => {
  it('sorts failures: rate limits, transient ones, and the rest', () => {
    expect(classifyFailure(new RateLimitExceeded('429'))).toBe('rate-limit');
    expect(classifyFailure(new DDoSProtection('418'))).toBe('rate-limit');
    expect(classifyFailure(new RequestTimeout('timed out'))).toBe('transient');
    expect(classifyFailure(new BadSymbol('no such market'))).toBe('permanent');
    expect(classifyFailure(new Error('bug'))).toBe('permanent');
  });

  it('reads Retry-After in seconds or as an HTTP date, whatever the header case', () => {
    expect(retryAfterMs({ last_response_headers: { 'Retry-After': '3' } })).toBe(3_000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs({ last_response_headers: { 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' } }, now)).toBe(10_000);
    expect(retryAfterMs({ last_response_headers: {} })).toBeUndefined();
    expect(retryAfterMs({})).toBeUndefined();
  });

  it('waits a rate limit out for its Retry-After and retries a timeout after a backoff', async () => {
    const waits: number[] = [];
    const f = failing(new RateLimitExceeded('429'), new RequestTimeout('timed out'));
    const client = { last_response_headers: { 'Retry-After': '0.02' } };
    await expect(withRetries('klines', f.call, { client, policy, onRetry: (e) => waits.push(e.waitMs) })).resolves.toBe('ok');
    expect(waits).toEqual([20, 1]);
    expect(f.calls()).toBe(3);
  });

  it('does not wait out a ban longer than maxRetryAfterMs, and gives up after maxAttempts', async () => {
    const banned = failing(new DDoSProtection('418 banned'));
    const client = { last_response_headers: { 'Retry-After': '7200' } };
    await expect(withRetries('klines', banned.call, { client, policy })).rejects.toThrow('klines: the exchange refuses requests for 7200 s');
    const down = failing(new RequestTimeout('a'), new RequestTimeout('b'), new RequestTimeout('c'), new RequestTimeout('d'));
    const attempt = withRetries('klines', down.call, { client: {}, policy });
    await expect(attempt).rejects.toBeInstanceOf(DownloadError);
    await expect(attempt).rejects.toThrow('klines: failed 3 times, giving up: c');
  });

  it('never retries what no retry can fix', async () => {
    const f = failing(new BadSymbol('binanceusdm does not have market symbol ETH/USDT:USDT'));
    await expect(withRetries('markets', f.call, { client: {}, policy })).rejects.toBeInstanceOf(BadSymbol);
    expect(f.calls()).toBe(1);
  });
});

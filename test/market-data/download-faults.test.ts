/**
 * The downloader when the exchange misbehaves (faults of the local exchange, seen through real ccxt): 429 waited
 * out for its Retry-After, 5xx and timeouts retried a bounded number of times, short pages not taken for the end,
 * and clear refusals for an unknown symbol and an empty range.
 */
import type { LocalExchange } from '../../local-exchange/local-exchange';
import { DownloadError } from '../../market-data/download/exchange-retry';
import { loadShippedBars } from '../helpers/shipped-data';
import { clearTables, end, exchangeWith, runDownload, startDatabase, storedBars, type DownloadHarness } from './download-fixtures';

const shipped = loadShippedBars().slice(0, 2_500);
const range = { from: shipped[0]!.openTime, to: end(shipped, 2_500) };
let harness: DownloadHarness;
let exchange: LocalExchange;

beforeAll(async () => {
  harness = await startDatabase();
  exchange = await exchangeWith(shipped);
});

afterAll(async () => {
  await exchange?.stop();
  await harness?.stop();
});

beforeEach(async () => {
  exchange.clearFaults();
  await clearTables(harness.database);
});

describe('download under exchange faults', () => {
  it('waits out a 429 for its Retry-After, retries 5xx, and goes on after short pages: the same bars', async () => {
    exchange.failRequests({ status: 429, count: 1, pathPrefix: '/fapi/v1/klines' });
    exchange.failRequests({ status: 503, count: 2, pathPrefix: '/fapi/v1/klines' });
    // Two answers of 7 rows although 1000 were asked and more exist.
    exchange.shortenPages({ count: 2, rows: 7 });
    const started = Date.now();
    const { summary, retries } = await runDownload(exchange, harness.database, range);

    expect(retries.map((r) => r.kind)).toEqual(['rate-limit', 'transient', 'transient']);
    expect(retries[0]!.waitMs).toBe(1_000); // the local exchange answers Retry-After: 1
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    // 7 + 7 + 1000 + 1000 + 486 rows: five pages.
    expect(summary.bars).toMatchObject({ requests: 5, fetched: 2_500, stored: 2_500, gaps: [] });
    expect(await storedBars(harness.database)).toEqual(shipped);
  });

  it('retries a request that times out', async () => {
    // Far apart, so that on a loaded machine only the slowed request times out.
    const slowMs = 3_000;
    exchange.slowDown({ count: 1, ms: slowMs, pathPrefix: '/fapi/v1/klines' });
    const started = Date.now();
    const { summary, retries } = await runDownload(exchange, harness.database, range, { timeoutMs: 1_000 });
    expect(retries).toEqual([expect.objectContaining({ kind: 'transient', error: expect.stringMatching(/timed out/i) })]);
    expect(summary.bars.stored).toBe(2_500);
    // The abandoned request is still answered later: let it finish before the next test arms its faults.
    await new Promise((r) => setTimeout(r, Math.max(0, slowMs + 200 - (Date.now() - started))));
  });

  it('gives up after a bounded number of 5xx, keeping the pages already written', async () => {
    // A first page of 100 bars, then the exchange answers 502 to every klines call.
    exchange.shortenPages({ count: 1, rows: 100 });
    const attempt = runDownload(exchange, harness.database, range, {
      onProgress: (p) => {
        if (p.rows === 100) exchange.failRequests({ status: 502, count: 1_000, pathPrefix: '/fapi/v1/klines' });
      },
    });
    await expect(attempt).rejects.toThrow(DownloadError);
    await expect(attempt).rejects.toThrow(/failed 4 times, giving up/);
    expect(await storedBars(harness.database)).toEqual(shipped.slice(0, 100));
  });

  it('refuses an unknown symbol by name', async () => {
    await expect(runDownload(exchange, harness.database, { ...range, symbol: 'ETHUSDT' })).rejects.toThrow(
      "The exchange has no USDT-margined perpetual 'ETHUSDT' (ccxt market ETH/USDT:USDT",
    );
    await expect(runDownload(exchange, harness.database, { ...range, symbol: 'BTCUSD' })).rejects.toThrow(/not a Binance USDT-margined perpetual id/);
  });

  it('refuses an empty range: nothing closed yet, or no bars there', async () => {
    const later = { from: end(shipped, 2_500) + 60_000, to: end(shipped, 2_500) + 3_600_000 };
    await expect(runDownload(exchange, harness.database, later)).rejects.toThrow(/no bar of .* has closed yet/);
    const before = { from: shipped[0]!.openTime - 86_400_000, to: shipped[0]!.openTime };
    await expect(runDownload(exchange, harness.database, before)).rejects.toThrow(/the exchange has no bars of BTCUSDT in/);
  });
});

/** A throw-away PostgreSQL and local exchanges for the downloader suites, and a download with test-sized retries. */
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { loadBars } from '../../db/repositories/bars';
import { BAR_MS, type Bar } from '../../domain/bars';
import { BINANCE_USDM } from '../../domain/markets';
import { LocalExchange, type LocalExchangeOptions } from '../../local-exchange/local-exchange';
import { download, type DownloadDeps, type DownloadRequest, type DownloadSummary } from '../../market-data/download/download';
import type { RetryEvent, RetryPolicy } from '../../market-data/download/exchange-retry';
import { startTempPostgres, type TempPostgres } from '../db/temp-postgres';

export const SYMBOL = 'BTCUSDT';
export const SERIES = { market: BINANCE_USDM, symbol: SYMBOL };

/** Retries as in production, with short backoffs (a 429's Retry-After of the local exchange is 1 s, and is honoured). */
export const FAST_RETRIES: RetryPolicy = {
  maxAttempts: 4,
  backoffMs: 10,
  maxBackoffMs: 40,
  maxRateLimitWaits: 3,
  maxRetryAfterMs: 5_000,
  defaultRetryAfterMs: 100,
};

export interface DownloadHarness {
  readonly database: DatabaseHandle;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startDatabase(): Promise<DownloadHarness> {
  const pg: TempPostgres = await startTempPostgres();
  await migrateDatabase(pg.url);
  const database = openDatabase(pg.url, { max: 2 });
  return {
    database,
    url: pg.url,
    stop: async () => {
      await database.close();
      await pg.stop();
    },
  };
}

export async function clearTables(database: DatabaseHandle): Promise<void> {
  await database.sql`delete from bars`;
  await database.sql`delete from funding_rates`;
}

/** A local exchange whose bars are all closed history (the replay clock is one minute past the last bar). */
export function exchangeWith(bars: readonly Bar[], options: Partial<LocalExchangeOptions> = {}): Promise<LocalExchange> {
  return LocalExchange.start({ bars, startIndex: bars.length, ...options });
}

export interface TestDownload {
  readonly summary: DownloadSummary;
  readonly retries: RetryEvent[];
}

/** Downloads [from, to) of SYMBOL from `exchange` into the database. */
export async function runDownload(
  exchange: LocalExchange,
  database: DatabaseHandle,
  request: Partial<DownloadRequest> & Pick<DownloadRequest, 'from' | 'to'>,
  deps: Partial<DownloadDeps> = {},
): Promise<TestDownload> {
  const retries: RetryEvent[] = [];
  const summary = await download(
    { symbol: SYMBOL, funding: false, replace: false, exchange: { kind: 'local', baseUrl: exchange.baseUrl }, ...request },
    { db: database.db, retryPolicy: FAST_RETRIES, onRetry: (e) => retries.push(e), ...deps },
  );
  return { summary, retries };
}

export function storedBars(database: DatabaseHandle): Promise<Bar[]> {
  return loadBars(database.db, SERIES, 0, Number.MAX_SAFE_INTEGER);
}

/** The open time of bar `i` of `bars`, and one past the last of a slice: [at(i), end(j)) holds bars i..j-1. */
export const end = (bars: readonly Bar[], j: number): number => bars[j - 1]!.openTime + BAR_MS;

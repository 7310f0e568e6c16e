/**
 * Downloads the closed 1-minute bars of [from, end) that the store lacks, page by page through ccxt, each page
 * written before the next is asked for: an interrupted run (even kill -9) keeps every page it wrote, and the next
 * run starts at the first minute still missing. A page is asked from the first missing minute on, so one request
 * also jumps over a hole the exchange itself has; bars it returns that are already stored are compared, never
 * silently replaced. Minutes the exchange has no bar for stay missing and are reported as its gaps.
 */
import { BAR_MS } from '../../domain/bars';
import type { SeriesKey } from '../../domain/markets';
import type { Database } from '../../db/client';
import { writeBars, type BarConflict } from '../../db/repositories/bars';
import type { RestClient } from '../../binance/exchange-client';
import { missingRanges, type BarRange } from '../bar-window';
import { storedOpenTimes } from '../store-bars';
import { withRetries, type RetryContext } from './exchange-retry';
import { fetchKlinePage } from './exchange-pages';
import { MissingMinutes } from './missing-minutes';

export interface BarDownloadInput {
  readonly db: Database;
  readonly rest: RestClient;
  /** ccxt's unified symbol, e.g. BTC/USDT:USDT. */
  readonly marketSymbol: string;
  readonly series: SeriesKey;
  /** Bars opening in [from, end); `end` is at most one minute past the exchange's last closed bar. */
  readonly from: number;
  readonly end: number;
  /** Fetch the whole range again and overwrite stored bars that differ (else only missing minutes, conflicts kept). */
  readonly replace: boolean;
  readonly source: string;
  readonly retry: RetryContext;
  readonly onProgress?: (progress: { readonly done: number; readonly total: number; readonly rows: number }) => void;
}

export interface BarDownloadResult {
  /** Minutes that had no stored bar at the start (all minutes with `replace`). */
  readonly planned: number;
  readonly requests: number;
  /** Bars the exchange returned. */
  readonly fetched: number;
  readonly inserted: number;
  readonly replaced: number;
  readonly unchanged: number;
  /** Stored bars that differ from the exchange's (kept, unless `replace`). */
  readonly conflicts: number;
  readonly conflictExamples: readonly BarConflict[];
  /** Stored bars of the range after the download. */
  readonly stored: number;
  /** Runs of minutes of the range with no bar after the download (the exchange has none): inclusive open times. */
  readonly gaps: readonly BarRange[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function downloadBars(input: BarDownloadInput): Promise<BarDownloadResult> {
  const { db, series, from, end } = input;
  const last = end - BAR_MS;
  const missing = new MissingMinutes(input.replace ? [] : await storedOpenTimes(db, series, from, last), from, end);
  let requests = 0;
  let fetched = 0;
  let inserted = 0;
  let replaced = 0;
  let unchanged = 0;
  let conflicts = 0;
  const conflictExamples: BarConflict[] = [];
  const report = (cursor: number) => input.onProgress?.({ done: missing.doneBefore(cursor), total: missing.total, rows: fetched });

  report(from);
  for (let since = missing.next(from); since !== null;) {
    input.retry.signal?.throwIfAborted();
    const pageFrom = since;
    const page = await withRetries(
      `klines of ${series.symbol} from ${iso(pageFrom)}`,
      () => fetchKlinePage(input.rest, input.marketSymbol, pageFrom, last),
      input.retry,
    );
    requests++;
    // An empty page: the exchange has no bar from `since` to the end (a short page is not the end: go on after it).
    if (page.length === 0) break;
    const written = await writeBars(db, series, page, input.source, { replace: input.replace });
    fetched += page.length;
    inserted += written.inserted;
    replaced += written.replaced;
    unchanged += written.unchanged;
    conflicts += written.conflicts;
    conflictExamples.push(...written.conflictExamples.slice(0, 5 - conflictExamples.length));
    const cursor = page.at(-1)!.openTime + BAR_MS;
    report(cursor);
    since = missing.next(cursor);
  }
  report(end);

  const storedAfter = await storedOpenTimes(db, series, from, last);
  return {
    planned: missing.total,
    requests,
    fetched,
    inserted,
    replaced,
    unchanged,
    conflicts,
    conflictExamples,
    stored: storedAfter.length,
    gaps: missingRanges(storedAfter, from, last),
  };
}

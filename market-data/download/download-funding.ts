/**
 * Downloads the settled funding rates of [from, end) through ccxt's fetchFundingRateHistory, page by page, each
 * stored before the next is asked for. Funding times follow the exchange's schedule (8-hourly for BTCUSDT, 1-4 hours
 * for some symbols and periods), not a grid, so "what is missing" is read from the stored records themselves: the
 * part of the range before the first and after the last, and any hole longer than the series' own shortest spacing.
 */
import type { SeriesKey } from '../../domain/markets';
import type { FundingRate } from '../../domain/trading/funding';
import type { Database } from '../../db/client';
import { loadFundingRates, writeFundingRates, type FundingConflict } from '../../db/repositories/funding-rates';
import type { RestClient } from '../../binance/exchange-client';
import { withRetries, type RetryContext } from './exchange-retry';
import { fetchFundingPage } from './exchange-pages';

/** Binance's shortest funding interval: no funding can fall inside a stretch shorter than this between two others. */
const MIN_FUNDING_INTERVAL_MS = 3_600_000;
/** Slack on the spacing: Binance's records carry a few ms past the hour. */
const SPACING_SLACK_MS = 60_000;

export interface FundingDownloadInput {
  readonly db: Database;
  readonly rest: RestClient;
  readonly marketSymbol: string;
  readonly series: SeriesKey;
  /** Funding times in [from, end). */
  readonly from: number;
  readonly end: number;
  readonly replace: boolean;
  readonly source: string;
  readonly retry: RetryContext;
}

export interface FundingDownloadResult {
  readonly requests: number;
  readonly fetched: number;
  readonly inserted: number;
  readonly replaced: number;
  readonly conflicts: number;
  readonly conflictExamples: readonly FundingConflict[];
  /** Records of the range after the download, and how many of them carry a mark price. */
  readonly stored: number;
  readonly withMarkPrice: number;
}

/** Inclusive time ranges of [from, end) that may hold funding records not stored yet. */
export function fundingRangesToFetch(stored: readonly FundingRate[], from: number, end: number): { from: number; to: number }[] {
  if (stored.length === 0) return [{ from, to: end - 1 }];
  let spacing = Number.POSITIVE_INFINITY;
  for (let i = 1; i < stored.length; i++) spacing = Math.min(spacing, stored[i]!.time - stored[i - 1]!.time);
  const step = Math.max(MIN_FUNDING_INTERVAL_MS, Number.isFinite(spacing) ? spacing : MIN_FUNDING_INTERVAL_MS);
  const ranges: { from: number; to: number }[] = [];
  const first = stored[0]!.time;
  if (first - from >= MIN_FUNDING_INTERVAL_MS - SPACING_SLACK_MS) ranges.push({ from, to: first - 1 });
  for (let i = 1; i < stored.length; i++) {
    const a = stored[i - 1]!.time;
    const b = stored[i]!.time;
    if (b - a > step + SPACING_SLACK_MS) ranges.push({ from: a + 1, to: b - 1 });
  }
  const last = stored[stored.length - 1]!.time;
  if (end - last > step - SPACING_SLACK_MS) ranges.push({ from: last + 1, to: end - 1 });
  return ranges;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function downloadFunding(input: FundingDownloadInput): Promise<FundingDownloadResult> {
  const { db, series, from, end } = input;
  const stored = input.replace ? [] : await loadFundingRates(db, series, from, end);
  let requests = 0;
  let fetched = 0;
  let inserted = 0;
  let replaced = 0;
  let conflicts = 0;
  const conflictExamples: FundingConflict[] = [];
  for (const range of fundingRangesToFetch(stored, from, end)) {
    for (let since = range.from; since <= range.to;) {
      input.retry.signal?.throwIfAborted();
      const pageFrom = since;
      const page = await withRetries(
        `funding rates of ${series.symbol} from ${iso(pageFrom)}`,
        () => fetchFundingPage(input.rest, input.marketSymbol, pageFrom, range.to),
        input.retry,
      );
      requests++;
      if (page.length === 0) break;
      const written = await writeFundingRates(db, series, page, input.source, { replace: input.replace });
      fetched += page.length;
      inserted += written.inserted;
      replaced += written.replaced;
      conflicts += written.conflicts;
      conflictExamples.push(...written.conflictExamples.slice(0, 5 - conflictExamples.length));
      since = page.at(-1)!.time + 1;
    }
  }
  const after = await loadFundingRates(db, series, from, end);
  return {
    requests,
    fetched,
    inserted,
    replaced,
    conflicts,
    conflictExamples,
    stored: after.length,
    withMarkPrice: after.filter((f) => f.markPrice !== null && f.markPrice !== undefined).length,
  };
}

/**
 * A backtest's funding series, resolved from its reference once per worker process: a `funding_time,funding_rate
 * [,mark_price]` file pinned by its SHA-256, or `funding_rates` rows pinned by their count and digest; and the note of
 * summary.json and report.html about its source. Each trade's funding is stored with the trade (the engine computes
 * it), so nothing here recomputes it.
 */
import { readFile } from 'node:fs/promises';
import type { Executor } from '../db/client';
import { loadFundingRates } from '../db/repositories/funding-rates';
import { FundingCsvError, parseFundingCsv } from '../domain/funding-csv';
import { describeSeries } from '../domain/markets';
import { fundingByMinute, fundingMinute, type FundingRate } from '../domain/trading';
import { gunzipIfNeeded } from '../market-data/read-bar-file';
import type { FundingRef } from '../contracts/backtest';
import { DataError, iso, sha256, type BarList } from './bar-series';
import { fundingDigest } from './series-digest';

export interface FundingSeries {
  readonly ref: FundingRef;
  /** Ascending, times floored to the minute. */
  readonly rates: readonly FundingRate[];
  readonly byMinute: ReadonlyMap<number, FundingRate>;
}

/** A funding file that cannot be used: the message names the file, and the line and problem when it is malformed. */
export class FundingFileError extends Error {
  override name = 'FundingFileError';
}

/** Reads and validates a funding file (.gz ok). */
export async function readFundingFile(path: string): Promise<{ readonly sha256: string; readonly rates: FundingRate[] }> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    throw new FundingFileError(`Cannot read funding file ${path}: ${(err as Error).message}`);
  }
  try {
    return { sha256: sha256(raw), rates: parseFundingCsv(gunzipIfNeeded(raw).toString('utf8')) };
  } catch (err) {
    const detail = err instanceof FundingCsvError ? `line ${err.line}: ${err.problem}` : (err as Error).message;
    throw new FundingFileError(`Funding file ${path} is not valid: ${detail}`);
  }
}

/** Where a reference's rates are, for messages: the file, or the table and series. */
export function fundingWhere(ref: FundingRef): string {
  return ref.kind === 'file' ? ref.path : `funding_rates (${describeSeries(ref)})`;
}

/** The series with its times floored to the minute; two rates in one minute make it ambiguous (an error). */
export function fundingSeriesFrom(ref: FundingRef, rates: readonly FundingRate[]): FundingSeries {
  const floored = rates.map((f) => ({ ...f, time: fundingMinute(f.time) }));
  try {
    return { ref, rates: floored, byMinute: fundingByMinute(floored) };
  } catch (err) {
    throw new DataError(`${fundingWhere(ref)}: ${(err as Error).message}`);
  }
}

async function load(ref: FundingRef, db: Executor): Promise<FundingSeries> {
  if (ref.kind === 'db') {
    const rows = await loadFundingRates(db, ref, ref.from, ref.to);
    if (rows.length !== ref.entries || fundingDigest(rows) !== ref.sha256) {
      throw new DataError(
        `${fundingWhere(ref)}: the rates of ${iso(ref.from)} .. ${iso(ref.to)} changed since the run started (${rows.length} rows, ${ref.entries} then, or different values)`,
      );
    }
    return fundingSeriesFrom(ref, rows);
  }
  const file = await readFundingFile(ref.path).catch((err: unknown) => {
    throw new DataError((err as Error).message);
  });
  if (file.sha256 !== ref.sha256) throw new DataError(`Funding file ${ref.path} changed since the run started (SHA-256 differs)`);
  return fundingSeriesFrom(ref, file.rates);
}

const cache = new Map<string, Promise<FundingSeries>>();

/** The series of a reference (null without one); a failed load is forgotten, so a retry reads it again. */
export function fundingSeriesOf(ref: FundingRef | null | undefined, db: Executor): Promise<FundingSeries | null> {
  if (ref === null || ref === undefined) return Promise.resolve(null);
  const key = JSON.stringify(ref);
  let hit = cache.get(key);
  if (hit === undefined) {
    hit = load(ref, db);
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
  }
  return hit;
}

/** Funding minutes at which a bar of [from, to) opens: the ones that can pay. */
export function fundingTimesIn(series: FundingSeries, bars: BarList, from: number, to: number): number {
  let n = 0;
  for (const f of series.rates) if (f.time >= from && f.time < to && bars.indexOf(f.time) >= 0) n++;
  return n;
}

export type FundingNote = Readonly<Record<string, string | number | null>>;

/** summary.json's note of the funding source: none, the file, or the table's series and range. */
export function fundingNote(series: FundingSeries | null, bars: BarList, test: { readonly from: number; readonly to: number }): FundingNote {
  if (series === null) return { source: 'none' };
  const { ref, rates } = series;
  const span = { first: rates[0]?.time ?? null, last: rates[rates.length - 1]?.time ?? null, applied_times: fundingTimesIn(series, bars, test.from, test.to) };
  if (ref.kind === 'file') return { source: 'file', path: ref.path, entries: rates.length, ...span };
  return { source: 'db', market: ref.market, symbol: ref.symbol, from: ref.from, to: ref.to, rows: rates.length, ...span };
}

/** report.html's line about the funding source. */
export function fundingSourceText(series: FundingSeries | null, note: FundingNote): string {
  if (series === null) return 'none (no funding series given)';
  const count = series.ref.kind === 'file' ? `${series.rates.length} rates` : `${series.rates.length} rows`;
  return `${fundingWhere(series.ref)}: ${count}, ${note.applied_times} at test bar opens`;
}

/**
 * The funding series of a backtest, read and validated before anything starts and turned into the reference the
 * workflows pass (never the rates themselves): the file of `--funding F` (path, SHA-256, count), or with `--db` the
 * `funding_rates` rows of the run's market and symbol over its test period (range, digest, count).
 */
import type { FundingRef } from '../contracts/backtest';
import type { Executor } from '../db/client';
import { loadFundingRates } from '../db/repositories/funding-rates';
import { describeSeries, type SeriesKey } from '../domain/markets';
import type { FundingRate } from '../domain/trading';
import { DataError, iso } from '../activities/bar-series';
import { FundingFileError, fundingSeriesFrom, readFundingFile } from '../activities/funding-series';
import { fundingDigest } from '../activities/series-digest';
import { BacktestInputError } from './backtest-input-error';

export interface BacktestFunding {
  readonly ref: FundingRef;
  readonly rates: readonly FundingRate[];
}

export interface TestPeriod {
  readonly from: number;
  readonly to: number;
}

/** Refuses a series with two rates in one minute (DataError of fundingSeriesFrom) as an input error. */
function checked(funding: BacktestFunding): BacktestFunding {
  try {
    fundingSeriesFrom(funding.ref, funding.rates);
  } catch (err) {
    if (err instanceof DataError) throw new BacktestInputError(err.message);
    throw err;
  }
  return funding;
}

/**
 * Reads `file` for a test covering [test.from, test.to). A series that does not reach into the test at all is
 * refused (a wrong file would otherwise silently pay nothing); one covering only part of it is used as it is.
 */
export async function readBacktestFunding(file: string, test: TestPeriod): Promise<BacktestFunding> {
  let read: Awaited<ReturnType<typeof readFundingFile>>;
  try {
    read = await readFundingFile(file);
  } catch (err) {
    if (err instanceof FundingFileError) throw new BacktestInputError(err.message);
    throw err;
  }
  const { rates } = read;
  const first = rates[0]!.time;
  const last = rates[rates.length - 1]!.time;
  if (last < test.from || first >= test.to) {
    throw new BacktestInputError(
      `Funding file ${file} covers ${iso(first)} .. ${iso(last)}, outside the test ${iso(test.from)} .. ${iso(test.to)}: is it the file of this symbol and period?`,
    );
  }
  return checked({ ref: { kind: 'file', path: file, sha256: read.sha256, entries: rates.length }, rates });
}

/** The stored funding of `series` over the test, or null (with the notice to print) when there is none. */
export async function readDbFunding(
  db: Executor,
  series: SeriesKey,
  test: TestPeriod,
): Promise<{ readonly funding: BacktestFunding | null; readonly notice: string | null }> {
  const rates = await loadFundingRates(db, series, test.from, test.to);
  if (rates.length === 0) {
    return {
      funding: null,
      notice: `No funding_rates rows of ${describeSeries(series)} in the test ${iso(test.from)} .. ${iso(test.to)}: no funding is applied (npm run download -- --funding stores them)`,
    };
  }
  const ref: FundingRef = {
    kind: 'db',
    market: series.market,
    symbol: series.symbol,
    from: test.from,
    to: test.to,
    sha256: fundingDigest(rates),
    entries: rates.length,
  };
  return { funding: checked({ ref, rates }), notice: null };
}

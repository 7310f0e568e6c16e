/**
 * `npm run backtest -- --db`: the request built from the `bars` and `funding_rates` tables (references only, pinned
 * by the digest of their rows), and every refusal with its message: nothing stored, stored under another market,
 * too short, a gap, conflicting options; and a pinned series whose rows change during the run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBacktestRequest, checkBacktestOptions, type BacktestOptions } from '../../app/backtest-request';
import { barList } from '../../activities/bar-series';
import { fundingSeriesOf } from '../../activities/funding-series';
import { loadConfig } from '../../config/load-config';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { writeBars } from '../../db/repositories/bars';
import { writeFundingRates } from '../../db/repositories/funding-rates';
import { BINANCE_USDM } from '../../domain/markets';
import { loadShippedBars } from '../helpers/shipped-data';
import { denseFunding, fundingCsv, storeDownload } from '../backtest/fixtures/stored-download';
import { startTempPostgres, type TempPostgres } from './temp-postgres';

const HOUR = 3_600_000;
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const config = loadConfig();
const shipped = loadShippedBars();
const bars = shipped.slice(0, 52 * 60); // 52 h stored: 48 h train + up to 4 h test
const S = bars[0]!.openTime;
const T0 = S + 48 * HOUR;
const usdm = { market: BINANCE_USDM, symbol: 'BTCUSDT' };
const funding = denseFunding(bars, S, S + 52 * HOUR - MIN, 30 * MIN);

let pg: TempPostgres;
let handle: DatabaseHandle;
const build = (options: BacktestOptions) =>
  buildBacktestRequest(config, { db: true, trainHours: 48, testHours: 2, runId: 'db-req', ...options }, { db: handle.db });

beforeAll(async () => {
  pg = await startTempPostgres();
  await migrateDatabase(pg.url);
  handle = openDatabase(pg.url, { max: 2 });
  await storeDownload(handle.db, usdm, bars, funding);
});

afterAll(async () => {
  await handle?.close();
  await pg?.stop();
});

test('a request on the stored series: bars and the test period funding, by reference', async () => {
  const prepared = await build({});

  expect(prepared.request.data).toEqual({
    kind: 'db',
    market: BINANCE_USDM,
    symbol: 'BTCUSDT',
    from: S,
    to: T0 + 2 * HOUR,
    sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  expect(prepared.bars).toEqual(bars.slice(0, 50 * 60));
  // The rates of [T0, T0 + 2 h): every 30 minutes, 4 of them.
  const inTest = funding.filter((f) => f.time >= T0 && f.time < T0 + 2 * HOUR);
  expect(inTest).toHaveLength(4);
  expect(prepared.request.funding).toEqual({
    kind: 'db',
    market: BINANCE_USDM,
    symbol: 'BTCUSDT',
    from: T0,
    to: T0 + 2 * HOUR,
    sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    entries: 4,
  });
  expect(prepared.funding).toEqual(inTest);
  expect(prepared.notices).toEqual([]);
  // The activities resolve the references to the same series.
  expect((await barList(prepared.request.data, handle.db)).bars).toEqual(prepared.bars);
  expect((await fundingSeriesOf(prepared.request.funding, handle.db))?.rates.map((f) => f.time)).toEqual(inTest.map((f) => f.time - (f.time % MIN)));
});

test('--start picks the range; no stored funding in the test means none, with a notice', async () => {
  const series = { market: BINANCE_USDM, symbol: 'NOFUNDUSDT' };
  await writeBars(handle.db, series, bars, 'binance-download', { replace: false });

  const prepared = await build({ symbol: 'NOFUNDUSDT', start: iso(S + HOUR) });

  expect(prepared.request.data).toMatchObject({ from: S + HOUR, to: S + 51 * HOUR });
  expect(prepared.request.funding).toBeNull();
  expect(prepared.notices).toEqual([
    `No funding_rates rows of binance-usdm NOFUNDUSDT in the test ${iso(S + 49 * HOUR)} .. ${iso(S + 51 * HOUR)}: no funding is applied (npm run download -- --funding stores them)`,
  ]);
});

test('a --funding file replaces the stored rates', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'db-funding-'));
  try {
    const file = join(dir, 'other.funding.csv');
    writeFileSync(file, fundingCsv([{ time: T0 + HOUR, rate: 0.0001, markPrice: null }]));

    const prepared = await build({ funding: file });

    expect(prepared.request.funding).toEqual({ kind: 'file', path: file, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), entries: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('refused with the reason', () => {
  test('nothing stored for the symbol: how to get it', async () => {
    await expect(build({ symbol: 'ETHUSDT' })).rejects.toThrow(
      'No bars stored for binance-usdm ETHUSDT; fetch them with npm run download -- --symbol ETHUSDT --from ISO --to ISO [--funding]',
    );
  });

  test('nothing stored under that market: where the symbol is', async () => {
    await expect(build({ market: 'binanceus-spot' })).rejects.toThrow(
      'No bars stored for binanceus-spot BTCUSDT; BTCUSDT is stored under binance-usdm (--market binance-usdm)',
    );
  });

  test('stored bars shorter than train + test', async () => {
    await expect(build({ testHours: 24 })).rejects.toThrow(
      `Data too short: the run needs 48 h train + 24 h test = ${iso(S)} .. ${iso(S + 72 * HOUR)}, but the bars table (binance-usdm BTCUSDT) covers ${iso(S)} .. ${iso(S + 52 * HOUR)} (52.0 h from its first bar)`,
    );
  });

  test('a gap in the stored range names the first missing bar', async () => {
    const gappy = { market: BINANCE_USDM, symbol: 'GAPUSDT' };
    const missing = 49 * 60 + 7;
    await writeBars(handle.db, gappy, [...bars.slice(0, missing), ...bars.slice(missing + 3)], 'binance-download', { replace: false });

    await expect(build({ symbol: 'GAPUSDT' })).rejects.toThrow(
      `The bars table (binance-usdm GAPUSDT) has 1 gap(s) inside the needed range ${iso(S)} .. ${iso(T0 + 2 * HOUR)}; the first: 3 bar(s) missing from ${iso(bars[missing]!.openTime)}`,
    );
  });

  test.each([
    [{ data: 'data/x.csv' }, '--db reads the bars table and --data data/x.csv a file: give one of them'],
    [{ market: 'Binance USD-M' }, "--market 'Binance USD-M' is not a market id: lower-case words joined by '-', e.g. binance-usdm"],
    [{ db: false, market: 'binance-usdm' }, '--market chooses the stored series of --db; it does not apply to a data file'],
  ])('conflicting or bad options, before the database is read: %j', (options, message) => {
    expect(() => checkBacktestOptions(config, { db: true, ...options })).toThrow(message);
  });
});

test('a run whose stored rows change after it started fails instead of mixing two series', async () => {
  const series = { market: BINANCE_USDM, symbol: 'PINUSDT' };
  await storeDownload(handle.db, series, bars, funding);
  const { request } = await build({ symbol: 'PINUSDT' });

  const bar = bars[100]!;
  await writeBars(handle.db, series, [{ ...bar, close: bar.close + 1, high: Math.max(bar.high, bar.close + 1) }], 'binance-download', { replace: true });
  const rate = funding.find((f) => f.time >= T0)!;
  await writeFundingRates(handle.db, series, [{ ...rate, rate: rate.rate * 2 }], 'binance-download', { replace: true });

  await expect(barList(request.data, handle.db)).rejects.toThrow(
    `bars table (binance-usdm PINUSDT): the bars of ${iso(S)} .. ${iso(T0 + 2 * HOUR)} changed since the run started (SHA-256 of the rows differs)`,
  );
  await expect(fundingSeriesOf(request.funding, handle.db)).rejects.toThrow(
    `funding_rates (binance-usdm PINUSDT): the rates of ${iso(T0)} .. ${iso(T0 + 2 * HOUR)} changed since the run started (4 rows, 4 then, or different values)`,
  );
});

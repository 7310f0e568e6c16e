/**
 * `npm run download -- --funding` against the local exchange: the settled funding rates with Binance's mark
 * prices, stored in funding_rates as the exchange gives them and written to FILE.funding.csv, paginated, incremental.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFundingRates } from '../../db/repositories/funding-rates';
import { parseFundingCsv } from '../../domain/funding-csv';
import type { FundingRate } from '../../domain/trading/funding';
import type { LocalExchange } from '../../local-exchange/local-exchange';
import { fundingFileFor } from '../../market-data/download/export-files';
import { loadShippedBars } from '../helpers/shipped-data';
import { clearTables, end, exchangeWith, runDownload, SERIES, startDatabase, type DownloadHarness } from './download-fixtures';

const HOUR = 3_600_000;
const shipped = loadShippedBars().slice(0, 4_000); // 2023-03-01 00:00 .. 2023-03-03 18:40 UTC
const t0 = shipped[0]!.openTime;
/** Binance-like: 8-hourly, a few ms past the hour at times, one negative rate, one record without a mark price. */
const funding: FundingRate[] = Array.from({ length: 10 }, (_, k) => ({
  time: t0 + k * 8 * HOUR + (k % 3 === 1 ? 3 : 0),
  rate: k === 4 ? -0.00012 : Math.round((0.0001 + k * 0.00001) * 1e8) / 1e8, // Binance gives 8 decimals
  markPrice: k === 6 ? null : 23_000 + k * 10.5,
}));
const range = { from: t0, to: end(shipped, 4_000) };
let harness: DownloadHarness;
let exchange: LocalExchange;
let dir: string;

beforeAll(async () => {
  harness = await startDatabase();
  exchange = await exchangeWith(shipped, { funding });
  dir = mkdtempSync(join(tmpdir(), 'download-funding-'));
});

afterAll(async () => {
  await exchange?.stop();
  await harness?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  exchange.clearFaults();
  await clearTables(harness.database);
});

const storedFunding = () => loadFundingRates(harness.database.db, SERIES, 0, Number.MAX_SAFE_INTEGER);

describe('download --funding', () => {
  it('stores the settled rates with their mark prices and writes FILE.funding.csv beside the bars', async () => {
    const out = join(dir, 'btcusdt.csv.gz');
    const { summary } = await runDownload(exchange, harness.database, { ...range, funding: true, out });
    // The 10th record (2023-03-04 00:00) is after the exchange's clock: not settled, not served.
    const settled = funding.slice(0, 9);
    expect(summary.funding).toMatchObject({ fetched: 9, inserted: 9, stored: 9, withMarkPrice: 8, conflicts: 0 });
    expect(await storedFunding()).toEqual(settled);

    const file = fundingFileFor(out);
    expect(file).toBe(join(dir, 'btcusdt.funding.csv'));
    expect(summary.files).toEqual({ bars: out, funding: file });
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').slice(0, 3)).toEqual(['funding_time,funding_rate,mark_price', `${t0},0.0001,23000`, `${t0 + 8 * HOUR + 3},0.00011,23010.5`]);
    // The backtest's reader floors the times to the minute; an empty mark price reads as unknown.
    expect(parseFundingCsv(text)).toEqual(settled.map((f) => ({ ...f, time: Math.floor(f.time / 60_000) * 60_000 })));
  });

  it('pages through short answers, and a second run asks for nothing', async () => {
    exchange.shortenPages({ count: 10, rows: 2, pathPrefix: '/fapi/v1/fundingRate' });
    const first = await runDownload(exchange, harness.database, { ...range, funding: true });
    // 2 + 2 + 2 + 2 + 1 rows, then an empty page.
    expect(first.summary.funding).toMatchObject({ requests: 6, fetched: 9, stored: 9 });
    expect(await storedFunding()).toEqual(funding.slice(0, 9));
    const again = await runDownload(exchange, harness.database, { ...range, funding: true });
    expect(again.summary.funding).toMatchObject({ requests: 0, fetched: 0, stored: 9 });
  });

  it('keeps the stored rates it does not fetch again; --replace fetches all and overwrites those that differ', async () => {
    await runDownload(exchange, harness.database, { ...range, funding: true });
    await harness.database.sql`update funding_rates set rate = 0.5 where funding_time = ${t0}`;
    // Removing a later record makes the run fetch again around it; the changed first record is outside that hole.
    await harness.database.sql`delete from funding_rates where funding_time = ${funding[8]!.time}`;
    const kept = await runDownload(exchange, harness.database, { ...range, funding: true });
    expect(kept.summary.funding).toMatchObject({ inserted: 1, conflicts: 0 });
    expect(kept.summary.conflictsKept).toBe(false);

    const replaced = await runDownload(exchange, harness.database, { ...range, funding: true, replace: true });
    expect(replaced.summary.funding).toMatchObject({ conflicts: 1, replaced: 1 });
    expect(await storedFunding()).toEqual(funding.slice(0, 9));
  });

  it('serves a seeded SYNTHETIC 8-hourly series when the exchange was given none', async () => {
    const synthetic = await exchangeWith(shipped);
    try {
      expect(synthetic.state()).toMatchObject({ funding: { origin: 'synthetic' } });
      const { summary } = await runDownload(synthetic, harness.database, { ...range, funding: true });
      expect(summary.funding).toMatchObject({ stored: 9, withMarkPrice: 9 });
      const times = (await storedFunding()).map((f) => f.time);
      expect(times).toEqual(Array.from({ length: 9 }, (_, k) => t0 + k * 8 * HOUR));
    } finally {
      await synthetic.stop();
    }
  });
});

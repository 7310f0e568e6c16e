/**
 * `npm run download` against the local exchange (real ccxt, real PostgreSQL): pages of 1000 klines, the bars it
 * replays stored and written exactly, incremental and resumable runs, the exchange's own gaps reported and never
 * filled, and stored bars that differ from the exchange's refused unless replacing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBars } from '../../db/repositories/bars';
import { BAR_MS } from '../../domain/bars';
import type { LocalExchange } from '../../local-exchange/local-exchange';
import { readBarFile } from '../../market-data/read-bar-file';
import { loadShippedBars } from '../helpers/shipped-data';
import { clearTables, end, exchangeWith, runDownload, SERIES, startDatabase, storedBars, type DownloadHarness } from './download-fixtures';

const shipped = loadShippedBars().slice(0, 4_000);
let harness: DownloadHarness;
let exchange: LocalExchange;
let dir: string;

beforeAll(async () => {
  harness = await startDatabase();
  exchange = await exchangeWith(shipped);
  dir = mkdtempSync(join(tmpdir(), 'download-test-'));
});

afterAll(async () => {
  await exchange?.stop();
  await harness?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => clearTables(harness.database));

describe('download', () => {
  it('fetches [from, to) in pages of 1000 and stores exactly the bars the exchange replays; --out writes them', async () => {
    const out = join(dir, 'btcusdt.csv.gz');
    // 3,007 bars, not aligned to the pages: 1000 + 1000 + 1000 + 7.
    const { summary } = await runDownload(exchange, harness.database, { from: shipped[10]!.openTime, to: end(shipped, 3_017), out });
    expect(summary.bars).toMatchObject({ planned: 3_007, requests: 4, fetched: 3_007, inserted: 3_007, conflicts: 0, stored: 3_007, gaps: [] });
    expect(await storedBars(harness.database)).toEqual(shipped.slice(10, 3_017));
    expect((await readBarFile(out)).bars).toEqual(shipped.slice(10, 3_017));
  });

  it('a second run fetches nothing, a longer range only the new minutes', async () => {
    const from = shipped[0]!.openTime;
    await runDownload(exchange, harness.database, { from, to: end(shipped, 1_500) });
    const again = await runDownload(exchange, harness.database, { from, to: end(shipped, 1_500) });
    expect(again.summary.bars).toMatchObject({ planned: 0, requests: 0, fetched: 0, stored: 1_500 });
    const longer = await runDownload(exchange, harness.database, { from, to: end(shipped, 2_600) });
    expect(longer.summary.bars).toMatchObject({ planned: 1_100, requests: 2, fetched: 1_100, inserted: 1_100, stored: 2_600 });
    expect(await storedBars(harness.database)).toEqual(shipped.slice(0, 2_600));
  });

  it('resumes after an interruption: the pages written stay, the next run fetches the rest', async () => {
    const stop = new AbortController();
    const request = { from: shipped[0]!.openTime, to: end(shipped, 4_000) };
    const interrupted = runDownload(exchange, harness.database, request, {
      signal: stop.signal,
      onProgress: (p) => {
        if (p.rows >= 2_000) stop.abort(new Error('interrupted'));
      },
    });
    await expect(interrupted).rejects.toThrow('interrupted');
    expect(await storedBars(harness.database)).toEqual(shipped.slice(0, 2_000));

    const resumed = await runDownload(exchange, harness.database, request);
    expect(resumed.summary.bars).toMatchObject({ planned: 2_000, requests: 2, fetched: 2_000, inserted: 2_000 });
    expect(await storedBars(harness.database)).toEqual(shipped);
  });

  it('stores closed bars only: --to past the exchange clock stops at the last closed bar', async () => {
    const live = await exchangeWith(shipped, { startIndex: 3_000 });
    try {
      const { summary } = await runDownload(live, harness.database, { from: shipped[2_500]!.openTime, to: end(shipped, 4_000) });
      // Bar 3000 is in progress on the exchange's clock: never stored.
      expect(summary.end).toBe(shipped[3_000]!.openTime);
      expect(await storedBars(harness.database)).toEqual(shipped.slice(2_500, 3_000));
    } finally {
      await live.stop();
    }
  });

  it("reports the exchange's own gaps and never fills them", async () => {
    // The exchange lacks 30 minutes after bar 1200 (Binance has a few such holes, e.g. maintenance).
    const withGap = [...shipped.slice(0, 1_200), ...shipped.slice(1_230, 2_500)];
    const gappy = await exchangeWith(withGap);
    const out = join(dir, 'gap.csv');
    try {
      const request = { from: shipped[0]!.openTime, to: end(shipped, 2_500), out };
      const { summary } = await runDownload(gappy, harness.database, request);
      expect(summary.bars.gaps).toEqual([{ from: shipped[1_200]!.openTime, to: shipped[1_229]!.openTime }]);
      expect(summary.bars).toMatchObject({ stored: 2_470, fetched: 2_470 });
      expect((await readBarFile(out)).bars).toEqual(withGap);
      // The hole stays missing: a second run asks for it once, and still finds nothing there.
      const again = await runDownload(gappy, harness.database, request);
      expect(again.summary.bars).toMatchObject({ requests: 1, inserted: 0, stored: 2_470 });
      expect(again.summary.bars.gaps).toHaveLength(1);
    } finally {
      await gappy.stop();
    }
  });

  it("refuses to overwrite a stored bar that differs from the exchange's; --replace overwrites it", async () => {
    const original = shipped[20]!;
    const wrong = { ...original, close: original.open, volume: original.volume + 1 };
    await writeBars(harness.database.db, SERIES, [wrong], 'test', { replace: false });
    const out = join(dir, 'conflict.csv');
    const request = { from: shipped[0]!.openTime, to: end(shipped, 100), out };

    const refused = await runDownload(exchange, harness.database, request);
    expect(refused.summary.bars).toMatchObject({ conflicts: 1, replaced: 0, inserted: 99, conflictExamples: [{ stored: wrong, incoming: original }] });
    expect(refused.summary.files).toBeNull(); // no file that would mix both
    expect((await storedBars(harness.database))[20]).toEqual(wrong);

    const replaced = await runDownload(exchange, harness.database, { ...request, replace: true });
    expect(replaced.summary.bars).toMatchObject({ conflicts: 1, replaced: 1, unchanged: 99, requests: 1 });
    expect(await storedBars(harness.database)).toEqual(shipped.slice(0, 100));
    expect((await readBarFile(out)).bars).toEqual(shipped.slice(0, 100));
  });

  it('keeps markets apart: spot bars of the same symbol are neither read nor compared', async () => {
    const spot = { market: 'binanceus-spot', symbol: SERIES.symbol };
    const different = shipped.slice(0, 50).map((b) => ({ ...b, volume: b.volume + 1 }));
    await writeBars(harness.database.db, spot, different, 'test', { replace: false });
    const { summary } = await runDownload(exchange, harness.database, { from: shipped[0]!.openTime, to: end(shipped, 50) });
    expect(summary.bars).toMatchObject({ inserted: 50, conflicts: 0 });
    expect(summary.end - summary.from).toBe(50 * BAR_MS);
  });
});

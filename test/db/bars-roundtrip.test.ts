import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { BarCsvError } from '../../domain/bar-csv';
import { BAR_MS } from '../../domain/bars';
import { MIGRATIONS_FOLDER, migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { importBarFile } from '../../db/import-bars';
import { barRange, loadBars, writeBars } from '../../db/repositories/bars';
import { bars } from '../../db/schema';
import { BINANCEUS_SPOT, liveSeries } from '../../domain/markets';
import { DEFAULT_BAR_FILE } from '../../market-data/read-bar-file';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTempPostgres, type TempPostgres } from './temp-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';

/** Where import-bars stores the shipped Binance.US data by default. */
const SPOT = { market: BINANCEUS_SPOT, symbol: 'BTCUSDT' };

let pg: TempPostgres;
let handle: DatabaseHandle;

beforeAll(async () => {
  pg = await startTempPostgres();
});

afterAll(async () => {
  await handle?.close();
  await pg?.stop();
});

async function appliedMigrations(): Promise<number> {
  const [row] = await handle.sql<{ n: string }[]>`select count(*) as n from drizzle.__drizzle_migrations`;
  return Number(row!.n);
}

describe('bars in PostgreSQL', () => {
  it('migrates a fresh database, and migrating again (even from two connections at once) changes nothing', async () => {
    await Promise.all([migrateDatabase(pg.url), migrateDatabase(pg.url)]);
    handle = openDatabase(pg.url, { max: 2 });
    const expected = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;
    expect(expected).toBeGreaterThan(0);
    expect(await appliedMigrations()).toBe(expected);

    await migrateDatabase(pg.url);
    expect(await appliedMigrations()).toBe(expected);
    expect(await barRange(handle.db, SPOT)).toBeNull();
  });

  it('imports the shipped dataset and reads back the same bars through drizzle', async () => {
    const shipped = loadShippedBars(); // parsed independently of domain/bar-csv.ts
    const result = await importBarFile(handle.db, { file: DEFAULT_BAR_FILE, series: SPOT });
    expect(result).toMatchObject({ format: 'ohlcv', bars: shipped.length, inserted: shipped.length, replaced: 0, unchanged: 0, gaps: [] });

    const first = shipped[0]!.openTime;
    const last = shipped[shipped.length - 1]!.openTime;
    expect(await barRange(handle.db, SPOT)).toEqual({ first, last, count: shipped.length });
    expect(await loadBars(handle.db, SPOT, first, last + BAR_MS)).toEqual(shipped);
    // Another market's series of the same symbol is a different series.
    expect(await barRange(handle.db, liveSeries('BTCUSDT'))).toBeNull();
    // [from, to) bounds: a one-hour window holds exactly 60 bars, starting at `from`.
    const hour = await loadBars(handle.db, SPOT, first + 60 * BAR_MS, first + 120 * BAR_MS);
    expect(hour).toEqual(shipped.slice(60, 120));

    const sources = await handle.db.selectDistinct({ source: bars.source }).from(bars);
    expect(sources).toEqual([{ source: 'file:btcusdt-1m-binanceus-2023-03-01_21.csv.gz' }]);
  });

  it('re-importing the same file is idempotent', async () => {
    const result = await importBarFile(handle.db, { file: DEFAULT_BAR_FILE, series: SPOT });
    expect(result).toMatchObject({ inserted: 0, replaced: 0, unchanged: 30_240, conflicts: 0 });
    expect((await barRange(handle.db, SPOT))?.count).toBe(30_240);
  });

  it('keeps a stored minute whose new values differ unless told to replace it, and reports it either way', async () => {
    const shipped = loadShippedBars();
    const original = shipped[100]!;
    const corrected = { ...original, close: original.close + 0.01, high: Math.max(original.high, original.close + 0.01) };
    const next = { ...shipped[shipped.length - 1]!, openTime: shipped[shipped.length - 1]!.openTime + BAR_MS };
    const one = (t: number) => loadBars(handle.db, SPOT, t, t + BAR_MS);

    const kept = await writeBars(handle.db, SPOT, [shipped[99]!, corrected, next], 'test', { replace: false });
    expect(kept).toEqual({ inserted: 1, replaced: 0, unchanged: 1, conflicts: 1, conflictExamples: [{ stored: original, incoming: corrected }] });
    expect(await one(original.openTime)).toEqual([original]);

    const replaced = await writeBars(handle.db, SPOT, [corrected], 'test', { replace: true });
    expect(replaced).toMatchObject({ inserted: 0, replaced: 1, unchanged: 0, conflicts: 1 });
    expect(await one(original.openTime)).toEqual([corrected]);

    await writeBars(handle.db, SPOT, [original], 'test', { replace: true });
    await handle.db.delete(bars).where(sql`${bars.openTime} = ${next.openTime}`);
    expect(await one(original.openTime)).toEqual([original]);
  });

  it('writes large sets in several statements with the same result', async () => {
    const some = loadShippedBars().slice(0, 1_000);
    const chunked = { market: BINANCEUS_SPOT, symbol: 'CHUNKED' };
    expect(await writeBars(handle.db, chunked, some, 'test', { replace: false, chunkSize: 300 })).toMatchObject({ inserted: 1_000, replaced: 0, unchanged: 0 });
    expect(await loadBars(handle.db, chunked, 0, Number.MAX_SAFE_INTEGER)).toEqual(some);
    await handle.db.delete(bars).where(sql`${bars.symbol} = 'CHUNKED'`);
  });

  it('refuses a file with one bad row and imports none of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bars-import-'));
    try {
      const file = join(dir, 'bad.csv');
      const t = 1_700_000_000_000 - (1_700_000_000_000 % BAR_MS);
      writeFileSync(file, ['open_time,open,high,low,close,volume', `${t},10,11,9,10,1`, `${t + BAR_MS},10,9,9.5,10,1`].join('\n'));
      const attempt = importBarFile(handle.db, { file, series: { market: BINANCEUS_SPOT, symbol: 'ETHUSDT' } });
      await expect(attempt).rejects.toThrow(BarCsvError);
      await expect(attempt).rejects.toThrow('bad.csv: line 3: high 9 is below max(open, close) 10');
      expect(await barRange(handle.db, { market: BINANCEUS_SPOT, symbol: 'ETHUSDT' })).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the schema itself rejects a malformed bar from any writer', async () => {
    const bad = { openTime: 1_700_000_040_000, open: 10, high: 9, low: 8, close: 10, volume: 1 };
    // drizzle wraps the driver's error; the PostgreSQL error with the violated constraint is its cause.
    const violated = (constraint: string) => ({ cause: expect.objectContaining({ constraint_name: constraint }) });
    const eth = { market: BINANCEUS_SPOT, symbol: 'ETHUSDT' };
    await expect(writeBars(handle.db, eth, [bad], 'test', { replace: false })).rejects.toMatchObject(violated('bars_ohlc_consistent'));
    const unaligned = { ...bad, high: 11, openTime: bad.openTime + 1 };
    await expect(writeBars(handle.db, eth, [unaligned], 'test', { replace: false })).rejects.toMatchObject(violated('bars_minute_aligned'));
  });
});

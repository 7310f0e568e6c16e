import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { BarCsvError } from '../../domain/bar-csv';
import { BAR_MS } from '../../domain/bars';
import { MIGRATIONS_FOLDER, migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { importBarFile } from '../../db/import-bars';
import { barRange, loadBars, upsertBars } from '../../db/repositories/bars';
import { bars } from '../../db/schema';
import { DEFAULT_BAR_FILE } from '../../market-data/read-bar-file';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTempPostgres, type TempPostgres } from './temp-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';

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
    expect(await barRange(handle.db, 'BTCUSDT')).toBeNull();
  });

  it('imports the shipped dataset and reads back the same bars through drizzle', async () => {
    const shipped = loadShippedBars(); // parsed independently of domain/bar-csv.ts
    const result = await importBarFile(handle.db, { file: DEFAULT_BAR_FILE, symbol: 'BTCUSDT' });
    expect(result).toMatchObject({ format: 'ohlcv', bars: shipped.length, inserted: shipped.length, updated: 0, unchanged: 0, gaps: [] });

    const first = shipped[0]!.openTime;
    const last = shipped[shipped.length - 1]!.openTime;
    expect(await barRange(handle.db, 'BTCUSDT')).toEqual({ first, last, count: shipped.length });
    expect(await loadBars(handle.db, 'BTCUSDT', first, last + BAR_MS)).toEqual(shipped);
    // [from, to) bounds: a one-hour window holds exactly 60 bars, starting at `from`.
    const hour = await loadBars(handle.db, 'BTCUSDT', first + 60 * BAR_MS, first + 120 * BAR_MS);
    expect(hour).toEqual(shipped.slice(60, 120));

    const sources = await handle.db.selectDistinct({ source: bars.source }).from(bars);
    expect(sources).toEqual([{ source: 'file:btcusdt-1m-binanceus-2023-03-01_21.csv.gz' }]);
  });

  it('re-importing the same file is idempotent', async () => {
    const result = await importBarFile(handle.db, { file: DEFAULT_BAR_FILE, symbol: 'BTCUSDT' });
    expect(result).toMatchObject({ inserted: 0, updated: 0, unchanged: 30_240 });
    expect((await barRange(handle.db, 'BTCUSDT'))?.count).toBe(30_240);
  });

  it('overwrites a stored minute only when its values changed', async () => {
    const shipped = loadShippedBars();
    const original = shipped[100]!;
    const corrected = { ...original, close: original.close + 0.01, high: Math.max(original.high, original.close + 0.01) };
    const next = { ...shipped[shipped.length - 1]!, openTime: shipped[shipped.length - 1]!.openTime + BAR_MS };

    const result = await upsertBars(handle.db, 'BTCUSDT', [shipped[99]!, corrected, next], 'test');
    expect(result).toEqual({ inserted: 1, updated: 1, unchanged: 1 });
    expect(await loadBars(handle.db, 'BTCUSDT', original.openTime, original.openTime + BAR_MS)).toEqual([corrected]);

    await upsertBars(handle.db, 'BTCUSDT', [original], 'test');
    await handle.db.delete(bars).where(sql`${bars.openTime} = ${next.openTime}`);
    expect(await loadBars(handle.db, 'BTCUSDT', original.openTime, original.openTime + BAR_MS)).toEqual([original]);
  });

  it('writes large sets in several statements with the same result', async () => {
    const some = loadShippedBars().slice(0, 1_000);
    expect(await upsertBars(handle.db, 'CHUNKED', some, 'test', 300)).toEqual({ inserted: 1_000, updated: 0, unchanged: 0 });
    expect(await loadBars(handle.db, 'CHUNKED', 0, Number.MAX_SAFE_INTEGER)).toEqual(some);
    await handle.db.delete(bars).where(sql`${bars.symbol} = 'CHUNKED'`);
  });

  it('refuses a file with one bad row and imports none of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bars-import-'));
    try {
      const file = join(dir, 'bad.csv');
      const t = 1_700_000_000_000 - (1_700_000_000_000 % BAR_MS);
      writeFileSync(file, ['open_time,open,high,low,close,volume', `${t},10,11,9,10,1`, `${t + BAR_MS},10,9,9.5,10,1`].join('\n'));
      const attempt = importBarFile(handle.db, { file, symbol: 'ETHUSDT' });
      await expect(attempt).rejects.toThrow(BarCsvError);
      await expect(attempt).rejects.toThrow('bad.csv: line 3: high 9 is below max(open, close) 10');
      expect(await barRange(handle.db, 'ETHUSDT')).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the schema itself rejects a malformed bar from any writer', async () => {
    const bad = { openTime: 1_700_000_040_000, open: 10, high: 9, low: 8, close: 10, volume: 1 };
    // drizzle wraps the driver's error; the PostgreSQL error with the violated constraint is its cause.
    const violated = (constraint: string) => ({ cause: expect.objectContaining({ constraint_name: constraint }) });
    await expect(upsertBars(handle.db, 'ETHUSDT', [bad], 'test')).rejects.toMatchObject(violated('bars_ohlc_consistent'));
    const unaligned = { ...bad, high: 11, openTime: bad.openTime + 1 };
    await expect(upsertBars(handle.db, 'ETHUSDT', [unaligned], 'test')).rejects.toMatchObject(violated('bars_minute_aligned'));
  });
});

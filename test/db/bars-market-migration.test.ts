/**
 * Migration 0004 (bars keyed by market, funding_rates) on a database that already holds bars from before it: no
 * row is lost, streamed bars become binance-usdm (the bot's market), imported files binanceus-spot (import-bars'
 * default, so re-importing the shipped file finds them unchanged), and the key then includes the market.
 */
import { rmSync } from 'node:fs';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { migrateDatabase, openDatabase } from '../../db/client';
import { barRange, writeBars } from '../../db/repositories/bars';
import { BINANCE_USDM, BINANCEUS_SPOT } from '../../domain/markets';
import { migrationsBefore } from './migrations-before';
import { startTempPostgres, type TempPostgres } from './temp-postgres';

const BEFORE = '0004_bars_market_funding_rates';
let pg: TempPostgres;
let oldMigrations: string;

beforeAll(async () => {
  pg = await startTempPostgres();
  oldMigrations = migrationsBefore(BEFORE);
});

afterAll(async () => {
  await pg?.stop();
  rmSync(oldMigrations, { recursive: true, force: true });
});

it('keeps every old bar, gives each a market, and keys bars by market from then on', async () => {
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder: oldMigrations });
    // Rows as the old code wrote them: the stream's, an import of the shipped file, a test's.
    await sql`
      insert into bars (symbol, open_time, open, high, low, close, volume, source) values
        ('BTCUSDT', 1677628800000, 10, 11, 9, 10.5, 1, 'binance-ws'),
        ('BTCUSDT', 1677628860000, 10, 11, 9, 10.5, 1, 'local-rest'),
        ('BTCUSDT', 1677628920000, 20, 21, 19, 20.5, 2, 'file:btcusdt-1m-binanceus-2023-03-01_21.csv.gz'),
        ('ETHUSDT', 1677628800000, 1, 2, 0.5, 1.5, 3, 'test')`;
  } finally {
    await sql.end();
  }

  await migrateDatabase(pg.url);
  const handle = openDatabase(pg.url, { max: 1 });
  try {
    const rows = await handle.sql<{ market: string; symbol: string; open_time: string; source: string }[]>`
      select market, symbol, open_time, source from bars order by symbol, open_time`;
    expect(rows.map((r) => [r.market, r.symbol, Number(r.open_time), r.source])).toEqual([
      [BINANCE_USDM, 'BTCUSDT', 1677628800000, 'binance-ws'],
      [BINANCE_USDM, 'BTCUSDT', 1677628860000, 'local-rest'],
      [BINANCEUS_SPOT, 'BTCUSDT', 1677628920000, 'file:btcusdt-1m-binanceus-2023-03-01_21.csv.gz'],
      [BINANCE_USDM, 'ETHUSDT', 1677628800000, 'test'],
    ]);
    // The same minute of another market is another row, not a conflict.
    const spotMinute = { openTime: 1677628800000, open: 10, high: 11, low: 9, close: 10.4, volume: 1 };
    const written = await writeBars(handle.db, { market: BINANCEUS_SPOT, symbol: 'BTCUSDT' }, [spotMinute], 'test', { replace: false });
    expect(written).toMatchObject({ inserted: 1, conflicts: 0 });
    expect(await barRange(handle.db, { market: BINANCE_USDM, symbol: 'BTCUSDT' })).toEqual({ first: 1677628800000, last: 1677628860000, count: 2 });
    // Every writer names the market now: the column has no default.
    await expect(handle.sql`insert into bars (symbol, open_time, open, high, low, close, volume, source) values ('X', 0, 1, 1, 1, 1, 1, 't')`).rejects.toThrow(
      /null value in column "market"/,
    );
    const [funding] = await handle.sql<{ n: number }[]>`select count(*)::int as n from funding_rates`;
    expect(funding!.n).toBe(0);
  } finally {
    await handle.close();
  }
});

/**
 * Migration 0005 (the `funding` column of trades and backtest_trades) on a database that already holds round trips
 * from before it: every row is kept as it was and reads funding 0 (the code of that time applied no funding, so its
 * net PnL is price PnL minus fees), and rows written from then on keep the funding they paid.
 */
import { rmSync } from 'node:fs';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { migrateDatabase, openDatabase } from '../../db/client';
import { insertTrades, listTrades } from '../../db/repositories/backtests';
import { trades } from '../../db/schema';
import { migrationsBefore } from './migrations-before';
import { startTempPostgres, type TempPostgres } from './temp-postgres';

const T = Date.UTC(2023, 2, 3, 12, 0);
let pg: TempPostgres;
let oldMigrations: string;

beforeAll(async () => {
  pg = await startTempPostgres();
  oldMigrations = migrationsBefore('0005_trades_funding');
});

afterAll(async () => {
  await pg?.stop();
  rmSync(oldMigrations, { recursive: true, force: true });
});

it('gives existing trades funding 0 and keeps the funding of new ones', async () => {
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder: oldMigrations });
    // Rows as the old code wrote them: a paper bot's round trip and a backtest's.
    await sql`
      insert into trades (id, mode, symbol, side, entry_time, entry_price, exit_time, exit_price, qty, fees, net_pnl, exit_reason, model_version)
      values ('bot-BTCUSDT-paper:1677844800000:LONG', 'paper', 'BTCUSDT', 'LONG', ${T}, 22000, ${T + 600_000}, 22010, 0.5, 8.8, -3.8, 'signal', 'm1')`;
    await sql`
      insert into backtest_runs (run_id, symbol, status, started_at, config, data_ref) values ('old-run', 'BTCUSDT', 'completed', ${T}, '{}', 'data/x.csv')`;
    await sql`
      insert into backtest_trades (run_id, seq, symbol, side, entry_time, entry_price, exit_time, exit_price, qty, fees, net_pnl, exit_reason, model_version)
      values ('old-run', 0, 'BTCUSDT', 'SHORT', ${T}, 22000, ${T + 600_000}, 21990, 0.5, 8.8, -3.8, 'end_of_test', 'm1')`;
  } finally {
    await sql.end();
  }

  await migrateDatabase(pg.url);
  const handle = openDatabase(pg.url, { max: 1 });
  try {
    expect(await handle.db.select({ id: trades.id, funding: trades.funding, netPnl: trades.netPnl }).from(trades)).toEqual([
      { id: 'bot-BTCUSDT-paper:1677844800000:LONG', funding: 0, netPnl: -3.8 },
    ]);
    const [old] = await listTrades(handle.db, 'old-run');
    expect(old).toMatchObject({ seq: 0, side: 'SHORT', funding: 0, netPnl: -3.8 });

    // A new trade of the same run keeps what it paid: a SHORT receiving 1.1 of funding.
    await insertTrades(handle.db, 'old-run', [{ ...old!, seq: 1, funding: -1.1, netPnl: 5 - 8.8 + 1.1 }]);
    expect((await listTrades(handle.db, 'old-run')).map((t) => [t.seq, t.funding])).toEqual([
      [0, 0],
      [1, -1.1],
    ]);
  } finally {
    await handle.close();
  }
});

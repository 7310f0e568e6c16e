/**
 * `npm run download` as a user runs it, against the local exchange replaying the shipped 21 days: the files a
 * backtest reads, the report, its rate in bars per second, and a run killed with SIGKILL that the next run resumes.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { loadBars } from '../../db/repositories/bars';
import { parseFundingCsv } from '../../domain/funding-csv';
import { BINANCE_USDM } from '../../domain/markets';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { readBarFile } from '../../market-data/read-bar-file';
import { startTempPostgres, type TempPostgres } from '../db/temp-postgres';
import { loadShippedBars } from '../helpers/shipped-data';
import { ROOT, tempDir } from './run-script';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const shipped = loadShippedBars();
const SERIES = { market: BINANCE_USDM, symbol: 'BTCUSDT' };
const FROM = '2023-03-01';
const TO = '2023-03-22'; // the shipped data ends 2023-03-21T23:59
let pg: TempPostgres;
let database: DatabaseHandle;
let exchange: LocalExchange;
let dir: string;

const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: pg.url });
const args = (...more: string[]) => [
  join(ROOT, 'scripts', 'download.ts'),
  '--symbol',
  'BTCUSDT',
  '--from',
  FROM,
  '--to',
  TO,
  '--base-url',
  exchange.baseUrl,
  ...more,
];
const stored = () => loadBars(database.db, SERIES, 0, Number.MAX_SAFE_INTEGER);

/** Runs the command asynchronously: the local exchange answering it lives in this process's event loop. */
function runDownload(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, argv, { cwd: ROOT, env: env() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  pg = await startTempPostgres();
  await migrateDatabase(pg.url);
  database = openDatabase(pg.url, { max: 1 });
  exchange = await LocalExchange.start({ bars: shipped, startIndex: shipped.length });
  dir = tempDir('download');
});

afterAll(async () => {
  await exchange?.stop();
  await database?.close();
  await pg?.stop();
});

beforeEach(async () => {
  exchange.clearFaults();
  await database.sql`delete from bars`;
  await database.sql`delete from funding_rates`;
});

describe('npm run download', () => {
  it('downloads 21 days into the database and the files a backtest reads, and reports its rate', async () => {
    const out = join(dir, 'btcusdt-usdm.csv.gz');
    const run = await runDownload(args('--funding', '--out', out));
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('binance-usdm BTCUSDT 2023-03-01T00:00:00.000Z .. 2023-03-22T00:00:00.000Z: 30,240 of 30,240 bars stored');
    expect(run.stdout).toContain('30,240 fetched in 31 request(s): inserted 30,240');
    expect(run.stdout).toContain('no gaps');
    expect(run.stdout).toMatch(/funding: 63 rates stored \(63 with a mark price\)/);
    expect(run.stderr).toMatch(/BTCUSDT bars \[#+\] 100%/); // the progress line (not a TTY: plain lines)
    expect((await readBarFile(out)).bars).toEqual(shipped);
    expect(await stored()).toEqual(shipped);
    expect(parseFundingCsv(readFileSync(join(dir, 'btcusdt-usdm.funding.csv'), 'utf8'))).toHaveLength(63);

    const rate = Number(/([\d,]+) bars\/s over ([\d.]+) s/.exec(run.stdout)![1]!.replace(/,/g, ''));
    console.log(`download rate against the local exchange: ${rate} bars/s (${run.stdout.match(/bars\/s over [\d.]+ s/)![0]})`);
    expect(rate).toBeGreaterThan(1_000);
  });

  it('loses nothing when killed with SIGKILL mid-way, and the next run fetches only the rest', async () => {
    // Slow answers, so the run is surely mid-way when it is killed.
    exchange.setLatency(200);
    const child = spawn(TSX, args(), { cwd: ROOT, env: env(), detached: true, stdio: 'ignore' });
    try {
      for (let n = 0; n < 5_000;) {
        await new Promise((r) => setTimeout(r, 100));
        n = (await stored()).length;
      }
    } finally {
      process.kill(-child.pid!, 'SIGKILL'); // the tsx process and its node child
    }
    await new Promise((r) => setTimeout(r, 300));
    const kept = await stored();
    expect(kept.length).toBeGreaterThanOrEqual(5_000);
    expect(kept.length).toBeLessThan(shipped.length);
    expect(kept).toEqual(shipped.slice(0, kept.length));

    exchange.setLatency(0);
    const resumed = await runDownload(args());
    expect(resumed.code).toBe(0);
    const missing = (shipped.length - kept.length).toLocaleString('en-US');
    expect(resumed.stdout).toContain(`bars: ${missing} missing before, ${missing} fetched`);
    expect(await stored()).toEqual(shipped);
  });

  it('exits 1 with a clear message for an unknown symbol, 2 for a bad option', async () => {
    const unknown = await runDownload([...args(), '--symbol', 'ETHUSDT']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error: The exchange has no USDT-margined perpetual 'ETHUSDT'");
    const bad = await runDownload([...args(), '--to', '2023-03-01T00:00:30Z']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--to must be on a whole minute');
  });
});

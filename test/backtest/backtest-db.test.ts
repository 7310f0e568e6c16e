/**
 * `npm run backtest -- --db` end to end, as a user runs it after `npm run download -- --funding` (the CLI process,
 * against this test's Temporal and PostgreSQL): the bars and funding rates stored as the downloader stores them, the
 * run reads them from the tables, each trade's funding follows strategy.md and is stored in backtest_trades,
 * summary.json names the source; the same data given as files makes the same trades.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildBacktestRequest } from '../../app/backtest-request';
import { runBacktest } from '../../app/run-backtest';
import { getRun, listTrades } from '../../db/repositories/backtests';
import { BINANCE_USDM } from '../../domain/markets';
import { parseTradesCsv } from '../../reports/trades-csv';
import { barsCsv, ROOT } from '../cli/run-script';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { livelyConfig } from './fixtures/lively-config';
import { denseFunding, fundingCsv, handFunding, storeDownload } from './fixtures/stored-download';

jest.setTimeout(180_000);

const HOUR = 3_600_000;
const MIN = 60_000;
// The shipped data stored as a Binance USD-M download: 48 h of training and a 2 h test, funding every 10 minutes.
const bars = loadShippedBars().slice(0, 50 * 60);
const S = bars[0]!.openTime;
const T0 = S + 48 * HOUR;
const END = T0 + 2 * HOUR;
const funding = denseFunding(bars, S, END - MIN, 10 * MIN);

function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'backtest.ts'), ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: runtime.infra.temporal.address,
        TEMPORAL_NAMESPACE: runtime.infra.temporal.namespace,
        DATABASE_URL: runtime.infra.postgres.url,
        BOT_DATA_DIR: runtime.dataDir,
        ...(process.env.LIGHTGBM_LIB_PATH ? { LIGHTGBM_LIB_PATH: process.env.LIGHTGBM_LIB_PATH } : {}),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let runtime: TestRuntime;
let configFile: string;

beforeAll(async () => {
  runtime = await startTestRuntime();
  await storeDownload(runtime.database.db, { market: BINANCE_USDM, symbol: 'BTCUSDT' }, bars, funding);
  configFile = join(runtime.dataDir, 'lively.yaml');
  writeFileSync(configFile, stringify(livelyConfig()));
});
afterAll(async () => {
  await runtime?.stop();
});

test('--db: bars and funding from the tables, funding stored with each trade, the source in summary.json', async () => {
  const out = join(runtime.dataDir, 'backtests', 'db-1');
  const run = await runCli(['--db', '--symbol', 'BTCUSDT', '--config', configFile, '--test-hours', '2', '--run-id', 'db-1', '--out', out, '--quiet']);
  if (run.code !== 0) throw new Error(`the backtest exited with ${run.code}:\n${run.stderr}`);

  const trades = parseTradesCsv(readFileSync(join(out, 'trades.csv'), 'utf8'));
  const byTime = new Map(bars.map((b) => [b.openTime, b]));
  expect(trades.length).toBeGreaterThan(2);
  expect(trades.filter((t) => t.funding !== 0).length).toBeGreaterThan(0);
  for (const t of trades) expect(t.funding).toBeCloseTo(handFunding(t, funding, byTime), 9);
  const rows = await listTrades(runtime.database.db, 'db-1');
  expect(rows.map((r) => r.funding)).toEqual(trades.map((t) => t.funding));

  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { data: unknown; metrics: { funding: number } };
  // The test bars open at the 12 funding times T0, T0 + 10 min, ..., T0 + 1 h 50 min (floored to their minute).
  const inTest = funding.filter((f) => f.time >= T0 && f.time < END);
  expect(summary.data).toEqual({
    source: 'db',
    ref: 'db:bars/binance-usdm/BTCUSDT',
    market: BINANCE_USDM,
    symbol: 'BTCUSDT',
    from: S,
    to: END,
    bars: 50 * 60,
    funding: { source: 'db', market: BINANCE_USDM, symbol: 'BTCUSDT', from: T0, to: END, rows: 12, first: T0, last: END - 10 * MIN, applied_times: 12 },
  });
  expect(inTest).toHaveLength(12);
  expect(summary.metrics.funding).toBeCloseTo(
    trades.reduce((s, t) => s + t.funding, 0),
    9,
  );
  expect(await getRun(runtime.database.db, 'db-1')).toMatchObject({ status: 'completed', dataRef: 'db:bars/binance-usdm/BTCUSDT' });

  // The same bars and rates as files (--data F --funding G) make the same trades, with the models the first run trained.
  const dataFile = join(runtime.dataDir, 'download.csv');
  const fundingFile = join(runtime.dataDir, 'download.funding.csv');
  writeFileSync(dataFile, barsCsv(bars));
  writeFileSync(fundingFile, fundingCsv(funding));
  const fileOut = join(runtime.dataDir, 'backtests', 'file-1');
  const prepared = await buildBacktestRequest(livelyConfig(), { data: dataFile, funding: fundingFile, testHours: 2, runId: 'file-1', out: fileOut });
  const fileSummary = await runBacktest(runtime.client, prepared);
  expect(parseTradesCsv(readFileSync(join(fileOut, 'trades.csv'), 'utf8'))).toEqual(trades);
  expect(fileSummary.metrics.funding).toBe(summary.metrics.funding);
  const fileJson = JSON.parse(readFileSync(join(fileOut, 'summary.json'), 'utf8')) as { timings: { models_reused: number } };
  expect(fileJson.timings.models_reused).toBe(2); // a model's version hashes the bars' content, wherever they were read
});

test('--db on a series that is not stored fails with what to do, after the servers answered', async () => {
  const run = await runCli(['--db', '--symbol', 'ETHUSDT', '--run-id', 'db-2', '--quiet']);

  expect(run.code).toBe(1);
  expect(run.stderr).toContain('error: No bars stored for binance-usdm ETHUSDT; fetch them with npm run download -- --symbol ETHUSDT');
  expect(run.stdout).toBe('');
});

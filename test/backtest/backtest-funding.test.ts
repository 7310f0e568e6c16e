/**
 * `npm run backtest -- --funding FILE` end to end, as a user runs it (the CLI process, against this test's Temporal
 * and PostgreSQL): trades.csv gets each trade's funding, summary.json the `funding` metric and the funding source,
 * report.html shows it; each trade's funding is what strategy.md says (checked by hand from the bars and the
 * series), and the bar-by-bar live path with the same series makes the same trades.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildBacktestRequest } from '../../app/backtest-request';
import { listTrades } from '../../db/repositories/backtests';
import { parseTradesCsv } from '../../reports/trades-csv';
import { ROOT } from '../cli/run-script';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { livelyConfig } from './fixtures/lively-config';
import { denseFunding, fundingCsv, handFunding } from './fixtures/stored-download';
import { replayLive } from './fixtures/live-replay';

jest.setTimeout(300_000);

const HOUR = 3_600_000;
const MIN = 60_000;
const bars = loadShippedBars();
const T0 = bars[0]!.openTime + 48 * HOUR; // the test starts after the default 48 h of training
const TEST_HOURS = 3;

function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'backtest.ts'), ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let runtime: TestRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(async () => {
  await runtime?.stop();
});

test('--funding: the funding column, metric, source note and report, as strategy.md computes them', async () => {
  // Every 20 minutes from an hour before the test to an hour after it.
  const series = denseFunding(bars, T0 - HOUR, T0 + (TEST_HOURS + 1) * HOUR, 20 * MIN);
  const fundingFile = join(runtime.dataDir, 'btcusdt.funding.csv');
  writeFileSync(fundingFile, fundingCsv(series));
  const configFile = join(runtime.dataDir, 'lively.yaml');
  writeFileSync(configFile, stringify(livelyConfig()));
  const out = join(runtime.dataDir, 'backtests', 'funding-1');
  const args = ['--config', configFile, '--funding', fundingFile, '--test-hours', String(TEST_HOURS), '--run-id', 'funding-1', '--out', out, '--quiet'];

  const run = await runCli(args, {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: runtime.infra.temporal.address,
    TEMPORAL_NAMESPACE: runtime.infra.temporal.namespace,
    DATABASE_URL: runtime.infra.postgres.url,
    BOT_DATA_DIR: runtime.dataDir,
    ...(process.env.LIGHTGBM_LIB_PATH ? { LIGHTGBM_LIB_PATH: process.env.LIGHTGBM_LIB_PATH } : {}),
  });
  if (run.code !== 0) throw new Error(`the backtest exited with ${run.code}:\n${run.stderr}`);
  expect(run.stdout).toMatch(/^funding +Funding paid \(negative: received\) +-?\d+\.\d\d$/m);

  const csv = readFileSync(join(out, 'trades.csv'), 'utf8');
  expect(csv.split('\n')[0]).toBe('side,entry_time,entry_price,exit_time,exit_price,qty,fees,funding,net_pnl,exit_reason,model_version');
  const trades = parseTradesCsv(csv);
  const byTime = new Map(bars.map((b) => [b.openTime, b]));
  expect(trades.length).toBeGreaterThan(2);
  expect(trades.filter((t) => t.funding !== 0).length).toBeGreaterThan(0);
  for (const t of trades) {
    expect(t.funding).toBeCloseTo(handFunding(t, series, byTime), 9);
    const pricePnl = (t.side === 'LONG' ? 1 : -1) * t.qty * (t.exitPrice - t.entryPrice);
    expect(t.netPnl).toBeCloseTo(pricePnl - t.fees - t.funding, 8);
  }
  // trades.csv is the backtest_trades rows as stored, funding included.
  const rows = await listTrades(runtime.database.db, 'funding-1');
  expect(rows.map(({ runId: _r, seq: _s, symbol: _y, modelVersion, ...t }) => ({ ...t, modelVersion: modelVersion ?? '' }))).toEqual(trades);

  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
    metrics: Record<string, number>;
    data: { funding: Record<string, unknown> };
  };
  expect(summary.metrics.funding).toBeCloseTo(
    trades.reduce((s, t) => s + t.funding, 0),
    9,
  );
  // Test bars open at 9 of the 16 funding times (T0, T0 + 20 min, ..., T0 + 2 h 40 min).
  expect(summary.data.funding).toEqual({
    source: 'file',
    path: fundingFile,
    entries: series.length,
    first: T0 - HOUR,
    last: T0 + (TEST_HOURS + 1) * HOUR,
    applied_times: 9,
  });
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  expect(html).toContain(`<dt>Funding</dt><dd>${fundingFile}: ${series.length} rates, 9 at test bar opens</dd>`);
  expect(html).toContain('<th>Funding</th>');

  // Parity: the bar-by-bar live decision path with the same series makes exactly these trades and equity.
  const prepared = await buildBacktestRequest(livelyConfig(), { funding: fundingFile, testHours: TEST_HOURS, runId: 'funding-1', out });
  const live = await replayLive(runtime.database.db, prepared);
  expect(live.trades).toEqual(trades);
});

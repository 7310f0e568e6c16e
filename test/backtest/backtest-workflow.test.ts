/**
 * The main job end to end on the real stack (Temporal dev server, embedded PostgreSQL, LightGBM): result files,
 * database records, determinism, failure handling, and parity with the bar-by-bar live decision path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { buildBacktestRequest, type PreparedBacktest } from '../../app/backtest-request';
import { runBacktest } from '../../app/run-backtest';
import type { BotConfig } from '../../config/schema';
import { getRun, listTrades } from '../../db/repositories/backtests';
import type { Trade } from '../../domain/trading';
import { parseEquityCsv } from '../../reports/equity-csv';
import { parseTradesCsv } from '../../reports/trades-csv';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { livelyConfig } from './fixtures/lively-config';
import { replayLive } from './fixtures/live-replay';

jest.setTimeout(300_000);

const SUMMARY_METRICS = [
  'net_pnl',
  'total_return',
  'trades',
  'win_rate',
  'avg_win',
  'avg_loss',
  'profit_factor',
  'expectancy',
  'fees',
  'sharpe',
  'sortino',
  'max_drawdown',
  'calmar',
  'exposure',
  'avg_holding_minutes',
];

/** The parts of summary.json these tests read. */
interface SummaryJson {
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly models: readonly unknown[];
  readonly config: { readonly trading: { readonly entry_threshold_bps: number } };
  readonly timings: { readonly models_trained: number };
}

function readSummary(dir: string): SummaryJson {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryJson;
}

let runtime: TestRuntime;
let config: BotConfig;

beforeAll(async () => {
  runtime = await startTestRuntime();
  config = livelyConfig();
});
afterAll(async () => {
  await runtime?.stop();
});

async function prepare(runId: string, overrides: Partial<BotConfig> = {}): Promise<PreparedBacktest> {
  return buildBacktestRequest({ ...config, ...overrides }, { runId, testHours: 6, out: join(runtime.dataDir, 'backtests', runId) });
}

describe('BacktestWorkflow on the shipped data', () => {
  let first: PreparedBacktest;
  let firstTrades: Trade[];

  test('writes summary.json, trades.csv, equity.csv and report.html, and records the run', async () => {
    first = await prepare('it-run-1');
    const summary = await runBacktest(runtime.client, first);
    const dir = first.request.outDir;
    for (const f of ['summary.json', 'trades.csv', 'equity.csv', 'report.html']) expect(existsSync(join(dir, f))).toBe(true);

    const json = readSummary(dir);
    expect(Object.keys(json.metrics)).toEqual(expect.arrayContaining(SUMMARY_METRICS));
    expect(json.models).toHaveLength(6); // 6 h test, a model every 60 minutes
    expect(json.config.trading.entry_threshold_bps).toBe(2);

    firstTrades = parseTradesCsv(readFileSync(join(dir, 'trades.csv'), 'utf8'));
    const equity = parseEquityCsv(readFileSync(join(dir, 'equity.csv'), 'utf8'));
    expect(firstTrades.length).toBeGreaterThan(10);
    expect(summary.metrics.trades).toBe(firstTrades.length);
    // Starting capital at T0, then one row per test bar close; final equity = capital + sum of net PnL.
    expect(equity).toHaveLength(6 * 60 + 1);
    expect(equity[0]).toEqual({ openTime: first.request.start + 48 * 3_600_000, equity: 10_000 });
    const pnl = firstTrades.reduce((s, t) => s + t.netPnl, 0);
    expect(equity[equity.length - 1]!.equity).toBeCloseTo(10_000 + pnl, 6);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).not.toMatch(/(src|href)="https?:/);

    const run = await getRun(runtime.database.db, 'it-run-1');
    expect(run?.status).toBe('completed');
    expect(await listTrades(runtime.database.db, 'it-run-1')).toHaveLength(firstTrades.length);
  });

  test('a rerun with the same inputs gives identical trades and metrics, even when every model is trained again', async () => {
    // Without the registered models the rerun must retrain them all: LightGBM itself must be deterministic.
    await runtime.database.sql`delete from models where purpose = 'backtest'`;
    const again = await prepare('it-run-2');
    const summary = await runBacktest(runtime.client, again);
    const trades = parseTradesCsv(readFileSync(join(again.request.outDir, 'trades.csv'), 'utf8'));
    expect(trades).toEqual(firstTrades);
    const before = readSummary(first.request.outDir);
    expect(summary.metrics).toEqual(before.metrics);
    const after = readSummary(again.request.outDir);
    expect(after.timings.models_trained).toBe(6);
    expect(after.models).toEqual(before.models);
  });

  test('parity: feeding the bars one by one through the live decision path gives the same trades', async () => {
    const live = await replayLive(runtime.database.db, first);
    expect(live.trades).toEqual(firstTrades);
    expect(live.equity).toEqual(parseEquityCsv(readFileSync(join(first.request.outDir, 'equity.csv'), 'utf8')));
  });

  test('a run that fails after it started is marked failed and leaves no result folder', async () => {
    const bad = await prepare('it-run-bad');
    // A 30-minute training window holds too few rows: the training activity fails without retrying.
    const request = { ...bad.request, training: { ...bad.request.training, windowMinutes: 30 } };
    await expect(runBacktest(runtime.client, { ...bad, request })).rejects.toThrow(WorkflowFailedError);
    const run = await getRun(runtime.database.db, 'it-run-bad');
    expect(run?.status).toBe('failed');
    expect(run?.error).toMatch(/rows/);
    expect(existsSync(bad.request.outDir)).toBe(false);
  });
});

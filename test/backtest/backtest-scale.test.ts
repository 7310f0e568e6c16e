/**
 * Backtests beyond the old 336-hour cap on the real stack: a 400-hour run in several chunks makes the trades of
 * the bar-by-bar live path while its workflow history stays small; a run id in use is refused; a cancelled run
 * ends with status cancelled.
 */
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { buildBacktestRequest, type PreparedBacktest } from '../../app/backtest-request';
import { assertRunIdFree, BacktestRunError, cancelBacktestRun } from '../../app/backtest-runs';
import { runBacktest, startBacktest } from '../../app/run-backtest';
import { loadConfig } from '../../config/load-config';
import type { BotConfig } from '../../config/schema';
import { getRun, listTrades } from '../../db/repositories/backtests';
import type { BacktestProgress } from '../../contracts/backtest';
import { historyStats } from '../../scripts/lib/history-stats';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { waitFor } from '../helpers/wait-for';
import { livelyConfig } from './fixtures/lively-config';
import { replayLive } from './fixtures/live-replay';

jest.setTimeout(300_000);

let runtime: TestRuntime;
let config: BotConfig;

beforeAll(async () => {
  runtime = await startTestRuntime();
  config = livelyConfig();
});
afterAll(async () => {
  await runtime?.stop();
});

async function prepare(runId: string, testHours: number, retrainMinutes: number, c: BotConfig = config): Promise<PreparedBacktest> {
  return buildBacktestRequest(c, { runId, testHours, retrainMinutes, out: join(runtime.dataDir, 'backtests', runId) });
}

describe('a backtest longer than the old 336-hour cap', () => {
  let long: PreparedBacktest;

  test('completes in chunks with the trades of the bar-by-bar live path, in a small history', async () => {
    const prepared = await prepare('scale-long', 400, 240);
    // 100 models in chunks of 16: seven training children, seven simulated chunks carrying the trader state.
    long = { ...prepared, request: { ...prepared.request, chunkSegments: 16 } };
    const summary = await runBacktest(runtime.client, long);
    const stored = await listTrades(runtime.database.db, 'scale-long');
    expect(summary.metrics.trades).toBe(stored.length);
    expect(stored.length).toBeGreaterThan(20);

    const live = await replayLive(runtime.database.db, long);
    const strip = ({ seq: _seq, runId: _run, symbol: _symbol, ...t }: (typeof stored)[number]) => t;
    // No funding series: every trade paid none, and its row says so.
    expect(live.trades.every((t) => t.funding === 0)).toBe(true);
    expect(stored.map(strip)).toEqual(live.trades);

    const histories = await historyStats(runtime.client, long.workflowId);
    expect(histories).toHaveLength(1 + 7);
    const parent = histories[0]!;
    // Per chunk: a child, a simulation and at most five progress signals, whatever the number of bars.
    expect(parent.events).toBeLessThan(7 * 40);
    for (const h of histories) expect(h.largestEventBytes).toBeLessThan(64 * 1024);
  });

  test('a run id in use is refused, by the CLI check and by the workflow itself, and the first run is untouched', async () => {
    await expect(assertRunIdFree(runtime.client, runtime.database.db, 'scale-long', long.workflowId)).rejects.toThrow(BacktestRunError);
    // Another workflow claiming the same run id (e.g. another symbol label) fails before it writes anything.
    const twin = { ...long, workflowId: `${long.workflowId}-twin` };
    await expect(runBacktest(runtime.client, twin)).rejects.toThrow(WorkflowFailedError);
    const row = await getRun(runtime.database.db, 'scale-long');
    expect(row?.status).toBe('completed');
    expect(row?.workflowId).toBe(long.workflowId);
  });
});

test('cancel ends a running backtest with status cancelled', async () => {
  // The shipped LightGBM settings (early stopping at up to 1000 trees): slow enough to cancel mid-run.
  const prepared = await prepare('scale-cancel', 48, 15, loadConfig());
  const handle = await startBacktest(runtime.client, prepared);
  await waitFor('a first trained model', async () => {
    const p = await handle.query<BacktestProgress>('progress').catch(() => undefined);
    return p && p.modelsTrained > 0 ? true : undefined;
  });
  await cancelBacktestRun(runtime.client, runtime.database.db, 'scale-cancel');
  expect((await handle.describe()).status.name).toBe('CANCELLED');
  expect((await getRun(runtime.database.db, 'scale-cancel'))?.status).toBe('cancelled');
});

/**
 * SweepWorkflow on the real stack (Temporal dev server + embedded PostgreSQL + workers in this process): three
 * trading-only combinations share one walk-forward (the registry gains exactly one model per segment), each one's
 * whole-period metrics equal a standalone backtest with its configuration, and its held-out figures equal what
 * that backtest's own equity and trades show after the split time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { buildBacktestRequest } from '../../app/backtest-request';
import { runBacktest } from '../../app/run-backtest';
import { buildSweepRequest, combinationConfig } from '../../app/sweep-plan';
import { followSweep, readSweepSummary, startSweep } from '../../app/sweep-run';
import { gridCombinations, parseGrid } from '../../domain/sweep/grid';
import { parseTradesCsv } from '../../reports/trades-csv';
import { getSweep, listSweepResults } from '../../db/repositories/sweeps';
import { livelyConfig } from '../backtest/fixtures/lively-config';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(240_000);

let runtime: TestRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(async () => {
  await runtime?.stop();
});

async function modelCount(): Promise<number> {
  const rows = await runtime.database.db.execute<{ n: string }>(sql`select count(*)::text as n from models`);
  return Number(rows[0]!.n);
}

test('trading-only combinations: one set of models, metrics of a standalone backtest, held-out from after the split', async () => {
  const base = livelyConfig();
  const axes = parseGrid(['trading.entry_threshold_bps=1.5,2,3', 'trading.exit_threshold_bps=1']);
  const combinations = gridCombinations(axes);
  const outDir = join(runtime.dataDir, 'sweeps', 's1');
  const backtest = { testHours: 2, retrainMinutes: 60 };
  const request = await buildSweepRequest(base, {
    sweepId: 's1',
    axes,
    combinations,
    search: 'grid',
    selectOn: 'sharpe',
    holdoutFraction: 0.3,
    maxParallel: 2,
    backtest,
    outDir,
  });
  expect(request.groups).toHaveLength(1);
  const before = await modelCount();
  const summary = await followSweep(await startSweep(runtime.client, request));
  expect(summary.combinations).toBe(3);
  // Two hourly segments: two models for three combinations.
  expect((await modelCount()) - before).toBe(2);

  const file = readSweepSummary(outDir);
  expect((await getSweep(runtime.database.db, 's1'))?.status).toBe('completed');
  const rows = await listSweepResults(runtime.database.db, 's1');
  expect(rows.map((r) => [r.rank, r.combination])).toEqual(file.ranking.map((r) => [r.rank, r.index]));
  expect(readFileSync(join(outDir, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
  expect(readFileSync(join(outDir, 'report.html'), 'utf8')).toContain('echarts');
  const split = request.splitTime;
  // The last two combinations: the first one's standalone run is the group's walk-forward itself.
  for (const index of [1, 2]) {
    const row = file.ranking.find((r) => r.index === index)!;
    const config = combinationConfig(base, combinations[index]!);
    const prepared = await buildBacktestRequest(config, { ...backtest, runId: `alone-${index}`, out: join(runtime.dataDir, `alone-${index}`) });
    const alone = await runBacktest(runtime.client, prepared);
    for (const [k, v] of Object.entries(alone.metrics)) {
      if (v === null) expect(row.whole[k]).toBeNull();
      else expect(row.whole[k]).toBeCloseTo(v, 9);
    }
    const equity = readFileSync(join(alone.outDir, 'equity.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number) as [number, number]);
    const atSplit = equity.find(([t]) => t === split)![1];
    const last = equity[equity.length - 1]![1];
    expect(row.held_out.net_pnl).toBeCloseTo(last - atSplit, 9);
    expect(row.in_sample.net_pnl).toBeCloseTo(atSplit - equity[0]![1], 9);
    const trades = parseTradesCsv(readFileSync(join(alone.outDir, 'trades.csv'), 'utf8'));
    expect(row.held_out.trades).toBe(trades.filter((t) => t.entryTime >= split).length);
    expect(row.in_sample.trades).toBe(trades.filter((t) => t.exitTime < split).length);
  }
  expect(file.ranking.some((r) => (r.whole.trades ?? 0) > 0)).toBe(true);
  // Standalone runs reused the sweep's models.
  expect((await modelCount()) - before).toBe(2);
});

test('cancel: the child walk-forward stops and the sweep row says cancelled', async () => {
  const axes = parseGrid(['training.lightgbm.num_leaves=8', 'trading.entry_threshold_bps=2,3']);
  const request = await buildSweepRequest(livelyConfig(), {
    sweepId: 's-cancel',
    axes,
    combinations: gridCombinations(axes),
    search: 'grid',
    selectOn: 'sharpe',
    holdoutFraction: 0.3,
    maxParallel: 1,
    backtest: { testHours: 24, retrainMinutes: 15 },
    outDir: join(runtime.dataDir, 'sweeps', 's-cancel'),
  });
  const handle = await startSweep(runtime.client, request);
  const childHandle = runtime.client.workflow.getHandle(`backtest-BTCUSDT-${request.groups[0]!.backtest.runId}`);
  await waitFor(
    'the walk-forward running',
    async () => ((await childHandle.describe().catch(() => undefined))?.status.name === 'RUNNING' ? true : undefined),
    30_000,
    50,
  );
  await handle.cancel();
  await expect(handle.result()).rejects.toThrow();
  await waitFor('cancelled', async () => ((await getSweep(runtime.database.db, 's-cancel'))?.status === 'cancelled' ? true : undefined), 30_000, 50);
  expect((await childHandle.describe()).status.name).toBe('CANCELLED');
});

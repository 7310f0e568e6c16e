/**
 * npm run bench:sweep: on the shipped data (48 h train, 24 h test, hourly retrain, entry 3 / exit 1.5 bps), in one
 * process (workflows + 2 LightGBM threads):
 *   (a) one backtest, (b) a 48-combination trading-only sweep (one model group), (c) 2 model groups x 24 trading
 *   combinations; (d) (c) again with a second process serving the training queue (`workers/training-worker.ts`);
 *   wall times and the ratios to (a). Every timed run first deletes the registry's backtest models,
 *   so each one really trains its models. Results: .data/bench/sweep-results.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBacktestRequest } from '../app/backtest-request';
import { startLocalRuntime, type LocalRuntime } from '../app/local-runtime';
import { followBacktest, startBacktest } from '../app/run-backtest';
import { buildSweepRequest } from '../app/sweep-plan';
import { followSweep, startSweep } from '../app/sweep-run';
import { loadConfig } from '../config/load-config';
import { projectRoot } from '../config/project-root';
import { gridCombinations, parseGrid } from '../domain/sweep/grid';

const OUT = join(projectRoot(), '.data', 'bench');
const TRADING_48 = ['trading.entry_threshold_bps=2:4.5:0.5', 'trading.exit_threshold_bps=0.5,1,1.5,2', 'trading.cooldown_minutes=1,3'];
const GROUPS_2x24 = ['training.lightgbm.num_leaves=16,64', 'trading.entry_threshold_bps=2:4.5:0.5', 'trading.exit_threshold_bps=0.5,1,1.5,2'];

const base = (() => {
  const c = loadConfig();
  return { ...c, trading: { ...c.trading, entry_threshold_bps: 3, exit_threshold_bps: 1.5 } };
})();

async function dropBacktestModels(runtime: LocalRuntime): Promise<void> {
  await runtime.database.sql`delete from models where purpose = 'backtest'`;
}

async function oneBacktest(runtime: LocalRuntime, stamp: number): Promise<number> {
  await dropBacktestModels(runtime);
  const started = performance.now();
  const prepared = await buildBacktestRequest(base, { runId: `bench-sweep-bt-${stamp}`, out: join(OUT, `bench-sweep-bt-${stamp}`) });
  await followBacktest(await startBacktest(runtime.client, prepared));
  return performance.now() - started;
}

async function sweep(
  runtime: LocalRuntime,
  name: string,
  grid: readonly string[],
  stamp: number,
): Promise<{ ms: number; combinations: number; groups: number }> {
  await dropBacktestModels(runtime);
  const started = performance.now();
  const axes = parseGrid(grid);
  const combinations = gridCombinations(axes);
  const request = await buildSweepRequest(base, {
    sweepId: `bench-${name}-${stamp}`,
    axes,
    combinations,
    search: 'grid',
    selectOn: 'sharpe',
    holdoutFraction: 0.3,
    maxParallel: 2,
    backtest: {},
    outDir: join(OUT, `bench-${name}-${stamp}`),
  });
  const summary = await followSweep(await startSweep(runtime.client, request));
  return { ms: performance.now() - started, combinations: summary.combinations, groups: request.groups.length };
}

/** A second process polling the training queue of the same servers; resolves once it says it polls. */
async function secondTrainingWorker(runtime: LocalRuntime): Promise<ChildProcess> {
  const env = { ...process.env, TEMPORAL_ADDRESS: runtime.infra.temporalAddress, DATABASE_URL: runtime.infra.databaseUrl, LOG_LEVEL: 'INFO' };
  const child = spawn(join(projectRoot(), 'node_modules', '.bin', 'tsx'), ['workers/training-worker.ts'], {
    cwd: projectRoot(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the second training worker did not start polling within 60 s')), 60_000);
    const seen = (chunk: Buffer) => {
      if (/RUNNING|polling/i.test(chunk.toString())) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', seen);
    child.once('exit', (code) => reject(new Error(`the second training worker exited (${code})`)));
  });
  return child;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const runtime = await startLocalRuntime({ log: (m) => console.error(`[infra] ${m}`) });
  try {
    const stamp = Date.now();
    // Untimed warm-up (workflow bundle, data parse, first LightGBM load), so each timed run starts warm.
    await oneBacktest(runtime, stamp - 1);
    const backtestMs = await oneBacktest(runtime, stamp);
    console.error(`one backtest: ${(backtestMs / 1000).toFixed(1)} s`);
    const trading = await sweep(runtime, 'trading48', TRADING_48, stamp);
    console.error(`48 trading-only combinations: ${(trading.ms / 1000).toFixed(1)} s (${(trading.ms / backtestMs).toFixed(2)}x one backtest)`);
    const groups = await sweep(runtime, 'groups2x24', GROUPS_2x24, stamp);
    console.error(`2 model groups x 24: ${(groups.ms / 1000).toFixed(1)} s (${(groups.ms / backtestMs).toFixed(2)}x one backtest)`);
    const worker = await secondTrainingWorker(runtime);
    let twoWorkers;
    try {
      twoWorkers = await sweep(runtime, 'groups2x24-2workers', GROUPS_2x24, stamp);
    } finally {
      worker.kill('SIGTERM');
    }
    console.error(
      `2 model groups x 24, two training processes: ${(twoWorkers.ms / 1000).toFixed(1)} s (${(twoWorkers.ms / groups.ms).toFixed(2)}x one process)`,
    );
    const result = {
      at: new Date().toISOString(),
      backtest_s: backtestMs / 1000,
      trading48: { ...trading, s: trading.ms / 1000, ratio: trading.ms / backtestMs },
      groups2x24: { ...groups, s: groups.ms / 1000, ratio: groups.ms / backtestMs },
      groups2x24_two_training_processes: { ...twoWorkers, s: twoWorkers.ms / 1000, ratio_to_one_process: twoWorkers.ms / groups.ms },
    };
    writeFileSync(join(OUT, 'sweep-results.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await runtime.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

/**
 * npm run bench:backtest -- [--skip-shipped] [--skip-year] [--days 365] [--processes 1,2]
 *
 * (a) The walk-forward of the whole shipped data (48 h train, the remaining 456 h tested, hourly retrain, entry
 *     3 bps / exit 1.5 bps) by the project, `npm run backtest` timed as a user runs it (servers already up), and by
 *     the plain Python baseline bench/walkforward.py (numpy + lightgbm, LightGBM's default threads) in the same
 *     run; their wall times, ratio, and whether they made the same trades.
 * (b) A year of seeded SYNTHETIC bars (npm run synth), served by one trading worker process and 1, then 2,
 *     training worker processes (npm run worker:training, default slots): wall time, models per second, peak RSS
 *     and event-loop delay of every process, the largest workflow history (events, bytes) and the largest event
 *     (an upper bound of the largest payload).
 * Every timed run first deletes the registry's backtest models, so it really trains every model.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { buildBacktestRequest } from '../app/backtest-request';
import { startLocalRuntime, type LocalRuntime } from '../app/local-runtime';
import { followBacktest, startBacktest } from '../app/run-backtest';
import { loadConfig } from '../config/load-config';
import { projectRoot } from '../config/project-root';
import type { ProcessStats } from '../workers/process-stats';
import { historyStats, type HistoryStats } from './lib/history-stats';
import { parseCli } from './lib/cli';

const ROOT = projectRoot();
const OUT = join(ROOT, '.data', 'bench');
const SHIPPED = resolve(ROOT, loadConfig().backtest.data_file);

function benchConfig(): string {
  const config = parse(readFileSync(join(ROOT, 'config', 'config.yaml'), 'utf8')) as { trading: Record<string, unknown> };
  config.trading.entry_threshold_bps = 3;
  config.trading.exit_threshold_bps = 1.5;
  const file = join(OUT, 'bench-config.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; stdout: string } {
  const started = performance.now();
  const r = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { ms, stdout: r.stdout };
}

async function dropBacktestModels(runtime: LocalRuntime): Promise<void> {
  await runtime.database.sql`delete from models where purpose = 'backtest'`;
}

async function shipped(runtime: LocalRuntime): Promise<Record<string, unknown>> {
  const config = benchConfig();
  const env = { TEMPORAL_ADDRESS: runtime.infra.temporalAddress, DATABASE_URL: runtime.infra.databaseUrl };
  const common = ['--train-hours', '48', '--test-hours', '456', '--retrain-minutes', '60'];
  const runId = `bench-shipped-${Date.now()}`;
  const projectOut = join(OUT, runId);
  await dropBacktestModels(runtime);
  const project = timed(
    process.execPath,
    ['--import', 'tsx', 'scripts/backtest.ts', ...common, '--config', config, '--run-id', runId, '--out', projectOut, '--quiet'],
    env,
  );
  const pyOut = join(OUT, `${runId}-python`);
  const python = timed('python3', ['bench/walkforward.py', '--data', SHIPPED, ...common, '--entry-bps', '3', '--exit-bps', '1.5', '--out', pyOut], {
    PYTHONPATH: join(ROOT, '.toolchain', 'py'),
  });
  const compare = JSON.parse(
    timed('python3', ['bench/compare_trades.py', join(projectOut, 'trades.csv'), join(pyOut, 'trades.csv')])
      .stdout.trim()
      .split('\n')
      .pop()!,
  ) as Record<string, unknown>;
  const summary = JSON.parse(readFileSync(join(projectOut, 'summary.json'), 'utf8')) as { timings: Record<string, number> };
  return {
    project_wall_s: round(project.ms / 1000),
    python_wall_s: round(python.ms / 1000),
    ratio_project_over_python: round(project.ms / python.ms),
    project_timings: summary.timings,
    python_timings: JSON.parse(readFileSync(join(pyOut, 'timings.json'), 'utf8')) as unknown,
    same_trades: compare,
  };
}

interface WorkerHandle {
  readonly child: ChildProcess;
  readonly statsFile: string;
}

async function startWorker(kind: 'trading' | 'training', index: number, env: NodeJS.ProcessEnv): Promise<WorkerHandle> {
  const statsFile = join(OUT, `${kind}-${index}-stats.json`);
  const child = spawn(process.execPath, ['--import', 'tsx', `workers/${kind}-worker.ts`], {
    cwd: ROOT,
    env: { ...process.env, ...env, WORKER_STATS_FILE: statsFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('polling task queue')) ready();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('exit', (code) => fail(new Error(`${kind} worker exited (${code}):\n${output}`)));
  });
  return { child, statsFile };
}

async function stopWorker(w: WorkerHandle): Promise<ProcessStats> {
  const exited = new Promise<void>((done) => w.child.once('exit', () => done()));
  w.child.kill('SIGTERM');
  await exited;
  return JSON.parse(readFileSync(w.statsFile, 'utf8')) as ProcessStats;
}

async function year(runtime: LocalRuntime, days: number, processes: number): Promise<Record<string, unknown>> {
  const file = join(OUT, `synthetic-${days + 2}d-seed7.csv.gz`);
  if (!existsSync(file)) timed(process.execPath, ['--import', 'tsx', 'scripts/synth.ts', '--days', String(days + 2), '--seed', '7', '--out', file]);
  const env = { TEMPORAL_ADDRESS: runtime.infra.temporalAddress, DATABASE_URL: runtime.infra.databaseUrl };
  const trading = await startWorker('trading', 0, env);
  const training: WorkerHandle[] = [];
  for (let i = 0; i < processes; i++) training.push(await startWorker('training', i, env));
  try {
    await dropBacktestModels(runtime);
    const runId = `bench-year-${processes}p-${Date.now()}`;
    const prepared = await buildBacktestRequest(loadConfig(), {
      data: file,
      symbol: 'SYNTHUSDT',
      trainHours: 48,
      testHours: days * 24,
      out: join(OUT, runId),
      runId,
    });
    const started = performance.now();
    const summary = await followBacktest(await startBacktest(runtime.client, prepared), undefined, 2_000);
    const wallMs = performance.now() - started;
    const json = JSON.parse(readFileSync(join(summary.outDir, 'summary.json'), 'utf8')) as { timings: { models_trained: number } };
    const histories: HistoryStats[] = await historyStats(runtime.client, prepared.workflowId);
    const largest = histories.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const mostEvents = histories.reduce((a, b) => (b.events > a.events ? b : a));
    const stats = [await stopWorker(trading), ...(await Promise.all(training.map(stopWorker)))];
    return {
      data: `SYNTHETIC ${days + 2} days (seed 7), ${days * 24} test hours`,
      training_processes: processes,
      wall_s: round(wallMs / 1000),
      models_trained: json.timings.models_trained,
      models_per_s: round(json.timings.models_trained / (wallMs / 1000)),
      processes: stats.map((s) => ({ name: s.name, peak_rss_mb: s.peakRssMb, event_loop_delay_ms: s.eventLoopDelayMs })),
      largest_history: { workflow: largest.workflowId, events: largest.events, bytes: largest.bytes },
      most_events: { workflow: mostEvents.workflowId, events: mostEvents.events },
      largest_event_bytes: Math.max(...histories.map((h) => h.largestEventBytes)),
      workflows: histories.length,
    };
  } finally {
    for (const w of [trading, ...training]) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), {
    'skip-shipped': { type: 'boolean' },
    'skip-year': { type: 'boolean' },
    days: { type: 'string', default: '365' },
    processes: { type: 'string', default: '1,2' },
  });
  mkdirSync(OUT, { recursive: true });
  // Servers up and initialised before anything is timed, as for a user who ran `npm run infra -- up`.
  const runtime = await startLocalRuntime({ workers: false, infra: { detached: true }, log: (m) => console.error(`[infra] ${m}`) });
  const results: Record<string, unknown> = { machine: { cores: (await import('node:os')).availableParallelism() } };
  try {
    if (!values['skip-shipped']) {
      results.shipped = await shipped(runtime);
      console.log(JSON.stringify({ shipped: results.shipped }, null, 2));
    }
    if (!values['skip-year']) {
      for (const p of values.processes.split(',').map(Number)) {
        results[`year_${p}_training_processes`] = await year(runtime, Number(values.days), p);
        console.log(JSON.stringify(results[`year_${p}_training_processes`], null, 2));
      }
    }
    writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`results: ${join(OUT, 'results.json')}`);
  } finally {
    await runtime.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * npm run bench:backtest: the default 72 h backtest (48 h train + 24 h test, retrain every 60 min) on the shipped
 * data, timed end to end and by part. Infrastructure start and workflow bundling are excluded (done before timing).
 *
 * One training worker slot (trainings in one process take turns: LightGBM runs as synchronous FFI calls), two
 * schedules: `sequential` (each training is requested when its segment is reached) and `lookahead` (the default:
 * trainings requested 4 segments ahead, which hides Temporal's round trips behind training). Wall time minus the
 * compute parts (LightGBM, model preparation, simulation) is the Temporal + database (+ result files) overhead.
 * Every timed run first deletes the registry's backtest models, so each run really trains all models.
 */
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { buildBacktestRequest, type PreparedBacktest } from '../app/backtest-request';
import { startLocalRuntime, type LocalRuntime } from '../app/local-runtime';
import { runBacktest } from '../app/run-backtest';
import { loadConfig } from '../config/load-config';
import { initialState } from '../domain/trading';
import { processBar } from '../workflows/bar-step';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';

interface Timing {
  label: string;
  totalMs: number;
  trainMs: number;
  prepareMs: number;
  dbMs: number;
  simulateMs: number;
  models: number;
}

async function timedRun(runtime: LocalRuntime, prepared: PreparedBacktest, label: string): Promise<Timing> {
  await runtime.database.sql`delete from models where purpose = 'backtest'`;
  const started = performance.now();
  const summary = await runBacktest(runtime.client, prepared, undefined, 1000);
  const totalMs = performance.now() - started;
  const json = JSON.parse(readFileSync(join(summary.outDir, 'summary.json'), 'utf8')) as {
    timings: { train_ms: number; prepare_ms: number; db_ms: number; models_trained: number };
  };
  const t = json.timings;
  return { label, totalMs, trainMs: t.train_ms, prepareMs: t.prepare_ms, dbMs: t.db_ms, simulateMs: simulationMs(prepared), models: t.models_trained };
}

/** The workflow-side simulation (processBar over every test bar), timed outside Temporal with the run's predictions. */
function simulationMs(prepared: PreparedBacktest): number {
  const r = prepared.request;
  const t0 = r.start + r.trainHours * 3_600_000;
  const bars = prepared.bars.filter((b) => b.openTime >= t0);
  const predictions = bars.map((_, i) => Math.sin(i) * 0.001); // the engine's cost does not depend on the values
  const started = performance.now();
  let state = initialState(r.trading, t0);
  for (let i = 0; i < bars.length; i++) {
    state = processBar(state, { bar: bars[i]!, prediction: predictions[i]!, modelVersion: 'm', last: i === bars.length - 1, params: r.trading }).state;
  }
  return performance.now() - started;
}

/** Temporal + database: the wall time not spent computing (LightGBM, model preparation, simulation). */
const overheadOf = (t: Timing) => t.totalMs - t.trainMs - t.prepareMs - t.simulateMs;

function row(t: Timing): string {
  const overhead = overheadOf(t);
  return [
    t.label.padEnd(11),
    t.totalMs.toFixed(0).padStart(8),
    t.trainMs.toFixed(0).padStart(9),
    t.prepareMs.toFixed(0).padStart(8),
    t.simulateMs.toFixed(1).padStart(9),
    t.dbMs.toFixed(0).padStart(6),
    overhead.toFixed(0).padStart(12),
    `${((overhead / t.trainMs) * 100).toFixed(0)}%`.padStart(10),
    (t.totalMs / t.trainMs).toFixed(2).padStart(12),
  ].join(' ');
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const config = loadConfig();
  // One training slot: LightGBM calls are synchronous FFI calls, so trainings in one worker process take turns
  // anyway, and the parts can be timed without overlap. Parallel training means more training worker processes.
  const runtime = await startLocalRuntime({ trainingSlots: 1 });
  try {
    const make = (id: string, lookahead: number) =>
      buildBacktestRequest(config, { runId: id, out: join(tmpdir(), 'bench-backtest', id) }).then((p) => ({ ...p, request: { ...p.request, trainingLookahead: lookahead } }));
    // Warm-up: bundle caches, JIT, first connections.
    await timedRun(runtime, await make('bench-warmup', 4), 'warmup');
    const results: Timing[] = [];
    for (let i = 0; i < runs; i++) {
      results.push(await timedRun(runtime, await make(`bench-seq-${i}`, 0), 'sequential'));
      results.push(await timedRun(runtime, await make(`bench-ahead-${i}`, 4), 'lookahead'));
    }
    console.log(`backtest 48 h train + 24 h test, retrain 60 min, shipped BTCUSDT data; ${availableParallelism()} cores, 1 training slot, LightGBM num_threads=${config.training.lightgbm.num_threads}`);
    console.log('run         total ms  train ms  prep ms  simul ms  db ms  temporal+db  ovh/train  total/train');
    for (const r of results) console.log(row(r));
    const median = (label: string, f: (t: Timing) => number) => {
      const xs = results.filter((r) => r.label === label).map(f).sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)]!;
    };
    console.log(
      JSON.stringify({
        sequential_total_ms: median('sequential', (t) => t.totalMs),
        sequential_train_ms: median('sequential', (t) => t.trainMs),
        sequential_prepare_ms: median('sequential', (t) => t.prepareMs),
        sequential_db_ms: median('sequential', (t) => t.dbMs),
        sequential_overhead_ms: median('sequential', overheadOf),
        lookahead_total_ms: median('lookahead', (t) => t.totalMs),
        lookahead_train_ms: median('lookahead', (t) => t.trainMs),
        lookahead_overhead_ms: median('lookahead', overheadOf),
        models: results[0]?.models,
      }),
    );
  } finally {
    await runtime.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * LightGBM binding benchmark on data shaped like the strategy's training set (features.md defaults).
 *
 *   npx tsx scripts/bench-lightgbm.ts [--runs 5] [--threads 0] [--calls 10000]
 *
 * Prints a table and one JSON line (prefix `BENCH `) with median training time, iterations, batch prediction time
 * and single-row latency percentiles.
 */
import { parseArgs } from 'node:util';
import { train, type Params, type TrainResult } from 'lightgbm-node-binding';

const ROWS = 2_880;
const FEATURES = 19;
const TRAIN_ROWS = Math.floor(ROWS * 0.8);

// features.md defaults; iteration budget and early stopping are train() options.
const PARAMS: Params = {
  objective: 'regression',
  metric: 'l2',
  num_leaves: 64,
  max_depth: 8,
  learning_rate: 0.03,
  bagging_fraction: 0.8,
  bagging_freq: 1,
  seed: 42,
  deterministic: true,
  force_col_wise: true,
  verbosity: -1,
};
const NUM_ITERATIONS = 1_000;
const EARLY_STOPPING_ROUNDS = 50;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Persistent (AR(1)) features like rolling indicators, and a target that is a weak nonlinear signal buried in
 * noise, like a forward return: early stopping then ends training after a few hundred iterations at most.
 */
function syntheticData(seed: number): { x: Float64Array; y: Float64Array } {
  const uniform = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const x = new Float64Array(ROWS * FEATURES);
  const y = new Float64Array(ROWS);
  const state = new Float64Array(FEATURES);
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < FEATURES; c++) {
      const persistence = 0.5 + (0.45 * c) / FEATURES;
      state[c] = persistence * state[c]! + Math.sqrt(1 - persistence ** 2) * normal();
      x[r * FEATURES + c] = state[c]!;
    }
    const f = (c: number) => x[r * FEATURES + c]!;
    y[r] = 0.3 * Math.tanh(f(0)) - 0.2 * f(1) * f(2) + 0.15 * Math.max(f(3), 0) + 0.1 * f(4) + normal();
  }
  return { x, y };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function main(): void {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '5' }, threads: { type: 'string', default: '0' }, calls: { type: 'string', default: '10000' } },
  });
  const runs = Number(values.runs);
  const threads = Number(values.threads);
  const calls = Number(values.calls);
  if (![runs, calls].every((n) => Number.isInteger(n) && n > 0) || !Number.isInteger(threads) || threads < 0) {
    throw new Error('--runs and --calls must be positive integers, --threads a non-negative integer (0 = LightGBM default)');
  }

  const { x, y } = syntheticData(20_240_301);
  const trainSet = { x: x.subarray(0, TRAIN_ROWS * FEATURES), y: y.subarray(0, TRAIN_ROWS), nRows: TRAIN_ROWS, nCols: FEATURES };
  const validSet = { x: x.subarray(TRAIN_ROWS * FEATURES), y: y.subarray(TRAIN_ROWS), nRows: ROWS - TRAIN_ROWS, nCols: FEATURES };
  const params: Params = { ...PARAMS, num_threads: threads };

  const trainMs: number[] = [];
  const models = new Set<string>();
  let last: TrainResult | undefined;
  for (let run = 0; run < runs; run++) {
    last?.booster.dispose();
    const start = performance.now();
    last = train({ params, train: trainSet, valid: validSet, numIterations: NUM_ITERATIONS, earlyStoppingRounds: EARLY_STOPPING_ROUNDS });
    trainMs.push(performance.now() - start);
    models.add(last.booster.saveToString());
  }
  const result = last!;
  const booster = result.booster;

  const all = { x, nRows: ROWS, nCols: FEATURES };
  booster.predict(all); // warm-up
  const batchMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    booster.predict(all);
    batchMs.push(performance.now() - start);
  }

  for (let i = 0; i < 1_000; i++) booster.predictRow(x.subarray((i % ROWS) * FEATURES, ((i % ROWS) + 1) * FEATURES)); // warm-up
  const latencyUs: number[] = new Array<number>(calls);
  for (let i = 0; i < calls; i++) {
    const row = x.subarray((i % ROWS) * FEATURES, ((i % ROWS) + 1) * FEATURES);
    const start = process.hrtime.bigint();
    booster.predictRow(row);
    latencyUs[i] = Number(process.hrtime.bigint() - start) / 1_000;
  }
  latencyUs.sort((a, b) => a - b);
  booster.dispose();

  const report = {
    rows: ROWS,
    features: FEATURES,
    trainRows: TRAIN_ROWS,
    threads,
    runs,
    trainMedianMs: round(median(trainMs)),
    trainMinMs: round(Math.min(...trainMs)),
    iterationsRun: result.iterations,
    bestIteration: result.bestIteration,
    stopReason: result.stopReason,
    bestValidL2: result.earlyStoppingMetric?.bestScore,
    identicalModelsAcrossRuns: models.size === 1,
    batchPredictRows: ROWS,
    batchPredictMedianMs: round(median(batchMs)),
    singleRowCalls: calls,
    singleRowP50Us: round(percentile(latencyUs, 50)),
    singleRowP99Us: round(percentile(latencyUs, 99)),
  };

  const table: [string, string][] = [
    ['data', `${ROWS} x ${FEATURES} float64, train ${TRAIN_ROWS} / valid ${ROWS - TRAIN_ROWS}`],
    ['threads', threads === 0 ? 'LightGBM default' : String(threads)],
    [`train (median of ${runs})`, `${report.trainMedianMs} ms (min ${report.trainMinMs} ms)`],
    ['iterations run / best', `${report.iterationsRun} / ${report.bestIteration} (${report.stopReason})`],
    ['same model every run', String(report.identicalModelsAcrossRuns)],
    [`batch predict ${ROWS} rows (median)`, `${report.batchPredictMedianMs} ms`],
    [`predictRow p50 / p99 (${calls} calls)`, `${report.singleRowP50Us} / ${report.singleRowP99Us} µs`],
  ];
  const width = Math.max(...table.map(([k]) => k.length));
  for (const [key, value] of table) console.log(`${key.padEnd(width)}  ${value}`);
  console.log(`BENCH ${JSON.stringify(report)}`);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

main();

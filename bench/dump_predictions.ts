/**
 * Diagnostic for the baseline: the project's own walk-forward predictions without Temporal or PostgreSQL, using
 * exactly the code the backtest's training activity runs (computeFeatureMatrix over [start, T0 + test), then
 * trainWindow per segment T_k, predicting [T_k, T_k+1)).
 *
 *   npx tsx bench/dump_predictions.ts --data FILE.csv --train-hours 48 --test-hours 24 --retrain-minutes 60 \
 *       [--config FILE] [--num-threads N] [--entry-bps X --exit-bps Y] --out predictions.csv [--trades-out trades.csv]
 *
 * --num-threads overrides config training.lightgbm.num_threads (0 = LightGBM's default threads).
 * Output: open_time,prediction (shortest round-trip digits) — compare with walkforward.py --write-predictions;
 * --trades-out also replays them through the engine's simulate() and writes the project's trades.csv.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../config/load-config';
import { tradingParamsFromConfig } from '../app/trading-params';
import { parseBarCsv } from '../domain/bar-csv';
import { computeFeatureMatrix, N_FEATURES } from '../model/features';
import { simulate } from '../domain/trading';
import { trainWindow } from '../model/lightgbm/train-window';
import { tradesCsv } from '../reports/trades-csv';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    config: { type: 'string' },
    'train-hours': { type: 'string', default: '48' },
    'test-hours': { type: 'string', default: '24' },
    'retrain-minutes': { type: 'string', default: '60' },
    'num-threads': { type: 'string' },
    out: { type: 'string' },
    'trades-out': { type: 'string' },
    'entry-bps': { type: 'string' },
    'exit-bps': { type: 'string' },
  },
});
if (!values.data || !values.out) throw new Error('--data and --out are required');
const config = loadConfig(values.config);
const raw = readFileSync(values.data);
const text = (values.data.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
const all = parseBarCsv(text).bars;
const start = all[0]!.openTime;
const t0 = start + Number(values['train-hours']) * 3_600_000;
const testTo = t0 + Number(values['test-hours']) * 3_600_000;
const retrainMs = Number(values['retrain-minutes']) * 60_000;
const bars = all.filter((b) => b.openTime >= start && b.openTime < testTo);
const features = computeFeatureMatrix(bars);
const lightgbm = { ...config.training.lightgbm } as Record<string, string | number | boolean>;
if (values['num-threads'] !== undefined) lightgbm.num_threads = Number(values['num-threads']);

const trading = {
  ...tradingParamsFromConfig(config),
  ...(values['entry-bps'] !== undefined ? { entryThreshold: Number(values['entry-bps']) / 1e4 } : {}),
  ...(values['exit-bps'] !== undefined ? { exitThreshold: Number(values['exit-bps']) / 1e4 } : {}),
};
const lines = ['open_time,prediction,best_iteration'];
const predictions: number[] = [];
const versions: string[] = [];
const began = performance.now();
for (let T = t0; T < testTo; T += retrainMs) {
  const first = (T - start) / 60_000;
  const count = (Math.min(T + retrainMs, testTo) - T) / 60_000;
  const model = trainWindow({
    bars,
    features,
    trainEnd: T,
    windowMs: config.data.rolling_window_hours * 3_600_000,
    horizon: config.training.prediction_horizon_minutes,
    validationFraction: config.training.validation_fraction,
    lightgbm,
    trading,
    predictRows: { x: features.subarray(first * N_FEATURES, (first + count) * N_FEATURES), nRows: count },
  });
  model.predictions!.forEach((p, i) => {
    lines.push(`${bars[first + i]!.openTime},${p},${model.metrics.bestIteration}`);
    predictions.push(p);
    versions.push(`${new Date(T).toISOString().slice(0, 16).replace(/[-:]/g, '')}`);
  });
}
writeFileSync(values.out, `${lines.join('\n')}\n`);
if (values['trades-out']) {
  // The engine's own replay (what BacktestWorkflow's bar step runs), started at T0 with the starting capital.
  const testBars = bars.slice((t0 - start) / 60_000);
  const run = simulate(
    testBars,
    predictions,
    versions.map((v) => `${config.data.symbol}-${v}-ts`),
    trading,
    t0,
  );
  writeFileSync(values['trades-out'], tradesCsv(run.trades));
}
console.log(JSON.stringify({ models: Math.ceil((testTo - t0) / retrainMs), seconds: (performance.now() - began) / 1000 }));

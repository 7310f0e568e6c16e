/**
 * Diagnostic for the baseline: the project's own walk-forward predictions without Temporal or PostgreSQL, using
 * exactly the code the backtest's training activity runs (computeFeatureMatrix over [start, T0 + test), then
 * trainWindow per segment T_k, predicting [T_k, T_k+1)).
 *
 *   npx tsx bench/dump_predictions.ts --data FILE.csv --train-hours 48 --test-hours 24 --retrain-minutes 60 \
 *       [--config FILE] [--num-threads N] --out predictions.csv
 *
 * --num-threads overrides config training.lightgbm.num_threads (0 = LightGBM's default threads).
 * Output: open_time,prediction (shortest round-trip digits) — compare with walkforward.py --write-predictions.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../config/load-config';
import { tradingParamsFromConfig } from '../app/trading-params';
import { parseBarCsv } from '../domain/bar-csv';
import { computeFeatureMatrix, N_FEATURES } from '../domain/features';
import { trainWindow } from '../ml/train-window';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    config: { type: 'string' },
    'train-hours': { type: 'string', default: '48' },
    'test-hours': { type: 'string', default: '24' },
    'retrain-minutes': { type: 'string', default: '60' },
    'num-threads': { type: 'string' },
    out: { type: 'string' },
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

const lines = ['open_time,prediction,best_iteration'];
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
    trading: tradingParamsFromConfig(config),
    predictRows: { x: features.subarray(first * N_FEATURES, (first + count) * N_FEATURES), nRows: count },
  });
  model.predictions!.forEach((p, i) => lines.push(`${bars[first + i]!.openTime},${p},${model.metrics.bestIteration}`));
}
writeFileSync(values.out, `${lines.join('\n')}\n`);
console.log(JSON.stringify({ models: Math.ceil((testTo - t0) / retrainMs), seconds: (performance.now() - began) / 1000 }));

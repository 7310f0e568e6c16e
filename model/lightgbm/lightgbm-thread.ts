/**
 * One training thread of model/lightgbm/lightgbm-pool.ts: it owns its LightGBM boosters (loaded through koffi in this
 * thread) and runs one task at a time: a series' features and hashes, a training, or a prediction.
 */
import { parentPort } from 'node:worker_threads';
import { Booster } from 'lightgbm-node-binding';
import type { Bar } from '../../domain/bars';
import { N_FEATURES } from '../features';
import { BoosterCache } from './booster-cache';
import { barsOf, buildSharedSeries, rowsHash, type SharedSeries } from './series-memory';
import { trainWindow } from './train-window';
import type { PoolReply, PoolResult, PoolTask } from './lightgbm-pool-protocol';

const boosters = new BoosterCache(4);
// Bar objects of the last series used (trainWindow takes Bar[]); a thread works on one or two data sets at a time.
// Checked against the series' last row hash, so a key whose bars were replaced never serves the old ones.
const barCache = new Map<string, { bars: Bar[]; lastHash: string }>();
const BAR_CACHE_ENTRIES = 2;

function barsFor(series: SharedSeries): Bar[] {
  const lastHash = rowsHash(series, series.n);
  const hit = barCache.get(series.key);
  if (hit && hit.lastHash === lastHash && hit.bars.length === series.n) return hit.bars;
  const bars = barsOf(series);
  barCache.delete(series.key);
  barCache.set(series.key, { bars, lastHash });
  while (barCache.size > BAR_CACHE_ENTRIES) barCache.delete(barCache.keys().next().value!);
  return bars;
}

function rows(series: SharedSeries, first: number, count: number): Float64Array {
  return series.features.subarray(first * N_FEATURES, (first + count) * N_FEATURES);
}

async function run(task: PoolTask): Promise<PoolResult> {
  switch (task.type) {
    case 'series': {
      const series = buildSharedSeries(task.key, task.columns);
      return { type: 'series', series };
    }
    case 'train': {
      const { series, input } = task;
      const model = trainWindow({
        bars: barsFor(series),
        features: series.features,
        trainEnd: input.trainEnd,
        windowMs: input.windowMs,
        horizon: input.horizon,
        validationFraction: input.validationFraction,
        lightgbm: input.lightgbm,
        trading: input.trading,
        ...(input.predict ? { predictRows: { x: rows(series, input.predict.first, input.predict.count), nRows: input.predict.count } } : {}),
      });
      return { type: 'train', model };
    }
    case 'predict': {
      const booster: Booster = await boosters.get(task.version, () => Promise.resolve(task.modelText));
      const predictions = booster.predict({ x: rows(task.series, task.first, task.count), nRows: task.count, nCols: N_FEATURES });
      return { type: 'predict', predictions };
    }
  }
}

const port = parentPort;
if (!port) throw new Error('model/lightgbm/lightgbm-thread.ts runs as a worker thread of model/lightgbm/lightgbm-pool.ts');
port.on('message', (task: PoolTask) => {
  run(task).then(
    (result) => port.postMessage({ id: task.id, result } satisfies PoolReply),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ id: task.id, error: { name: e.name, message: e.message, stack: e.stack ?? '' } } satisfies PoolReply);
    },
  );
});

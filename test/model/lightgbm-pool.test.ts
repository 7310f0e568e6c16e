/**
 * The LightGBM thread pool: the same models as an in-process training, several at once, errors with their name,
 * and an event loop that keeps ticking while models train.
 */
import { readTradingParams } from '../../domain/trading';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { trainingSpecFromConfig } from '../../app/trading-params';
import { loadConfig } from '../../config/load-config';
import type { Bar } from '../../domain/bars';
import { computeFeatureMatrix } from '../../model/features';
import { TrainingPool, type PoolTrainInput } from '../../model/lightgbm/lightgbm-pool';
import { buildSharedSeries, rowsHash, type SeriesColumns, type SharedSeries } from '../../model/lightgbm/series-memory';
import { trainWindow } from '../../model/lightgbm/train-window';
import { loadShippedBars } from '../helpers/shipped-data';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const bars = loadShippedBars().slice(0, 5 * 24 * 60);
const spec = trainingSpecFromConfig(loadConfig());

function columnsOf(bs: readonly Bar[]): SeriesColumns {
  const col = (f: (b: Bar) => number) => Float64Array.from(bs, f);
  return {
    openTime: col((b) => b.openTime),
    open: col((b) => b.open),
    high: col((b) => b.high),
    low: col((b) => b.low),
    close: col((b) => b.close),
    volume: col((b) => b.volume),
  };
}

function inputAt(hours: number): PoolTrainInput {
  return {
    trainEnd: bars[0]!.openTime + hours * HOUR,
    windowMs: spec.windowMinutes * 60_000,
    horizon: spec.horizon,
    validationFraction: spec.validationFraction,
    lightgbm: spec.lightgbm,
    trading: readTradingParams(spec.trading),
    predict: { first: hours * 60, count: 60 },
  };
}

let pool: TrainingPool;
let series: SharedSeries;

beforeAll(async () => {
  pool = new TrainingPool({ threads: 2 });
  series = await pool.buildSeries('shipped-5d', columnsOf(bars));
});
afterAll(async () => {
  await pool.close();
});

test('a series built on a thread has the features of computeFeatureMatrix, in shared memory', () => {
  expect(series.n).toBe(bars.length);
  // (jest runs tests in another realm than Node's own, so instanceof cannot be used on what threads return)
  expect(Object.prototype.toString.call(series.features.buffer)).toBe('[object SharedArrayBuffer]');
  expect(Array.from(series.features)).toEqual(Array.from(computeFeatureMatrix(bars)));
});

test('rowsHash pins the bars before the end: equal prefixes hash equally, one changed bar changes every later hash', () => {
  const changed = bars.map((b, i) => (i === 1000 ? { ...b, close: b.close + 0.01, high: Math.max(b.high, b.close + 0.01) } : b));
  const other = buildSharedSeries('changed', columnsOf(changed));
  expect(rowsHash(other, 1000)).toBe(rowsHash(series, 1000));
  expect(rowsHash(other, 1001)).not.toBe(rowsHash(series, 1001));
  expect(rowsHash(other, bars.length)).not.toBe(rowsHash(series, bars.length));
  expect(() => rowsHash(series, 0)).toThrow(RangeError);
});

test('a training on a thread gives the model and predictions of an in-process training', async () => {
  const input = inputAt(72);
  const onThread = await pool.train(series, input);
  const features = computeFeatureMatrix(bars);
  const inProcess = trainWindow({ bars, features, ...input, predictRows: { x: features.subarray(72 * 60 * 19, (72 * 60 + 60) * 19), nRows: 60 } });
  expect(onThread.modelText).toBe(inProcess.modelText);
  expect(Array.from(onThread.predictions!)).toEqual(Array.from(inProcess.predictions!));
  const again = await pool.predict(series, 'v72', onThread.modelText, { first: 72 * 60, count: 60 });
  expect(Array.from(again)).toEqual(Array.from(onThread.predictions!));
});

test('trainings queue onto the threads while the event loop keeps ticking', async () => {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const started = performance.now();
  const models = await Promise.all([60, 61, 62, 63, 64, 65].map((h) => pool.train(series, inputAt(h))));
  const elapsed = performance.now() - started;
  clearInterval(timer);
  delay.disable();
  expect(new Set(models.map((m) => m.modelText)).size).toBe(6);
  // On the main thread each training would have blocked the loop for its whole duration.
  expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
  expect(delay.percentile(99) / 1e6).toBeLessThan(50);
});

test('an error raised on a thread arrives with its class name and message', async () => {
  const tooShort = { ...inputAt(72), windowMs: 30 * 60_000 };
  await expect(pool.train(series, tooShort)).rejects.toMatchObject({ name: 'TrainingSetError', message: expect.stringMatching(/rows/) });
  // The thread survives and trains the next model.
  await expect(pool.train(series, inputAt(70))).resolves.toHaveProperty('modelText');
});

/**
 * A SYNTHETIC backtest's report inputs built by the real code: seeded synthetic bars (domain/synthetic-bars), a
 * deterministic stand-in prediction (a noisy look at the realised forward return, so the rules trade), the real
 * trading engine (simulate) and metrics. Model quality per "retrain" is measured with the real validation metrics;
 * the importance gains are made up (no LightGBM is trained here). For the size and browser tests only.
 */
import type { Bar } from '../../domain/bars';
import { syntheticBars } from '../../domain/synthetic-bars';
import { DEFAULT_TRADING_PARAMS, performanceMetrics, simulate } from '../../domain/trading';
import { FEATURE_NAMES } from '../../model/features';
import { validationMetrics } from '../../model/metrics';
import type { ModelQuality, ReportInput } from '../../reports/types';

const MIN = 60_000;
const HORIZON = 10;
export const SYNTHETIC_START = Date.UTC(2024, 0, 1);

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticReportInput(days: number, seed = 7, retrainMinutes = 60): ReportInput {
  const bars: Bar[] = [...syntheticBars({ seed, start: SYNTHETIC_START, minutes: days * 1440, price: 20_000 })];
  const rnd = mulberry(seed);
  const target = bars.map((b, i) => (bars[i + HORIZON] ? bars[i + HORIZON]!.close / b.close - 1 : 0));
  const prediction = target.map((y) => 0.3 * y + (rnd() - 0.5) * 0.0016);
  const version = (t: number): string => `synthetic-${Math.floor((t - SYNTHETIC_START) / (retrainMinutes * MIN))}`;
  const versions = bars.map((b) => version(b.openTime));
  const run = simulate(bars, prediction, versions, DEFAULT_TRADING_PARAMS);
  const modelQuality: ModelQuality[] = [];
  const step = retrainMinutes;
  for (let k = 0; k * step < bars.length; k++) {
    const from = k * step;
    const to = Math.min(bars.length, from + step);
    const y = target.slice(from, to);
    const q = validationMetrics(prediction.slice(from, to), y);
    const baselineRmse = Math.sqrt(y.reduce((s, v) => s + v * v, 0) / Math.max(1, y.length));
    modelQuality.push({
      version: version(bars[from]!.openTime),
      trainedAt: bars[from]!.openTime,
      ic: q.ic,
      rmse: q.rmse,
      baselineRmse,
      bestIteration: 20 + ((k * 37) % 200),
    });
  }
  const featureImportance = modelQuality.map((_, k) => Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, ((i * 7 + k) % 19) + 1])));
  const testRange = { from: SYNTHETIC_START, to: SYNTHETIC_START + bars.length * MIN };
  return {
    title: `Backtest SYNTHETIC ${days}-day run (seed ${seed})`,
    runId: `synthetic-${days}d`,
    symbol: 'SYNTHUSDT',
    dataRange: testRange,
    testRange,
    metrics: {
      ...performanceMetrics(
        run.equity.map((p) => p.equity),
        run.trades,
      ),
    },
    equity: run.equity,
    trades: run.trades,
    models: modelQuality.slice(0, 50).map((m) => ({ version: m.version, trainedAt: m.trainedAt, metrics: { rmse: m.rmse, ic: m.ic } })),
    charts: { bars, predictions: { openTime: bars.map((b) => b.openTime), prediction }, modelQuality, featureImportance },
    generatedBy: 'SYNTHETIC data (domain/synthetic-bars), for tests only',
  };
}

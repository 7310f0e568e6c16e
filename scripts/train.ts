/**
 * npm run train -- --data FILE.csv --end ISO|ms: trains one model the way a backtest or the live retraining does
 * (window data.rolling_window_hours ending at --end, training.* of the configuration) and prints its validation
 * metrics as JSON. Runs LightGBM in this process: no Temporal server and no database needed.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config/load-config';
import { BacktestInputError, parseTime } from '../app/backtest-request';
import { tradingParamsFromConfig } from '../app/trading-params';
import { BAR_MS } from '../domain/bars';
import { computeFeatureMatrix } from '../model/features';
import { TrainingSetError } from '../model/training-set';
import { trainWindow, type WindowModel } from '../model/lightgbm/train-window';
import { writeFileAtomic } from './lib/atomic-write';
import { readBarInput, requireContiguous } from './lib/bar-input';
import { parseCli, runMain, UsageError } from './lib/cli';

const HOUR_MS = 3_600_000;
const TOP_FEATURES = 5;

const USAGE = `Usage: npm run train -- --data FILE.csv --end ISO|ms [options]

Trains one LightGBM model on the window of data.rolling_window_hours ending at --end (exclusive), with the
configuration's training.* settings, and prints its validation metrics as JSON on stdout: rmse,
directionalAccuracy, ic, baselineRmse (RMSE of predicting 0), validSharpe (trading rules on the validation
bars), bestIteration, nTrain, nValid, trainMs, trainStart, trainEnd and the top ${TOP_FEATURES} features by gain.
Features are computed from the file's first bar, as in a backtest starting there; the bars from the first one
to --end must have no gaps. Runs in this process: needs no Temporal server and no database.

Options:
  --data FILE.csv       bars (CSV of data/README.md or Binance kline dump, .gz ok)
  --end ISO|ms          training time T: rows of bars opened in [T - window, T) whose target is known by T;
                        on a minute; ISO times without a zone are UTC
  --symbol S            symbol label reported in the output (default config data.symbol)
  --save-model FILE     also write the model (LightGBM text format) to FILE
  --config FILE         configuration (default config/config.yaml)
  -h, --help            this help`;

const iso = (ms: number) => new Date(ms).toISOString();

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), {
    data: { type: 'string' },
    end: { type: 'string' },
    symbol: { type: 'string' },
    'save-model': { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.data === undefined) throw new UsageError('--data FILE.csv is required');
  if (values.end === undefined) throw new UsageError('--end ISO|ms is required');
  const config = loadConfig(values.config);
  const symbol = (values.symbol ?? config.data.symbol).toUpperCase();
  if (!/^[A-Z0-9]{2,20}$/.test(symbol)) throw new BacktestInputError(`--symbol '${values.symbol}' is not a Binance symbol such as BTCUSDT`);
  const end = parseTime(values.end, '--end');
  if (end % BAR_MS !== 0) throw new BacktestInputError(`--end must be on a minute boundary (got ${iso(end)})`);

  const input = await readBarInput(values.data);
  const { file, bars } = input;
  const windowHours = config.data.rolling_window_hours;
  const windowMs = windowHours * HOUR_MS;
  const first = bars[0]!.openTime;
  const lastEnd = bars[bars.length - 1]!.openTime + BAR_MS;
  const earliest = first + windowMs;
  if (end > lastEnd || end < earliest) {
    const why =
      end > lastEnd
        ? 'is after the data'
        : `leaves ${((end - first) / HOUR_MS).toFixed(1)} h of data before it, less than the ${windowHours} h training window (data.rolling_window_hours)`;
    throw new BacktestInputError(
      `--end ${iso(end)} ${why}: ${file} covers ${iso(first)} .. ${iso(lastEnd)}, so --end must be within ${iso(earliest)} .. ${iso(lastEnd)}`,
    );
  }
  // Bars at or after T cannot enter a model trained at T; features are causal, so this prefix gives the same
  // rows as the whole file would.
  const history = bars.filter((b) => b.openTime < end);
  requireContiguous(input, history, `between its first bar and --end ${iso(end)}`);

  let model: WindowModel;
  try {
    model = trainWindow({
      bars: history,
      features: computeFeatureMatrix(history),
      trainEnd: end,
      windowMs,
      horizon: config.training.prediction_horizon_minutes,
      validationFraction: config.training.validation_fraction,
      lightgbm: config.training.lightgbm,
      trading: tradingParamsFromConfig(config),
    });
  } catch (err) {
    if (!(err instanceof TrainingSetError)) throw err;
    throw new Error(`Cannot train at --end ${iso(end)} on the window ${iso(end - windowMs)} .. ${iso(end)}: ${err.message}`);
  }
  const modelFile = values['save-model'] === undefined ? undefined : resolve(values['save-model']);
  if (modelFile !== undefined) await writeFileAtomic(modelFile, model.modelText);

  const m = model.metrics;
  const topFeatures = Object.entries(model.featureImportance)
    .sort(([, a], [, b]) => b - a)
    .slice(0, TOP_FEATURES)
    .map(([feature, gain]) => ({ feature, gain }));
  const report = {
    symbol,
    data: file,
    trainStart: iso(model.trainStart),
    trainEnd: iso(end),
    windowHours,
    horizon: config.training.prediction_horizon_minutes,
    rmse: m.rmse,
    directionalAccuracy: m.directionalAccuracy,
    ic: m.ic,
    baselineRmse: m.baselineRmse,
    validSharpe: m.validSharpe,
    bestIteration: m.bestIteration,
    iterations: m.iterations,
    nTrain: m.nTrain,
    nValid: m.nValid,
    trainMs: Math.round(model.trainMs * 10) / 10,
    topFeatures,
    modelFile: modelFile ?? null,
  };
  console.log(JSON.stringify(report, null, 2));
}

runMain(USAGE, main);

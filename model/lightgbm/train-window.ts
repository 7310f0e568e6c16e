/**
 * Trains one model on the window ending at T (features.md "Training window and split") and measures it:
 * validation RMSE, directional accuracy, IC and the Sharpe of the trading rules on the validation bars.
 * Used by the training activity (live retraining and backtests) and by `npm run train`.
 */
import { EARLY_STOPPING_PARAMS, ITERATION_PARAMS, train, type Params, type ParamValue } from 'lightgbm-node-binding';
import type { Bar } from '../../domain/bars';
import { FEATURE_NAMES, N_FEATURES } from '../features';
import { validationMetrics } from '../metrics';
import { featureReference, type FeatureReference } from '../psi';
import { buildTrainingSet } from '../training-set';
import { performanceMetrics, simulate, type TradingParams } from '../../domain/trading';

export interface TrainWindowInput {
  /** Contiguous history the features were computed over (bars[0] starts the history). */
  readonly bars: readonly Bar[];
  readonly features: Float64Array;
  readonly trainEnd: number;
  readonly windowMs: number;
  readonly horizon: number;
  readonly validationFraction: number;
  /** LightGBM parameters of config.yaml, including num_iterations and early_stopping_round. */
  readonly lightgbm: Readonly<Record<string, string | number | boolean>>;
  readonly trading: TradingParams;
  /** Feature rows to predict with the fresh model before it is disposed (a backtest's next segment). */
  readonly predictRows?: { readonly x: Float64Array; readonly nRows: number };
}

export interface WindowModel {
  readonly modelText: string;
  readonly trainStart: number;
  readonly metrics: {
    readonly rmse: number;
    readonly directionalAccuracy: number;
    readonly ic: number;
    readonly n: number;
    readonly baselineRmse: number;
    readonly validSharpe: number;
    readonly bestIteration: number;
    readonly iterations: number;
    readonly nTrain: number;
    readonly nValid: number;
  };
  readonly featureReference: FeatureReference;
  readonly featureImportance: Record<string, number>;
  /** LightGBM's own training time (Dataset construction + boosting), ms. */
  readonly trainMs: number;
  /** Time around it: building the training set, validation metrics and Sharpe, PSI reference, serialisation. */
  readonly prepareMs: number;
  /** Predictions of `predictRows`, when given. */
  readonly predictions?: Float64Array;
}

// train() takes these through its options, so they are lifted out of the parameters (with LightGBM's aliases).
const ITERATION_KEYS = new Set(ITERATION_PARAMS);
const EARLY_STOP_KEYS = new Set(EARLY_STOPPING_PARAMS);

/** Splits config's LightGBM map into the binding's params and its iteration / early-stopping options. */
export function lightgbmOptions(lightgbm: Readonly<Record<string, string | number | boolean>>): {
  params: Params;
  numIterations: number;
  earlyStoppingRounds: number;
} {
  const params: Record<string, ParamValue> = {};
  let numIterations = 100;
  let earlyStoppingRounds = 0;
  for (const [key, value] of Object.entries(lightgbm)) {
    if (ITERATION_KEYS.has(key)) numIterations = Number(value);
    else if (EARLY_STOP_KEYS.has(key)) earlyStoppingRounds = Number(value);
    else params[key] = value;
  }
  return { params, numIterations, earlyStoppingRounds };
}

export function trainWindow(input: TrainWindowInput, now: () => number = () => performance.now()): WindowModel {
  const begun = now();
  const set = buildTrainingSet({
    bars: input.bars,
    features: input.features,
    trainEnd: input.trainEnd,
    windowMs: input.windowMs,
    horizon: input.horizon,
    validationFraction: input.validationFraction,
  });
  const { params, numIterations, earlyStoppingRounds } = lightgbmOptions(input.lightgbm);
  const started = now();
  const result = train({
    params,
    train: { x: set.xTrain, y: set.yTrain, nRows: set.nTrain, nCols: N_FEATURES },
    valid: { x: set.xValid, y: set.yValid, nRows: set.nValid, nCols: N_FEATURES },
    numIterations,
    ...(earlyStoppingRounds > 0 ? { earlyStoppingRounds } : {}),
  });
  const booster = result.booster;
  try {
    const trainMs = now() - started;
    const pred = booster.predict({ x: set.xValid, nRows: set.nValid, nCols: N_FEATURES });
    const quality = validationMetrics(pred, set.yValid);
    const baselineRmse = Math.sqrt(set.yValid.reduce((s, y) => s + y * y, 0) / set.nValid);
    const validSharpe = validationSharpe(input.bars, set.validRange.from, pred, input.trading);
    const gains = booster.featureImportance('gain');
    const featureImportance: Record<string, number> = {};
    FEATURE_NAMES.forEach((name, i) => (featureImportance[name] = gains[i] ?? 0));
    const modelText = booster.saveToString();
    const reference = featureReference(set.xTrain, N_FEATURES, FEATURE_NAMES);
    const predictions = input.predictRows ? booster.predict({ x: input.predictRows.x, nRows: input.predictRows.nRows, nCols: N_FEATURES }) : undefined;
    return {
      modelText,
      trainStart: input.trainEnd - input.windowMs,
      metrics: {
        ...quality,
        baselineRmse,
        validSharpe,
        bestIteration: result.bestIteration,
        iterations: result.iterations,
        nTrain: set.nTrain,
        nValid: set.nValid,
      },
      featureReference: reference,
      featureImportance,
      trainMs,
      prepareMs: now() - begun - trainMs,
      ...(predictions ? { predictions } : {}),
    };
  } finally {
    booster.dispose();
  }
}

/** Sharpe of the trading rules run over the validation bars with this model's validation predictions. */
function validationSharpe(bars: readonly Bar[], validFrom: number, pred: Float64Array, trading: TradingParams): number {
  const first = bars.findIndex((b) => b.openTime === validFrom);
  const validBars = bars.slice(first, first + pred.length);
  if (first < 0 || validBars.length !== pred.length || validBars.length < 2) return 0;
  const run = simulate(
    validBars,
    pred,
    validBars.map(() => 'validation'),
    trading,
  );
  return performanceMetrics(
    run.equity.map((p) => p.equity),
    run.trades,
  ).sharpe;
}

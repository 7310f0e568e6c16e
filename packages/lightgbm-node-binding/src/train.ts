import { Booster, saveModelString } from './booster';
import { Dataset } from './dataset';
import { LightGBMError, invalidArgument } from './errors';
import type { LabeledMatrix } from './matrix';
import { call, lightgbm, type NativePointer, type PointerOut } from './native';
import { formatParams, withBindingDefaults, type Params } from './params';

/** Everything `train()` needs. */
export interface TrainOptions {
  /**
   * LightGBM parameters (objective, metric, num_leaves, learning_rate, seed, ...). Iteration count and early
   * stopping are options of train(), not parameters. Unless given, `verbosity=-1`, `deterministic=true` and
   * `force_col_wise=true` are added so the same data, parameters and seed give the same model.
   */
  params: Params;
  /** Training data: a matrix (turned into a Dataset and freed by train()) or a Dataset you own. */
  train: LabeledMatrix | Dataset;
  /** Validation data for evaluation and early stopping; a matrix is binned with the training data's bin mappers. */
  valid?: LabeledMatrix | Dataset;
  /** Maximum number of boosting iterations. */
  numIterations: number;
  /**
   * Stop when the first metric on the validation data has not improved for this many iterations; the returned
   * model then keeps only the iterations up to the best one. Requires `valid`.
   */
  earlyStoppingRounds?: number;
  /** Called after every iteration; return `false` to stop training (e.g. on cancellation). */
  onIteration?: (progress: IterationProgress) => boolean | void;
}

/** State passed to {@link TrainOptions.onIteration}. */
export interface IterationProgress {
  /** Iterations completed (1-based). */
  readonly iteration: number;
  /** Metric values on the training data at this iteration. */
  readonly train: Readonly<Record<string, number>>;
  /** Metric values on the validation data, when there is one. */
  readonly valid: Readonly<Record<string, number>> | undefined;
  /** Best iteration so far by the early-stopping metric (equals `iteration` without validation data). */
  readonly bestIteration: number;
}

/** Metric name (as LightGBM reports it, e.g. `l2`, `auc`, `ndcg@5`) -> one value per completed iteration. */
export type MetricHistory = Record<string, number[]>;

/** Per-iteration evaluation results. */
export interface EvalHistory {
  readonly train: MetricHistory;
  readonly valid: MetricHistory | undefined;
}

/** Why training ended. */
export type StopReason = 'num-iterations' | 'early-stopping' | 'no-more-splits' | 'callback';

/** What `train()` returns. */
export interface TrainResult {
  /**
   * The model, holding exactly `bestIteration` iterations (it is reloaded from the saved best-iteration text, so a
   * save/load round trip predicts the same). Dispose it when done.
   */
  readonly booster: Booster;
  /** Iterations kept in the model: the best one under early stopping, otherwise all iterations trained. */
  readonly bestIteration: number;
  /** Iterations actually trained before stopping. */
  readonly iterations: number;
  readonly stopReason: StopReason;
  readonly history: EvalHistory;
  /** The metric early stopping watched (first validation metric), when there is one. */
  readonly earlyStoppingMetric: { readonly name: string; readonly higherIsBetter: boolean; readonly bestScore: number } | undefined;
}

// Parameters (with LightGBM's aliases) that train() controls through its options: passing them too would be ambiguous.
export const ITERATION_PARAMS: readonly string[] = [
  'num_iterations',
  'num_iteration',
  'n_iter',
  'num_tree',
  'num_trees',
  'num_round',
  'num_rounds',
  'nrounds',
  'num_boost_round',
  'n_estimators',
  'max_iter',
];
export const EARLY_STOPPING_PARAMS: readonly string[] = ['early_stopping_round', 'early_stopping_rounds', 'early_stopping', 'n_iter_no_change'];

/** LightGBM's metrics where larger is better (the rest, e.g. l2/rmse/l1/binary_logloss, are minimised). */
export function isHigherBetter(metricName: string): boolean {
  return /^(auc|ndcg@|map@|average_precision)/.test(metricName);
}

/**
 * Trains a model with LGBM_BoosterUpdateOneIter, recording metrics each iteration and stopping early on the first
 * validation metric when asked. Datasets built here are freed before returning (also on error).
 * @throws LightGBMError `invalid-argument` for bad options or data, `native` when LightGBM fails.
 */
export function train(options: TrainOptions): TrainResult {
  const where = 'train';
  const { numIterations, earlyStoppingRounds } = options;
  if (!Number.isInteger(numIterations) || numIterations < 1) {
    throw invalidArgument(where, `numIterations must be a positive integer, got ${numIterations}`);
  }
  if (earlyStoppingRounds !== undefined) {
    if (!Number.isInteger(earlyStoppingRounds) || earlyStoppingRounds < 1) {
      throw invalidArgument(where, `earlyStoppingRounds must be a positive integer, got ${earlyStoppingRounds}`);
    }
    if (options.valid === undefined) throw invalidArgument(where, 'earlyStoppingRounds needs validation data (valid)');
  }
  for (const key of Object.keys(options.params)) {
    if (ITERATION_PARAMS.includes(key)) throw invalidArgument(where, `remove parameter ${key}; use the numIterations option`);
    if (EARLY_STOPPING_PARAMS.includes(key)) throw invalidArgument(where, `remove parameter ${key}; use the earlyStoppingRounds option`);
  }
  const params = withBindingDefaults(options.params);
  const parameters = formatParams(params, where);

  const owned: Dataset[] = [];
  let handle: NativePointer | null = null;
  try {
    const trainSet = options.train instanceof Dataset ? options.train : own(owned, Dataset.fromMatrix(options.train, { params }));
    const validSet =
      options.valid === undefined || options.valid instanceof Dataset
        ? options.valid
        : own(owned, Dataset.fromMatrix(options.valid, { params, reference: trainSet }));
    if (validSet !== undefined && validSet.numFeatures !== trainSet.numFeatures) {
      throw invalidArgument(where, `valid has ${validSet.numFeatures} columns but train has ${trainSet.numFeatures}`);
    }

    const out: PointerOut = [null];
    // num_iterations only documents the budget in the model text (as LightGBM's Python package does); the loop
    // below decides how many iterations run.
    call('LGBM_BoosterCreate', trainSet.handle, `${parameters} num_iterations=${numIterations}`, out);
    handle = out[0];
    if (handle === null) throw new LightGBMError('native', 'LGBM_BoosterCreate returned a null handle');
    if (validSet !== undefined) call('LGBM_BoosterAddValidData', handle, validSet.handle);

    const metricNames = evalNames(handle);
    if (earlyStoppingRounds !== undefined && metricNames.length === 0) {
      throw invalidArgument(where, 'earlyStoppingRounds needs a metric, but the parameters define none');
    }
    const watched = validSet !== undefined && metricNames.length > 0 ? metricNames[0]! : undefined;
    const higherIsBetter = watched !== undefined && isHigherBetter(watched);

    const history: EvalHistory = { train: emptyHistory(metricNames), valid: validSet === undefined ? undefined : emptyHistory(metricNames) };
    const isFinished = new Int32Array(1);
    const scores = new Float64Array(metricNames.length);
    let stopReason: StopReason = 'num-iterations';
    let best = { iteration: 0, score: NaN };

    for (let iteration = 1; iteration <= numIterations; iteration++) {
      // A caller-owned Dataset disposed mid-training (e.g. from onIteration) would leave LightGBM with a dangling pointer.
      if (trainSet.disposed || validSet?.disposed === true) {
        throw new LightGBMError('disposed', 'train: a Dataset was disposed while training on it');
      }
      call('LGBM_BoosterUpdateOneIter', handle, isFinished);
      if (isFinished[0] === 1) {
        stopReason = 'no-more-splits'; // LightGBM dropped this iteration's trees
        break;
      }
      const trainScores = evaluate(handle, 0, metricNames, scores, history.train);
      const validScores = history.valid === undefined ? undefined : evaluate(handle, 1, metricNames, scores, history.valid);
      if (watched !== undefined && validScores !== undefined) {
        const score = validScores[watched]!;
        const improved = best.iteration === 0 || (higherIsBetter ? score > best.score : score < best.score);
        if (improved) best = { iteration, score };
      } else {
        best = { iteration, score: NaN };
      }
      const proceed = options.onIteration?.({ iteration, train: trainScores, valid: validScores, bestIteration: best.iteration });
      if (proceed === false) {
        stopReason = 'callback';
        break;
      }
      if (earlyStoppingRounds !== undefined && iteration - best.iteration >= earlyStoppingRounds) {
        stopReason = 'early-stopping';
        break;
      }
    }

    const current = new Int32Array(1);
    call('LGBM_BoosterGetCurrentIteration', handle, current);
    const iterations = current[0]!;
    // Without early stopping every trained iteration is kept, as LightGBM itself does.
    const bestIteration = earlyStoppingRounds !== undefined && best.iteration > 0 ? best.iteration : iterations;
    // Reloading from the saved best-iteration text frees the booster from its Datasets and makes the returned model
    // exactly what saveToString()/fromString() reproduce.
    const booster = Booster.fromString(saveModelString(handle, bestIteration > 0 ? bestIteration : -1));
    return {
      booster,
      bestIteration,
      iterations,
      stopReason,
      history,
      earlyStoppingMetric: watched === undefined ? undefined : { name: watched, higherIsBetter, bestScore: best.score },
    };
  } finally {
    if (handle !== null) lightgbm().LGBM_BoosterFree(handle);
    for (const dataset of owned) dataset.dispose();
  }
}

function own(owned: Dataset[], dataset: Dataset): Dataset {
  owned.push(dataset);
  return dataset;
}

function emptyHistory(names: readonly string[]): MetricHistory {
  return Object.fromEntries(names.map((name) => [name, [] as number[]]));
}

/** Evaluates data set `dataIndex` (0 = training, 1 = validation), appends to `history` and returns the values. */
function evaluate(handle: NativePointer, dataIndex: number, names: readonly string[], scratch: Float64Array, history: MetricHistory): Record<string, number> {
  const outLen = new Int32Array(1);
  call('LGBM_BoosterGetEval', handle, dataIndex, outLen, scratch);
  if (outLen[0] !== names.length) {
    throw new LightGBMError('native', `LGBM_BoosterGetEval returned ${outLen[0]} values for ${names.length} metrics`);
  }
  const values: Record<string, number> = {};
  names.forEach((name, i) => {
    values[name] = scratch[i]!;
    history[name]!.push(scratch[i]!);
  });
  return values;
}

/** Metric names in LightGBM's evaluation order. */
function evalNames(handle: NativePointer): string[] {
  const count = new Int32Array(1);
  call('LGBM_BoosterGetEvalCounts', handle, count);
  const n = count[0]!;
  if (n === 0) return [];
  const outLen = new Int32Array(1);
  const needed = new BigUint64Array(1);
  let size = 128;
  let buffers = Array.from({ length: n }, () => Buffer.alloc(size));
  call('LGBM_BoosterGetEvalNames', handle, n, outLen, size, needed, buffers);
  if (Number(needed[0]) > size) {
    size = Number(needed[0]);
    buffers = Array.from({ length: n }, () => Buffer.alloc(size));
    call('LGBM_BoosterGetEvalNames', handle, n, outLen, size, needed, buffers);
  }
  return buffers.slice(0, outLen[0]).map((b) => b.toString('utf8', 0, b.indexOf(0)));
}

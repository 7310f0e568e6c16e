import { LightGBMError, invalidArgument } from './errors';
import { checkFeatureMatrix, checkNoInfinity, type FeatureMatrix } from './matrix';
import { C_API, call, lightgbm, type NativePointer, type PointerOut } from './native';

/** `split`: how many times a feature is used in splits; `gain`: total loss reduction of those splits. */
export type ImportanceType = 'split' | 'gain';

interface NativeState {
  booster: NativePointer | null;
  /** Created on the first predictRow() and reused: LGBM_BoosterPredictForMatSingleRowFastInit is the slow part. */
  fastConfig: NativePointer | null;
}

function release(state: NativeState): void {
  const api = lightgbm();
  if (state.fastConfig !== null) api.LGBM_FastConfigFree(state.fastConfig);
  if (state.booster !== null) api.LGBM_BoosterFree(state.booster);
  state.fastConfig = null;
  state.booster = null;
}

// Safety net for Boosters dropped without dispose(); explicit disposal stays the rule.
const unreleased = new FinalizationRegistry<NativeState>(release);

let saveBufferHint = 1 << 18;

/**
 * Serialises a native booster (`numIteration` <= 0: all iterations).
 * @internal shared with train(), which saves the best iteration of its training booster.
 */
export function saveModelString(handle: NativePointer, numIteration: number): string {
  const outLen = new BigInt64Array(1);
  let buffer = Buffer.allocUnsafe(saveBufferHint);
  call('LGBM_BoosterSaveModelToString', handle, 0, numIteration, C_API.FEATURE_IMPORTANCE_SPLIT, buffer.length, outLen, buffer);
  const needed = Number(outLen[0]); // includes the terminating NUL
  if (needed > buffer.length) {
    saveBufferHint = needed;
    buffer = Buffer.allocUnsafe(needed);
    call('LGBM_BoosterSaveModelToString', handle, 0, numIteration, C_API.FEATURE_IMPORTANCE_SPLIT, buffer.length, outLen, buffer);
  }
  return buffer.toString('utf8', 0, needed - 1);
}

/**
 * A trained LightGBM model for prediction. Get one from `train()` or {@link Booster.fromString}; free it with
 * {@link Booster.dispose}. Methods are synchronous native calls.
 */
export class Booster {
  readonly #state: NativeState;
  /** Number of feature columns the model expects. */
  readonly numFeatures: number;
  /** Boosting iterations in the model; predictions use all of them (train() keeps only up to the best one). */
  readonly numIterations: number;
  /** Outputs per row (1 except for multiclass objectives). */
  readonly numOutputs: number;
  readonly #row: Float64Array;
  readonly #rowOut: Float64Array;
  readonly #outLen = new BigInt64Array(1);

  private constructor(handle: NativePointer, numIterations: number) {
    this.#state = { booster: handle, fastConfig: null };
    unreleased.register(this, this.#state, this);
    const out = new Int32Array(1);
    try {
      call('LGBM_BoosterGetNumFeature', handle, out);
      this.numFeatures = out[0]!;
      call('LGBM_BoosterGetNumClasses', handle, out);
      this.numOutputs = out[0]!;
    } catch (error) {
      this.dispose();
      throw error;
    }
    this.numIterations = numIterations;
    this.#row = new Float64Array(this.numFeatures);
    this.#rowOut = new Float64Array(this.numOutputs);
  }

  /**
   * Loads a model from the text produced by {@link Booster.saveToString} (or LightGBM's own model files).
   * @throws LightGBMError `native` with LightGBM's parse error for malformed text.
   */
  static fromString(model: string): Booster {
    if (typeof model !== 'string' || model.trim() === '') throw invalidArgument('Booster.fromString', 'model text is empty');
    const numIterations = new Int32Array(1);
    const out: PointerOut = [null];
    call('LGBM_BoosterLoadModelFromString', model, numIterations, out);
    if (out[0] === null) throw new LightGBMError('native', 'LGBM_BoosterLoadModelFromString returned a null handle');
    return new Booster(out[0], numIterations[0]!);
  }

  /** Whether {@link Booster.dispose} has been called. */
  get disposed(): boolean {
    return this.#state.booster === null;
  }

  /**
   * The model as LightGBM's text format (includes split-count feature importances).
   * @param numIteration keep only the first `numIteration` iterations; default all.
   */
  saveToString(numIteration?: number): string {
    const handle = this.#handle('Booster.saveToString');
    if (numIteration !== undefined && (!Number.isInteger(numIteration) || numIteration < 1)) {
      throw invalidArgument('Booster.saveToString', `numIteration must be a positive integer, got ${numIteration}`);
    }
    return saveModelString(handle, numIteration ?? -1);
  }

  /**
   * Predicts many rows at once.
   * @returns `nRows * numOutputs` values, row-major.
   * @throws LightGBMError `invalid-argument` when the shape is wrong, a value is ±Infinity or `nCols` differs from
   *   {@link Booster.numFeatures}.
   */
  predict(matrix: FeatureMatrix): Float64Array {
    const where = 'Booster.predict';
    const handle = this.#handle(where);
    checkFeatureMatrix(matrix, where);
    if (matrix.nCols !== this.numFeatures) {
      throw invalidArgument(where, `input has ${matrix.nCols} columns but the model expects ${this.numFeatures} features`);
    }
    const result = new Float64Array(matrix.nRows * this.numOutputs);
    const dataType = matrix.x instanceof Float32Array ? C_API.DTYPE_FLOAT32 : C_API.DTYPE_FLOAT64;
    call(
      'LGBM_BoosterPredictForMat',
      handle,
      matrix.x,
      dataType,
      matrix.nRows,
      matrix.nCols,
      C_API.ROW_MAJOR,
      C_API.PREDICT_NORMAL,
      0,
      -1,
      '',
      this.#outLen,
      result,
    );
    if (Number(this.#outLen[0]) !== result.length) {
      throw new LightGBMError('native', `LGBM_BoosterPredictForMat wrote ${this.#outLen[0]} values, expected ${result.length}`);
    }
    return result;
  }

  /**
   * Predicts one row through LightGBM's single-row fast path (set up once per Booster, then reused).
   * Only for single-output models; use {@link Booster.predict} for multiclass.
   * @param row `numFeatures` values; NaN means missing.
   */
  predictRow(row: ArrayLike<number>): number {
    const where = 'Booster.predictRow';
    const state = this.#alive(where);
    if (this.numOutputs !== 1) throw invalidArgument(where, `the model has ${this.numOutputs} outputs per row; use predict()`);
    if (row.length !== this.numFeatures) {
      throw invalidArgument(where, `row has ${row.length} values but the model expects ${this.numFeatures} features`);
    }
    let data: Float64Array;
    if (row instanceof Float64Array) {
      data = row;
    } else {
      data = this.#row;
      for (let i = 0; i < data.length; i++) data[i] = row[i]!;
    }
    checkNoInfinity(data, this.numFeatures, where);
    if (state.fastConfig === null) {
      const out: PointerOut = [null];
      call('LGBM_BoosterPredictForMatSingleRowFastInit', state.booster!, C_API.PREDICT_NORMAL, 0, -1, C_API.DTYPE_FLOAT64, this.numFeatures, '', out);
      state.fastConfig = out[0];
    }
    call('LGBM_BoosterPredictForMatSingleRowFast', state.fastConfig!, data, this.#outLen, this.#rowOut);
    return this.#rowOut[0]!;
  }

  /** Importance of each feature, in column order, over all iterations of the model. */
  featureImportance(type: ImportanceType = 'split'): Float64Array {
    const handle = this.#handle('Booster.featureImportance');
    if (type !== 'split' && type !== 'gain') {
      throw invalidArgument('Booster.featureImportance', `type must be 'split' or 'gain', got ${String(type)}`);
    }
    const result = new Float64Array(this.numFeatures);
    const code = type === 'split' ? C_API.FEATURE_IMPORTANCE_SPLIT : C_API.FEATURE_IMPORTANCE_GAIN;
    call('LGBM_BoosterFeatureImportance', handle, -1, code, result);
    return result;
  }

  /** Frees the native model (and its single-row predictor). Idempotent; later use throws a `disposed` error. */
  dispose(): void {
    if (this.#state.booster === null) return;
    unreleased.unregister(this);
    release(this.#state);
  }

  #alive(where: string): NativeState {
    if (this.#state.booster === null) throw new LightGBMError('disposed', `${where}: this Booster has been disposed`);
    return this.#state;
  }

  #handle(where: string): NativePointer {
    return this.#alive(where).booster!;
  }
}

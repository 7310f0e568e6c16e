import { LightGBMError, invalidArgument } from './errors';
import { checkFeatureMatrix, labelsAsFloat32, type LabeledMatrix } from './matrix';
import { C_API, call, lightgbm, type NativePointer, type PointerOut } from './native';
import { formatParams, withBindingDefaults, type Params } from './params';

/** How to build a {@link Dataset}. */
export interface DatasetOptions {
  /**
   * LightGBM parameters; dataset-level ones (max_bin, min_data_in_bin, ...) take effect here. Pass the same map
   * you train with, as the binning must match. Unless given, `verbosity=-1`, `deterministic=true` and
   * `force_col_wise=true` are added.
   */
  params?: Params;
  /**
   * The training Dataset when this one is a validation set: its bin mappers are reused so both sets are binned
   * identically. Required for validation data.
   */
  reference?: Dataset;
}

// Safety net for Datasets dropped without dispose(); explicit disposal stays the rule.
const unreleased = new FinalizationRegistry<NativePointer>((handle) => {
  lightgbm().LGBM_DatasetFree(handle);
});

/** LightGBM's binned copy of a labelled matrix (the raw values are not kept). Free it with {@link Dataset.dispose}. */
export class Dataset {
  #handle: NativePointer | null;
  /** Number of rows. */
  readonly numRows: number;
  /** Number of feature columns. */
  readonly numFeatures: number;

  private constructor(handle: NativePointer, numRows: number, numFeatures: number) {
    this.#handle = handle;
    this.numRows = numRows;
    this.numFeatures = numFeatures;
    unreleased.register(this, handle, this);
  }

  /**
   * Builds a Dataset from a row-major float matrix and its labels (stored as float32, as the C API wants).
   * @throws LightGBMError `invalid-argument` for a shape mismatch, empty data, ±Infinity features or non-finite
   *   labels; `disposed` if `reference` was disposed; `native` if LightGBM rejects the data or parameters.
   */
  static fromMatrix(data: LabeledMatrix, options: DatasetOptions = {}): Dataset {
    const where = 'Dataset.fromMatrix';
    checkFeatureMatrix(data, where);
    const labels = labelsAsFloat32(data.y, data.nRows, where);
    const reference = options.reference;
    if (reference !== undefined && reference.numFeatures !== data.nCols) {
      throw invalidArgument(where, `data has ${data.nCols} columns but the reference Dataset has ${reference.numFeatures}`);
    }
    const parameters = formatParams(withBindingDefaults(options.params ?? {}), where);
    const dataType = data.x instanceof Float32Array ? C_API.DTYPE_FLOAT32 : C_API.DTYPE_FLOAT64;
    const out: PointerOut = [null];
    call('LGBM_DatasetCreateFromMat', data.x, dataType, data.nRows, data.nCols, C_API.ROW_MAJOR, parameters, reference?.handle ?? null, out);
    const handle = out[0];
    if (handle === null) throw new LightGBMError('native', 'LGBM_DatasetCreateFromMat returned a null handle');
    try {
      call('LGBM_DatasetSetField', handle, 'label', labels, labels.length, C_API.DTYPE_FLOAT32);
    } catch (error) {
      lightgbm().LGBM_DatasetFree(handle);
      throw error;
    }
    return new Dataset(handle, data.nRows, data.nCols);
  }

  /** Whether {@link Dataset.dispose} has been called. */
  get disposed(): boolean {
    return this.#handle === null;
  }

  /**
   * The native handle, for this package's training code.
   * @internal
   * @throws LightGBMError `disposed`
   */
  get handle(): NativePointer {
    if (this.#handle === null) throw new LightGBMError('disposed', 'Dataset: this Dataset has been disposed');
    return this.#handle;
  }

  /** Frees the native Dataset. Idempotent. A Booster being trained on it must be finished first. */
  dispose(): void {
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    unreleased.unregister(this);
    call('LGBM_DatasetFree', handle);
  }
}

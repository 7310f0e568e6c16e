/**
 * Thin typed binding to LightGBM's C API (lib_lightgbm 4.6) through koffi.
 *
 * Entry points: {@link train} to fit a model, {@link Booster} to predict, save and load, {@link Dataset} to reuse
 * binned data across trainings. All native objects are freed with `dispose()`.
 * @packageDocumentation
 */
export { Booster, type ImportanceType } from './booster';
export { Dataset, type DatasetOptions } from './dataset';
export { LightGBMError, type LightGBMErrorKind } from './errors';
export type { FeatureMatrix, LabeledMatrix } from './matrix';
export { loadLibrary, type LoadLibraryOptions } from './native';
export { parameterAliases, type ParamValue, type Params } from './params';
export {
  EARLY_STOPPING_PARAMS,
  ITERATION_PARAMS,
  isHigherBetter,
  train,
  type EvalHistory,
  type IterationProgress,
  type MetricHistory,
  type StopReason,
  type TrainOptions,
  type TrainResult,
} from './train';

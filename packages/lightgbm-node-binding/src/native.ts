import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import koffi from 'koffi';
import { LightGBMError } from './errors';

/** An opaque C pointer (koffi 3 represents pointers as BigInt). */
export type NativePointer = bigint;
/** A one-slot array koffi fills for `_Out_ void **` parameters. */
export type PointerOut = [NativePointer | null];
export type FloatMatrixData = Float64Array | Float32Array;

/** Constants from LightGBM's c_api.h. */
export const C_API = {
  DTYPE_FLOAT32: 0,
  DTYPE_FLOAT64: 1,
  PREDICT_NORMAL: 0,
  FEATURE_IMPORTANCE_SPLIT: 0,
  FEATURE_IMPORTANCE_GAIN: 1,
  ROW_MAJOR: 1,
} as const;

/**
 * The subset of c_api.h (LightGBM 4.6) this binding uses, typed for TypeScript.
 * Every function except LGBM_GetLastError returns 0 on success and -1 on failure.
 */
export interface LightGBMApi {
  LGBM_GetLastError(): string;
  LGBM_DatasetCreateFromMat(
    data: FloatMatrixData,
    dataType: number,
    nRow: number,
    nCol: number,
    isRowMajor: number,
    parameters: string,
    reference: NativePointer | null,
    out: PointerOut,
  ): number;
  LGBM_DatasetSetField(handle: NativePointer, fieldName: string, data: Float32Array, numElement: number, type: number): number;
  LGBM_DatasetFree(handle: NativePointer): number;
  LGBM_BoosterCreate(train: NativePointer, parameters: string, out: PointerOut): number;
  LGBM_BoosterAddValidData(handle: NativePointer, valid: NativePointer): number;
  LGBM_BoosterUpdateOneIter(handle: NativePointer, isFinished: Int32Array): number;
  LGBM_BoosterGetCurrentIteration(handle: NativePointer, out: Int32Array): number;
  LGBM_BoosterGetEvalCounts(handle: NativePointer, out: Int32Array): number;
  LGBM_BoosterGetEvalNames(handle: NativePointer, len: number, outLen: Int32Array, bufferLen: number, outBufferLen: BigUint64Array, outStrs: Buffer[]): number;
  LGBM_BoosterGetEval(handle: NativePointer, dataIdx: number, outLen: Int32Array, outResults: Float64Array): number;
  LGBM_BoosterSaveModelToString(
    handle: NativePointer,
    startIteration: number,
    numIteration: number,
    featureImportanceType: number,
    bufferLen: number,
    outLen: BigInt64Array,
    outStr: Buffer,
  ): number;
  LGBM_BoosterLoadModelFromString(modelStr: string, outNumIterations: Int32Array, out: PointerOut): number;
  LGBM_BoosterGetNumFeature(handle: NativePointer, out: Int32Array): number;
  LGBM_BoosterGetNumClasses(handle: NativePointer, out: Int32Array): number;
  LGBM_BoosterPredictForMat(
    handle: NativePointer,
    data: FloatMatrixData,
    dataType: number,
    nRow: number,
    nCol: number,
    isRowMajor: number,
    predictType: number,
    startIteration: number,
    numIteration: number,
    parameter: string,
    outLen: BigInt64Array,
    outResult: Float64Array,
  ): number;
  LGBM_BoosterPredictForMatSingleRowFastInit(
    handle: NativePointer,
    predictType: number,
    startIteration: number,
    numIteration: number,
    dataType: number,
    nCol: number,
    parameter: string,
    out: PointerOut,
  ): number;
  LGBM_BoosterPredictForMatSingleRowFast(fastConfig: NativePointer, data: Float64Array, outLen: BigInt64Array, outResult: Float64Array): number;
  LGBM_FastConfigFree(fastConfig: NativePointer): number;
  LGBM_BoosterFeatureImportance(handle: NativePointer, numIteration: number, importanceType: number, outResults: Float64Array): number;
  LGBM_BoosterFree(handle: NativePointer): number;
  LGBM_DumpParamAliases(bufferLen: number, outLen: BigInt64Array, outStr: Buffer): number;
}

/** Functions that follow the 0 / -1 return convention. */
export type CheckedFunction = Exclude<keyof LightGBMApi, 'LGBM_GetLastError'>;

// C-like prototypes; handles are plain `void *` so no named koffi types are registered (jest may load this module
// once per test file in the same process, and koffi type names are process-global).
const PROTOTYPES: Record<keyof LightGBMApi, string> = {
  LGBM_GetLastError: 'const char *LGBM_GetLastError()',
  LGBM_DatasetCreateFromMat:
    'int LGBM_DatasetCreateFromMat(const void *data, int data_type, int32_t nrow, int32_t ncol, int is_row_major, const char *parameters, void *reference, _Out_ void **out)',
  LGBM_DatasetSetField: 'int LGBM_DatasetSetField(void *handle, const char *field_name, const void *field_data, int num_element, int type)',
  LGBM_DatasetFree: 'int LGBM_DatasetFree(void *handle)',
  LGBM_BoosterCreate: 'int LGBM_BoosterCreate(void *train_data, const char *parameters, _Out_ void **out)',
  LGBM_BoosterAddValidData: 'int LGBM_BoosterAddValidData(void *handle, void *valid_data)',
  LGBM_BoosterUpdateOneIter: 'int LGBM_BoosterUpdateOneIter(void *handle, int *is_finished)',
  LGBM_BoosterGetCurrentIteration: 'int LGBM_BoosterGetCurrentIteration(void *handle, int *out_iteration)',
  LGBM_BoosterGetEvalCounts: 'int LGBM_BoosterGetEvalCounts(void *handle, int *out_len)',
  LGBM_BoosterGetEvalNames: 'int LGBM_BoosterGetEvalNames(void *handle, int len, int *out_len, size_t buffer_len, size_t *out_buffer_len, void **out_strs)',
  LGBM_BoosterGetEval: 'int LGBM_BoosterGetEval(void *handle, int data_idx, int *out_len, double *out_results)',
  LGBM_BoosterSaveModelToString:
    'int LGBM_BoosterSaveModelToString(void *handle, int start_iteration, int num_iteration, int feature_importance_type, int64_t buffer_len, int64_t *out_len, void *out_str)',
  LGBM_BoosterLoadModelFromString: 'int LGBM_BoosterLoadModelFromString(const char *model_str, int *out_num_iterations, _Out_ void **out)',
  LGBM_BoosterGetNumFeature: 'int LGBM_BoosterGetNumFeature(void *handle, int *out_len)',
  LGBM_BoosterGetNumClasses: 'int LGBM_BoosterGetNumClasses(void *handle, int *out_len)',
  LGBM_BoosterPredictForMat:
    'int LGBM_BoosterPredictForMat(void *handle, const void *data, int data_type, int32_t nrow, int32_t ncol, int is_row_major, int predict_type, int start_iteration, int num_iteration, const char *parameter, int64_t *out_len, double *out_result)',
  LGBM_BoosterPredictForMatSingleRowFastInit:
    'int LGBM_BoosterPredictForMatSingleRowFastInit(void *handle, int predict_type, int start_iteration, int num_iteration, int data_type, int32_t ncol, const char *parameter, _Out_ void **out_fast_config)',
  LGBM_BoosterPredictForMatSingleRowFast:
    'int LGBM_BoosterPredictForMatSingleRowFast(void *fast_config, const void *data, int64_t *out_len, double *out_result)',
  LGBM_FastConfigFree: 'int LGBM_FastConfigFree(void *fast_config)',
  LGBM_BoosterFeatureImportance: 'int LGBM_BoosterFeatureImportance(void *handle, int num_iteration, int importance_type, double *out_results)',
  LGBM_BoosterFree: 'int LGBM_BoosterFree(void *handle)',
  LGBM_DumpParamAliases: 'int LGBM_DumpParamAliases(int64_t buffer_len, int64_t *out_len, void *out_str)',
};

const LIBRARY_RELATIVE_PATH = join('.toolchain', 'py', 'lightgbm', 'lib', 'lib_lightgbm.so');

/** Where to find lib_lightgbm. */
export interface LoadLibraryOptions {
  /** Explicit path to lib_lightgbm.so; wins over LIGHTGBM_LIB_PATH and the upward search. */
  libPath?: string;
}

let loaded: { path: string; api: LightGBMApi } | null = null;

/**
 * Candidate library paths in priority order: `libPath`, then `LIGHTGBM_LIB_PATH`, then
 * `.toolchain/py/lightgbm/lib/lib_lightgbm.so` in process.cwd() and each of its parents, then in this
 * package's directory and each of its parents. An explicit path is the only candidate (no silent fallback).
 */
export function libraryCandidates(options: LoadLibraryOptions = {}, env: NodeJS.ProcessEnv = process.env): string[] {
  if (options.libPath !== undefined) return [resolve(options.libPath)];
  const fromEnv = env.LIGHTGBM_LIB_PATH;
  if (fromEnv !== undefined && fromEnv !== '') return [resolve(fromEnv)];
  const candidates: string[] = [];
  for (const start of [process.cwd(), __dirname]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, LIBRARY_RELATIVE_PATH);
      if (!candidates.includes(candidate)) candidates.push(candidate);
      if (dirname(dir) === dir) break;
    }
  }
  return candidates;
}

/**
 * Loads lib_lightgbm once per process (per module instance) and returns the path it was loaded from.
 * Calling it is optional: every API entry point loads the library with default options on first use.
 * @throws LightGBMError (kind `library`) naming every path tried, or when asked for a different path after loading.
 */
export function loadLibrary(options: LoadLibraryOptions = {}): string {
  if (loaded !== null) {
    if (options.libPath !== undefined && resolve(options.libPath) !== loaded.path) {
      throw new LightGBMError('library', `lib_lightgbm is already loaded from ${loaded.path}; cannot switch to ${resolve(options.libPath)}`);
    }
    return loaded.path;
  }
  const candidates = libraryCandidates(options);
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path === undefined) {
    throw new LightGBMError(
      'library',
      `LightGBM shared library not found. Tried:\n  ${candidates.join('\n  ')}\n` +
        'Run `npm run toolchain` to install it, or set LIGHTGBM_LIB_PATH (or the libPath option) to lib_lightgbm.so.',
    );
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(path);
  } catch (cause) {
    throw new LightGBMError('library', `cannot load LightGBM from ${path}: ${(cause as Error).message}`, { cause });
  }
  const api = {} as Record<keyof LightGBMApi, unknown>;
  for (const [name, prototype] of Object.entries(PROTOTYPES) as [keyof LightGBMApi, string][]) {
    api[name] = lib.func(prototype);
  }
  loaded = { path, api: api as unknown as LightGBMApi };
  return path;
}

/** The typed C API, loading the library on first use. */
export function lightgbm(): LightGBMApi {
  if (loaded === null) loadLibrary();
  return loaded!.api;
}

/**
 * Calls a C API function and throws a `native` LightGBMError carrying LGBM_GetLastError() when it fails.
 */
export function call<K extends CheckedFunction>(name: K, ...args: Parameters<LightGBMApi[K]>): void {
  const api = lightgbm();
  const fn = api[name] as (...a: Parameters<LightGBMApi[K]>) => number;
  const rc = fn(...args);
  if (rc !== 0) {
    const nativeMessage = api.LGBM_GetLastError();
    throw new LightGBMError('native', `${name} failed: ${nativeMessage}`, { functionName: name, nativeMessage });
  }
}

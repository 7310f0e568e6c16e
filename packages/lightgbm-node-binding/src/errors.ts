/**
 * What went wrong, so callers can branch without parsing messages:
 * - `native`: a LightGBM C API call returned an error (see {@link LightGBMError.functionName} and
 *   {@link LightGBMError.nativeMessage});
 * - `invalid-argument`: input rejected by this binding before any C call;
 * - `disposed`: a Dataset or Booster was used after `dispose()`;
 * - `library`: lib_lightgbm could not be found or loaded.
 */
export type LightGBMErrorKind = 'native' | 'invalid-argument' | 'disposed' | 'library';

/** The single error class thrown by this package. */
export class LightGBMError extends Error {
  override readonly name = 'LightGBMError';
  readonly kind: LightGBMErrorKind;
  /** The C API function that failed (kind `native`). */
  readonly functionName: string | undefined;
  /** LightGBM's own text from `LGBM_GetLastError` (kind `native`). */
  readonly nativeMessage: string | undefined;

  constructor(kind: LightGBMErrorKind, message: string, details: { functionName?: string; nativeMessage?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.functionName = details.functionName;
    this.nativeMessage = details.nativeMessage;
  }
}

/** Shorthand for an `invalid-argument` error; `where` names the API entry point, e.g. `Booster.predict`. */
export function invalidArgument(where: string, problem: string): LightGBMError {
  return new LightGBMError('invalid-argument', `${where}: ${problem}`);
}

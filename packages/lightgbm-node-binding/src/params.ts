import { invalidArgument } from './errors';
import { call } from './native';

/** One LightGBM parameter value; booleans become `true`/`false`. */
export type ParamValue = string | number | boolean;

/**
 * LightGBM parameters by their documented names (https://lightgbm.readthedocs.io/en/stable/Parameters.html),
 * e.g. `{ objective: 'regression', num_leaves: 64, learning_rate: 0.03 }`.
 */
export type Params = Readonly<Record<string, ParamValue>>;

const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
// LightGBM splits the parameter string on whitespace and each pair on '=', so values may contain neither.
const UNSAFE_VALUE = /[\s=]/;

/**
 * Parameters this binding adds when the caller leaves them out:
 * - `verbosity=-1`: LightGBM otherwise writes warnings to stdout;
 * - `deterministic=true` and `force_col_wise=true`: without a forced layout LightGBM times row-wise against
 *   col-wise histograms and keeps the faster one, so the model could depend on machine load.
 */
export function withBindingDefaults(params: Params): Params {
  const out: Record<string, ParamValue> = { ...params };
  if (!('verbosity' in out) && !('verbose' in out)) out.verbosity = -1;
  if (!('deterministic' in out)) out.deterministic = true;
  if (!('force_col_wise' in out) && !('force_row_wise' in out)) out.force_col_wise = true;
  return out;
}

/** Serialises parameters to LightGBM's `key=value key=value` string, rejecting what LightGBM would misparse. */
export function formatParams(params: Params, where: string): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (!KEY_PATTERN.test(key)) throw invalidArgument(where, `parameter name ${JSON.stringify(key)} is not a LightGBM identifier`);
    parts.push(`${key}=${formatValue(key, value, where)}`);
  }
  return parts.join(' ');
}

function formatValue(key: string, value: ParamValue, where: string): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw invalidArgument(where, `parameter ${key} must be a finite number, got ${value}`);
      return String(value);
    case 'string':
      if (value === '' || UNSAFE_VALUE.test(value)) {
        throw invalidArgument(where, `parameter ${key} must be a non-empty string without spaces or '=', got ${JSON.stringify(value)}`);
      }
      return value;
    default:
      throw invalidArgument(where, `parameter ${key} has unsupported type ${typeof value}`);
  }
}

/**
 * Every parameter the loaded LightGBM knows, by its canonical name, with its aliases (LGBM_DumpParamAliases), e.g.
 * `{ num_leaves: ['num_leaf', 'max_leaves', 'max_leaf', 'max_leaf_nodes'], ... }`.
 */
export function parameterAliases(): Record<string, string[]> {
  const outLen = new BigInt64Array(1);
  let buffer = Buffer.alloc(64 * 1024);
  call('LGBM_DumpParamAliases', buffer.length, outLen, buffer);
  const needed = Number(outLen[0]); // includes the terminating NUL
  if (needed > buffer.length) {
    buffer = Buffer.alloc(needed);
    call('LGBM_DumpParamAliases', buffer.length, outLen, buffer);
  }
  return JSON.parse(buffer.toString('utf8', 0, needed - 1)) as Record<string, string[]>;
}

/**
 * `--grid key=values` of `npm run sweep`: a comma list (`4,6,8`) or an inclusive range (`4:12:2`, both ends
 * included), and the combinations they span. Pure: the configuration schema checks the values afterwards.
 */
export type SweepValue = number | string | boolean;

export interface GridAxis {
  /** A dotted configuration key, e.g. trading.entry_threshold_bps. */
  readonly key: string;
  readonly values: readonly SweepValue[];
}

/** A combination: one value per swept key, in the order of the axes. */
export type Combination = Readonly<Record<string, SweepValue>>;

export class GridError extends Error {
  override name = 'GridError';
}

/** Grids larger than this are refused: a typo in a step should not start a million simulations. */
export const MAX_COMBINATIONS = 100_000;
const MAX_RANGE_POINTS = 10_000;

function scalar(text: string): SweepValue {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t;
}

function num(text: string, key: string, what: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) throw new GridError(`--grid ${key}: the range ${what} '${text}' is not a number`);
  return value;
}

/** Decimal places of a step such as 0.25, so 4:5:0.25 yields 4.75, not 4.749999999. */
function decimals(x: number): number {
  const s = String(x);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function range(key: string, text: string): number[] {
  const parts = text.split(':');
  if (parts.length !== 3) throw new GridError(`--grid ${key}: a range is from:to:step (got '${text}')`);
  const from = num(parts[0]!, key, 'start');
  const to = num(parts[1]!, key, 'end');
  const step = num(parts[2]!, key, 'step');
  if (!(step > 0)) throw new GridError(`--grid ${key}: the step of '${text}' must be > 0`);
  if (to < from) throw new GridError(`--grid ${key}: the end of '${text}' is below its start`);
  const places = Math.max(decimals(from), decimals(step));
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_RANGE_POINTS) throw new GridError(`--grid ${key}: '${text}' has ${count} values (at most ${MAX_RANGE_POINTS})`);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Number((from + i * step).toFixed(places)));
  // Both ends are included: an end the step does not reach exactly is added (4:9:2 gives 4,6,8,9).
  if (Math.abs(out[out.length - 1]! - to) > 1e-9) out.push(to);
  return out;
}

/** Parses one `key=values` argument. */
export function parseGridArg(arg: string): GridAxis {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new GridError(`--grid '${arg}': expected key=v1,v2,... or key=from:to:step`);
  const key = arg.slice(0, eq).trim();
  const text = arg.slice(eq + 1).trim();
  if (!/^[a-z0-9_]+(\.[a-z0-9_]+)+$/i.test(key))
    throw new GridError(`--grid '${arg}': '${key}' is not a dotted configuration key such as trading.entry_threshold_bps`);
  if (text === '') throw new GridError(`--grid ${key}: no values`);
  const values: SweepValue[] = text.includes(':') ? range(key, text) : text.split(',').map(scalar);
  if (values.some((v) => v === '')) throw new GridError(`--grid ${key}: an empty value in '${text}'`);
  const unique = [...new Set(values)];
  if (unique.length !== values.length) throw new GridError(`--grid ${key}: '${text}' repeats a value`);
  return { key, values: unique };
}

/** Parses every `--grid`; a key given twice is refused. */
export function parseGrid(args: readonly string[]): GridAxis[] {
  if (args.length === 0) throw new GridError('a sweep needs at least one --grid key=values');
  const axes = args.map(parseGridArg);
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.key)) throw new GridError(`--grid ${a.key} is given twice`);
    seen.add(a.key);
  }
  return axes;
}

export function gridSize(axes: readonly GridAxis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

/** The i-th combination of the full grid (the last axis varies fastest). */
export function combinationAt(axes: readonly GridAxis[], index: number): Combination {
  const out: Record<string, SweepValue> = {};
  let rest = index;
  for (let k = axes.length - 1; k >= 0; k--) {
    const axis = axes[k]!;
    out[axis.key] = axis.values[rest % axis.values.length]!;
    rest = Math.floor(rest / axis.values.length);
  }
  // Keys in axis order, so results.csv columns follow the command line.
  return Object.fromEntries(axes.map((a) => [a.key, out[a.key]!]));
}

/** Every combination of the grid, in a fixed order. */
export function gridCombinations(axes: readonly GridAxis[]): Combination[] {
  const size = gridSize(axes);
  if (size > MAX_COMBINATIONS) throw new GridError(`the grid has ${size} combinations (at most ${MAX_COMBINATIONS}); use --search random --trials N`);
  return Array.from({ length: size }, (_, i) => combinationAt(axes, i));
}

/**
 * LightGBM parameter names and aliases (config/lightgbm-parameters.json, from the pinned library): a misspelled key
 * in `training.lightgbm` is refused at config load, since LightGBM itself ignores unknown keys (with a warning that
 * `verbosity: -1` hides).
 */
import known from './lightgbm-parameters.json';

export type ParameterAliases = Readonly<Record<string, readonly string[]>>;

/** Canonical names in order, each with its aliases sorted, so the committed file diffs cleanly. */
export function sortedParameters(aliases: ParameterAliases): Record<string, string[]> {
  return Object.fromEntries(
    Object.keys(aliases)
      .sort()
      .map((name) => [name, [...(aliases[name] ?? [])].sort()]),
  );
}

const ALIASES: ParameterAliases = known;
const NAMES = new Set(Object.entries(ALIASES).flatMap(([name, aliases]) => [name, ...aliases]));

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Null for a LightGBM parameter or alias; otherwise the problem, with the closest known name when there is one. */
export function unknownParameter(key: string): string | null {
  if (NAMES.has(key)) return null;
  let best: string | null = null;
  let bestDistance = 3; // suggest only near misses
  for (const name of NAMES) {
    const d = distance(key, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return `unknown LightGBM parameter '${key}'${best ? ` (did you mean '${best}'?)` : ''}`;
}

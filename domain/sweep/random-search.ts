/**
 * `--search random --trials N --seed S`: N distinct combinations drawn from the grid with a seeded generator, so
 * a seed names the same trials on every machine (and a resumed sweep plans the same ones).
 */
import { mulberry32 } from '../seeded-random';
import { combinationAt, GridError, gridSize, type Combination, type GridAxis } from './grid';

export function randomCombinations(axes: readonly GridAxis[], trials: number, seed: number): Combination[] {
  if (!Number.isInteger(trials) || trials < 1) throw new GridError(`--trials must be a positive integer (got ${trials})`);
  if (!Number.isInteger(seed)) throw new GridError(`--seed must be an integer (got ${seed})`);
  const size = gridSize(axes);
  if (trials > size) throw new GridError(`--trials ${trials} exceeds the grid's ${size} combinations`);
  const uniform = mulberry32(seed);
  const picked = new Set<number>();
  // Rejection sampling of grid indices: exact and simple while trials stay below the grid size.
  while (picked.size < trials) picked.add(Math.floor(uniform() * size));
  return [...picked].sort((a, b) => a - b).map((i) => combinationAt(axes, i));
}

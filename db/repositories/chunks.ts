/** Splits rows into slices of at most `size`, keeping each multi-row INSERT under PostgreSQL's 65,535 parameters. */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size must be at least 1, got ${size}`);
  const out: T[][] = [];
  for (let start = 0; start < rows.length; start += size) out.push(rows.slice(start, start + size));
  return out;
}

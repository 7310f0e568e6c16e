/**
 * Reads the bar file given to a command (plain or gzip CSV, either format of domain/bar-csv.ts) and checks that
 * a span of it is contiguous, with messages that name the file, the line or the first missing bar.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BarCsvError, parseBarCsv } from '../../domain/bar-csv';
import { BAR_MS, findGaps, type Bar } from '../../domain/bars';
import { gunzipIfNeeded } from '../../market-data/read-bar-file';

export interface BarInput {
  /** Absolute path of the file. */
  readonly file: string;
  /** Ascending 1-minute bars, as many as the file holds (gaps possible). */
  readonly bars: Bar[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `path` is resolved against the working directory. */
export async function readBarInput(path: string): Promise<BarInput> {
  const file = resolve(process.cwd(), path);
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    throw new Error(`Cannot read data file ${file}: ${(err as Error).message}`);
  }
  try {
    return { file, bars: parseBarCsv(gunzipIfNeeded(raw).toString('utf8')).bars };
  } catch (err) {
    const detail = err instanceof BarCsvError ? `line ${err.line}: ${err.problem}` : (err as Error).message;
    throw new Error(`Data file ${file} is not valid: ${detail}`);
  }
}

/** Throws when `bars` (a span of input.bars) has a gap: features need a contiguous history. */
export function requireContiguous(input: BarInput, bars: readonly Bar[], why: string): void {
  const gaps = findGaps(bars);
  if (gaps.length === 0) return;
  const g = gaps[0]!;
  const after = g.from - BAR_MS;
  throw new Error(
    `Data file ${input.file} has ${gaps.length} gap(s) ${why}; the first: ${g.count} bar(s) missing from ${iso(g.from)} ` +
      `(after the bar of ${iso(after)}). Features need a contiguous history of 1-minute bars`,
  );
}

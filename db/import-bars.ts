/**
 * Imports bars into the `bars` table: a whole, already validated file in one transaction, so an import lands
 * completely or not at all. Stored bars are never silently overwritten: a file whose bars differ from stored ones
 * is refused as a whole (BarConflictError naming them) unless `replace` is set.
 */
import path from 'node:path';
import type { Gap } from '../domain/bars';
import type { BarCsvFormat, ParsedBarCsv } from '../domain/bar-csv';
import type { SeriesKey } from '../domain/markets';
import { BarConflictError } from '../market-data/bar-conflicts';
import { readBarFile } from '../market-data/read-bar-file';
import type { Executor } from './client';
import { writeBars, type WriteBarsResult } from './repositories/bars';

export interface ImportBarsResult extends WriteBarsResult {
  readonly series: SeriesKey;
  readonly format: BarCsvFormat;
  readonly bars: number;
  /** Open times of the first and the last bar of the file. */
  readonly first: number;
  readonly last: number;
  readonly gaps: Gap[];
  readonly writeMs: number;
}

export interface ImportOptions {
  /** Overwrite stored bars whose values differ (default: refuse the file). */
  readonly replace?: boolean;
}

/** Writes parsed bars (from readBarFile/parseBarCsv, which refuse a file with any bad row) in one transaction. */
export async function importBars(
  db: Executor,
  series: SeriesKey,
  parsed: ParsedBarCsv,
  source: string,
  options: ImportOptions = {},
): Promise<ImportBarsResult> {
  const started = performance.now();
  const replace = options.replace === true;
  const written = await db.transaction(async (tx) => {
    const result = await writeBars(tx, series, parsed.bars, source, { replace });
    // Throwing rolls the transaction back: a refused file imports nothing.
    if (!replace && result.conflicts > 0) {
      throw new BarConflictError(series, result.conflicts, result.conflictExamples, 'refused, nothing imported (--replace overwrites them with the file)');
    }
    return result;
  });
  return {
    series,
    format: parsed.format,
    bars: parsed.bars.length,
    // parseBarCsv refuses a file without bars, so both ends exist.
    first: parsed.bars[0]!.openTime,
    last: parsed.bars[parsed.bars.length - 1]!.openTime,
    gaps: parsed.gaps,
    ...written,
    writeMs: performance.now() - started,
  };
}

export interface ImportBarFileOptions extends ImportOptions {
  readonly file: string;
  readonly series: SeriesKey;
  /** Recorded in bars.source; default barFileSource(file). */
  readonly source?: string;
}

/** `file:<file name>`: what bars.source records for an imported file. */
export function barFileSource(file: string): string {
  return `file:${path.basename(file)}`;
}

/** Reads, validates and imports a bar file; throws a BarCsvError naming the bad line before writing anything. */
export async function importBarFile(db: Executor, options: ImportBarFileOptions): Promise<ImportBarsResult & { readMs: number }> {
  const started = performance.now();
  const parsed = await readBarFile(options.file);
  const readMs = performance.now() - started;
  const result = await importBars(db, options.series, parsed, options.source ?? barFileSource(options.file), { replace: options.replace });
  return { ...result, readMs };
}

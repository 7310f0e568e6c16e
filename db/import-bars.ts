/**
 * Imports bars into the `bars` table: a whole, already validated file in one transaction, so an import lands
 * completely or not at all.
 */
import path from 'node:path';
import type { Gap } from '../domain/bars';
import type { BarCsvFormat, ParsedBarCsv } from '../domain/bar-csv';
import { readBarFile } from '../market-data/read-bar-file';
import type { Executor } from './client';
import { upsertBars, type UpsertBarsResult } from './repositories/bars';

export interface ImportBarsResult extends UpsertBarsResult {
  readonly symbol: string;
  readonly format: BarCsvFormat;
  readonly bars: number;
  /** Open times of the first and the last bar of the file. */
  readonly first: number;
  readonly last: number;
  readonly gaps: Gap[];
  readonly writeMs: number;
}

/** Writes parsed bars (from readBarFile/parseBarCsv, which refuse a file with any bad row) in one transaction. */
export async function importBars(db: Executor, symbol: string, parsed: ParsedBarCsv, source: string): Promise<ImportBarsResult> {
  const started = performance.now();
  const written = await db.transaction((tx) => upsertBars(tx, symbol, parsed.bars, source));
  return {
    symbol,
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

export interface ImportBarFileOptions {
  readonly file: string;
  readonly symbol: string;
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
  const result = await importBars(db, options.symbol, parsed, options.source ?? barFileSource(options.file));
  return { ...result, readMs };
}

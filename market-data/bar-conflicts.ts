/**
 * Stored bars that differ from new values for the same minute: the refusal every bar writer raises unless told to
 * replace, and its report (how many, and the first few with both values), so a user sees what would be overwritten.
 */
import type { Bar } from '../domain/bars';
import { describeSeries, type SeriesKey } from '../domain/markets';
import type { BarConflict } from '../db/repositories/bars';

const iso = (ms: number) => new Date(ms).toISOString();
const ohlcv = (b: Bar) => `${b.open}/${b.high}/${b.low}/${b.close}/${b.volume}`;

/** One line per example: `2025-01-01T00:05:00.000Z stored o/h/l/c/v 1/2/0.5/1.5/3, new 1/2/0.5/1.6/3`. */
export function conflictLines(examples: readonly BarConflict[]): string[] {
  return examples.map((c) => `${iso(c.stored.openTime)} stored o/h/l/c/v ${ohlcv(c.stored)}, new ${ohlcv(c.incoming)}`);
}

export function conflictSummary(series: SeriesKey, count: number, examples: readonly BarConflict[]): string {
  const shown = examples.length < count ? `; the first ${examples.length}:` : ':';
  return `${count} stored bar(s) of ${describeSeries(series)} differ from the new values${shown}\n  ${conflictLines(examples).join('\n  ')}`;
}

/** Raised instead of replacing stored bars by different values; nothing of the refused write was stored. */
export class BarConflictError extends Error {
  override name = 'BarConflictError';
  constructor(
    readonly series: SeriesKey,
    readonly count: number,
    readonly examples: readonly BarConflict[],
    hint: string,
  ) {
    super(`${conflictSummary(series, count, examples)}\n${hint}`);
  }
}

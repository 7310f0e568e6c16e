/**
 * The bars of a backtest, from a data file (`--data`) or from the `bars` table (`--db`), checked before anything
 * starts: the run's range [start, start + train + test) lies inside the data and has no gap. Returns the reference the
 * workflows pass (a file pinned by its SHA-256, or the table's series pinned by the digest of its rows), never the bars.
 */
import { readFile } from 'node:fs/promises';
import { BAR_MS, findGaps, type Bar } from '../domain/bars';
import { BarCsvError, parseBarCsv } from '../domain/bar-csv';
import { describeSeries, type SeriesKey } from '../domain/markets';
import type { Executor } from '../db/client';
import { barRange, loadBars, marketsWithBars } from '../db/repositories/bars';
import { gunzipIfNeeded } from '../market-data/read-bar-file';
import { iso, sha256 } from '../activities/bar-series';
import { barsDigest } from '../activities/series-digest';
import type { DataRef } from '../contracts/training';
import { BacktestInputError } from './backtest-input-error';

const HOUR_MS = 3_600_000;

export type BacktestDataSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'db'; readonly db: Executor; readonly series: SeriesKey };

/** What the run needs: `--start` as given (default: the first bar of the data) and its length. */
export interface RunSpan {
  readonly start: number | undefined;
  readonly trainHours: number;
  readonly testHours: number;
}

export interface BacktestData {
  readonly ref: DataRef;
  /** The bars of [start, end), contiguous. */
  readonly bars: readonly Bar[];
  readonly start: number;
  readonly end: number;
}

/** Where the data is, as the messages name it. */
export function sourceName(source: BacktestDataSource): string {
  return source.kind === 'file' ? source.path : `the bars table (${describeSeries(source.series)})`;
}

export async function loadBacktestData(source: BacktestDataSource, span: RunSpan): Promise<BacktestData> {
  return source.kind === 'file' ? loadFileData(source.path, span) : loadDbData(source.db, source.series, span);
}

async function loadFileData(file: string, span: RunSpan): Promise<BacktestData> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    throw new BacktestInputError(`Cannot read data file ${file}: ${(err as Error).message}`);
  }
  let bars: Bar[];
  try {
    bars = parseBarCsv(gunzipIfNeeded(raw).toString('utf8'), { source: file }).bars;
  } catch (err) {
    // BarCsvError's own message repeats the file name given as source; keep line and problem only.
    const detail = err instanceof BarCsvError ? `line ${err.line}: ${err.problem}` : (err as Error).message;
    throw new BacktestInputError(`Data file ${file} is not valid: ${detail}`);
  }
  if (bars.length === 0) throw new BacktestInputError(`Data file ${file} holds no bars`);
  const { start, end } = runRange(file, { first: bars[0]!.openTime, lastEnd: bars[bars.length - 1]!.openTime + BAR_MS }, span);
  const used = bars.filter((b) => b.openTime >= start && b.openTime < end);
  checkContiguous('Data', used, start, end, '');
  return { ref: { kind: 'file', path: file, sha256: sha256(raw), from: start, to: end }, bars: used, start, end };
}

async function loadDbData(db: Executor, series: SeriesKey, span: RunSpan): Promise<BacktestData> {
  const where = sourceName({ kind: 'db', db, series });
  const stored = await barRange(db, series);
  if (stored === null) throw new BacktestInputError(`No bars stored for ${describeSeries(series)}${await elsewhere(db, series)}`);
  const { start, end } = runRange(where, { first: stored.first, lastEnd: stored.last + BAR_MS }, span);
  const used = await loadBars(db, series, start, end);
  checkContiguous(`${where.charAt(0).toUpperCase()}${where.slice(1)}`, used, start, end, ' (npm run download fetches missing bars)');
  return { ref: { kind: 'db', market: series.market, symbol: series.symbol, from: start, to: end, sha256: barsDigest(used) }, bars: used, start, end };
}

/** Where else the symbol's bars are stored, or how to get them. */
async function elsewhere(db: Executor, series: SeriesKey): Promise<string> {
  const markets = (await marketsWithBars(db, series.symbol)).filter((m) => m !== series.market);
  if (markets.length > 0) return `; ${series.symbol} is stored under ${markets.join(', ')} (--market ${markets[0]})`;
  return `; fetch them with npm run download -- --symbol ${series.symbol} --from ISO --to ISO [--funding]`;
}

/** [start, end) of the run, inside the data's extent [first, lastEnd). */
function runRange(where: string, extent: { readonly first: number; readonly lastEnd: number }, span: RunSpan): { start: number; end: number } {
  const { first, lastEnd } = extent;
  // checkBacktestOptions refused a --start off the minute; stored and parsed bars open on it.
  const start = span.start ?? first;
  const end = start + (span.trainHours + span.testHours) * HOUR_MS;
  if (start < first || start >= lastEnd) {
    throw new BacktestInputError(`--start ${iso(start)} is outside the data: ${where} covers ${iso(first)} .. ${iso(lastEnd)}`);
  }
  if (end > lastEnd) {
    const available = (lastEnd - start) / HOUR_MS;
    throw new BacktestInputError(
      `Data too short: the run needs ${span.trainHours} h train + ${span.testHours} h test = ${iso(start)} .. ${iso(end)}, but ${where} covers ${iso(first)} .. ${iso(lastEnd)} (${available.toFixed(1)} h from ${span.start !== undefined ? '--start' : 'its first bar'})`,
    );
  }
  return { start, end };
}

/** Refuses a range [start, end) whose bars (`used`, ascending) miss a minute anywhere, its edges included. */
function checkContiguous(what: string, used: readonly Bar[], start: number, end: number, hint: string): void {
  const gaps = findGaps(used);
  // Missing bars at either edge of the range (a --start inside a gap, a gap reaching past the end) lie outside
  // `used`, where findGaps cannot see them.
  const leading = (used[0]?.openTime ?? end) - start;
  if (leading > 0) gaps.unshift({ from: start, count: leading / BAR_MS });
  const lastUsed = used[used.length - 1]?.openTime;
  if (lastUsed !== undefined && lastUsed < end - BAR_MS) gaps.push({ from: lastUsed + BAR_MS, count: (end - BAR_MS - lastUsed) / BAR_MS });
  if (gaps.length > 0) {
    const g = gaps[0]!;
    throw new BacktestInputError(
      `${what} has ${gaps.length} gap(s) inside the needed range ${iso(start)} .. ${iso(end)}; the first: ${g.count} bar(s) missing from ${iso(g.from)}. Features need a contiguous history: choose another --start or fill the gap${hint}`,
    );
  }
}

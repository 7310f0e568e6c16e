/**
 * Resolves a DataRef to its bars (and, for training, its feature matrix), once per worker process: every
 * segment of a backtest, and every backtest on the same data, shares one load and one feature computation.
 * The cache is bounded by memory (BAR_CACHE_MB, default 2048), oldest entry out first.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Bar } from '../domain/bars';
import { findGaps } from '../domain/bars';
import { parseBarCsv } from '../domain/bar-csv';
import { N_FEATURES } from '../model/features';
import type { Executor } from '../db/client';
import { loadBars } from '../db/repositories/bars';
import { describeSeries, LIVE_MARKET, type SeriesKey } from '../domain/markets';
import { gunzipIfNeeded } from '../market-data/read-bar-file';
import type { SharedSeries } from '../model/lightgbm/series-memory';
import type { TrainingPool } from '../model/lightgbm/lightgbm-pool';
import type { DataRef } from '../contracts/training';
import { barsDigest } from './series-digest';

/** A contiguous bar series: bars[i] opens at first + i minutes. */
export interface BarList {
  readonly bars: readonly Bar[];
  /** Index of a bar by open time (-1 outside the series). */
  indexOf(openTime: number): number;
}

/** The same series in shared memory with its features, for the training threads. */
export interface FeatureSeries extends BarList {
  readonly shared: SharedSeries;
}

/** A data problem no retry can fix (missing bars, changed file): activities raise it as non-retryable. */
export class DataError extends Error {
  override name = 'DataError';
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function iso(timeMs: number): string {
  return new Date(timeMs).toISOString();
}

/** The stored series a database reference reads. */
export function dbSeries(ref: Extract<DataRef, { kind: 'db' }>): SeriesKey {
  return { market: ref.market ?? LIVE_MARKET, symbol: ref.symbol };
}

export function refKey(ref: DataRef): string {
  return JSON.stringify(ref);
}

async function loadRefBars(ref: DataRef, db: Executor): Promise<Bar[]> {
  if (ref.kind === 'db') return loadBars(db, dbSeries(ref), ref.from, ref.to);
  let raw: Buffer;
  try {
    raw = await readFile(ref.path);
  } catch (err) {
    throw new DataError(`Cannot read data file ${ref.path}: ${(err as Error).message}`);
  }
  if (sha256(raw) !== ref.sha256) throw new DataError(`Data file ${ref.path} changed since the run started (SHA-256 differs)`);
  const parsed = parseBarCsv(gunzipIfNeeded(raw).toString('utf8'), { source: ref.path });
  return parsed.bars.filter((b) => b.openTime >= ref.from && b.openTime < ref.to);
}

/** The bars of a reference, checked: exactly the minutes [from, to), no gap. */
async function loadCheckedBars(ref: DataRef, db: Executor): Promise<BarList> {
  const bars = await loadRefBars(ref, db);
  const where = ref.kind === 'file' ? ref.path : `bars table (${describeSeries(dbSeries(ref))})`;
  const expected = (ref.to - ref.from) / 60_000;
  if (bars.length === 0) throw new DataError(`No bars in ${where} between ${iso(ref.from)} and ${iso(ref.to)}`);
  const gaps = findGaps(bars);
  if (gaps.length > 0) {
    const g = gaps[0]!;
    throw new DataError(
      `${where} has ${gaps.length} gap(s) between ${iso(ref.from)} and ${iso(ref.to)}; the first: ${g.count} bar(s) missing from ${iso(g.from)}`,
    );
  }
  if (bars[0]!.openTime !== ref.from || bars.length !== expected) {
    throw new DataError(
      `${where} covers ${iso(bars[0]!.openTime)} .. ${iso(bars[bars.length - 1]!.openTime + 60_000)}, but ${iso(ref.from)} .. ${iso(ref.to)} is needed (${expected} bars, found ${bars.length})`,
    );
  }
  if (ref.kind === 'db' && ref.sha256 !== undefined && barsDigest(bars) !== ref.sha256) {
    throw new DataError(`${where}: the bars of ${iso(ref.from)} .. ${iso(ref.to)} changed since the run started (SHA-256 of the rows differs)`);
  }
  const first = ref.from;
  const n = bars.length;
  return {
    bars,
    indexOf: (openTime) => {
      const i = (openTime - first) / 60_000;
      return Number.isInteger(i) && i >= 0 && i < n ? i : -1;
    },
  };
}

/** A bounded promise cache: concurrent callers share one load; a failed load is forgotten. */
class SeriesCache<T> {
  readonly #entries = new Map<string, { value: Promise<T>; bytes: number }>();
  constructor(private readonly budgetBytes: () => number) {}

  get(key: string, bytes: number, load: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.value;
    }
    const value = load();
    value.catch(() => this.#entries.delete(key));
    this.#entries.set(key, { value, bytes });
    let total = 0;
    for (const e of this.#entries.values()) total += e.bytes;
    for (const [k, e] of this.#entries) {
      if (total <= this.budgetBytes() || k === key) break;
      this.#entries.delete(k);
      total -= e.bytes;
    }
    return value;
  }
}

const budget = (): number => Number(process.env.BAR_CACHE_MB ?? 2048) * 1024 * 1024;
/** Estimated resident bytes per bar: a Bar object, and in shared memory 6 columns, the features and a hash. */
const BAR_OBJECT_BYTES = 120;
const SHARED_BAR_BYTES = (6 + N_FEATURES) * 8 + 32;
const barLists = new SeriesCache<BarList>(budget);
const featureSeries = new SeriesCache<FeatureSeries>(budget);

function minutesOf(ref: DataRef): number {
  return Math.max(0, (ref.to - ref.from) / 60_000);
}

/** Bars of a reference (the simulation and the checks need no features). */
export function barList(ref: DataRef, db: Executor): Promise<BarList> {
  return barLists.get(refKey(ref), minutesOf(ref) * BAR_OBJECT_BYTES, () => loadCheckedBars(ref, db));
}

/** Bars and features of a reference in shared memory; the features are computed on a pool thread. */
export function featureSeriesOf(ref: DataRef, db: Executor, pool: TrainingPool): Promise<FeatureSeries> {
  return featureSeries.get(refKey(ref), minutesOf(ref) * (BAR_OBJECT_BYTES + SHARED_BAR_BYTES), async () => {
    const list = await loadCheckedBars(ref, db);
    const n = list.bars.length;
    const columns = {
      openTime: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n),
    };
    list.bars.forEach((b, i) => {
      columns.openTime[i] = b.openTime;
      columns.open[i] = b.open;
      columns.high[i] = b.high;
      columns.low[i] = b.low;
      columns.close[i] = b.close;
      columns.volume[i] = b.volume;
    });
    const shared = await pool.buildSeries(refKey(ref), columns);
    return { ...list, shared };
  });
}

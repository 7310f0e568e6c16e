/**
 * A bar series in shared memory (SharedArrayBuffer): the training threads read its columns and feature matrix
 * without a copy, however many trainings use it. Pure helpers; model/lightgbm/lightgbm-pool.ts builds series on a thread.
 */
import { createHash } from 'node:crypto';
import type { Bar } from '../../domain/bars';
import { computeFeatureMatrix, N_FEATURES } from '../features';

export interface SeriesColumns {
  readonly openTime: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export interface SharedSeries extends SeriesColumns {
  /** Identifies the data (the data reference): threads cache their Bar objects under it. */
  readonly key: string;
  readonly n: number;
  /** n x N_FEATURES, row-major, as computeFeatureMatrix. */
  readonly features: Float64Array;
  /**
   * n x 32 bytes of chained SHA-256: entry i = sha256(entry i-1 || bar i as 6 float64 LE), entry -1 = zeros. Entry
   * i pins the content of bars 0..i, so a model's version can name exactly the rows it learned from.
   */
  readonly prefixHash: Uint8Array;
}

export const HASH_BYTES = 32;
const COLUMNS = ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const;

export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

/** Copies columns into shared memory. */
export function shareColumns(columns: SeriesColumns): SeriesColumns {
  const out = {} as Record<(typeof COLUMNS)[number], Float64Array>;
  for (const c of COLUMNS) {
    const shared = sharedFloat64(columns[c].length);
    shared.set(columns[c]);
    out[c] = shared;
  }
  return out;
}

export function barsOf(s: SeriesColumns): Bar[] {
  const bars: Bar[] = new Array<Bar>(s.openTime.length);
  for (let i = 0; i < bars.length; i++)
    bars[i] = { openTime: s.openTime[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! };
  return bars;
}

/** Features and prefix hashes of shared columns (CPU-heavy: run on a pool thread for long series). */
export function buildSharedSeries(key: string, columns: SeriesColumns, bars: readonly Bar[] = barsOf(columns)): SharedSeries {
  const n = columns.openTime.length;
  const features = sharedFloat64(n * N_FEATURES);
  features.set(computeFeatureMatrix(bars));
  const prefixHash = new Uint8Array(new SharedArrayBuffer(n * HASH_BYTES));
  const row = new Float64Array(6);
  const rowBytes = new Uint8Array(row.buffer);
  let previous: Uint8Array = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < COLUMNS.length; c++) row[c] = columns[COLUMNS[c]!][i]!;
    const digest = createHash('sha256').update(previous).update(rowBytes).digest();
    prefixHash.set(digest, i * HASH_BYTES);
    previous = digest;
  }
  return { key, n, ...columns, features, prefixHash };
}

/** The hash of bars [0, end): what a model trained on rows before bar `end` has seen. */
export function rowsHash(series: Pick<SharedSeries, 'prefixHash' | 'n'>, end: number): string {
  if (!Number.isInteger(end) || end < 1 || end > series.n) throw new RangeError(`rowsHash: end ${end} outside 1..${series.n}`);
  return Buffer.from(series.prefixHash.buffer, series.prefixHash.byteOffset + (end - 1) * HASH_BYTES, HASH_BYTES).toString('hex');
}

/**
 * Resolves a DataRef to its bars and feature matrix, cached per worker process: a backtest's 25 trainings and
 * segments share one load and one feature computation instead of repeating them.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Bar } from '../domain/bars';
import { findGaps } from '../domain/bars';
import { parseBarCsv } from '../domain/bar-csv';
import { computeFeatureMatrix } from '../domain/features';
import type { Executor } from '../db/client';
import { loadBars } from '../db/repositories/bars';
import { gunzipIfNeeded } from '../market-data/read-bar-file';
import type { DataRef } from '../workflows/backtest-types';

export interface BarSeries {
  readonly bars: readonly Bar[];
  readonly features: Float64Array;
  /** Index of a bar by open time (the series is contiguous). */
  indexOf(openTime: number): number;
}

/** A data problem no retry can fix (missing bars, changed file): activities raise it as non-retryable. */
export class DataError extends Error {
  override name = 'DataError';
}

const MAX_CACHED = 4;
const cache = new Map<string, Promise<BarSeries>>();

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function loadRefBars(ref: DataRef, db: Executor): Promise<Bar[]> {
  if (ref.kind === 'db') return loadBars(db, ref.symbol, ref.from, ref.to);
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

async function buildSeries(ref: DataRef, db: Executor): Promise<BarSeries> {
  const bars = await loadRefBars(ref, db);
  const where = ref.kind === 'file' ? ref.path : `bars table (${ref.symbol})`;
  const expected = (ref.to - ref.from) / 60_000;
  if (bars.length === 0) throw new DataError(`No bars in ${where} between ${iso(ref.from)} and ${iso(ref.to)}`);
  const gaps = findGaps(bars);
  if (gaps.length > 0) {
    const g = gaps[0]!;
    throw new DataError(`${where} has ${gaps.length} gap(s) between ${iso(ref.from)} and ${iso(ref.to)}; the first: ${g.count} bar(s) missing from ${iso(g.from)}`);
  }
  if (bars[0]!.openTime !== ref.from || bars.length !== expected) {
    throw new DataError(
      `${where} covers ${iso(bars[0]!.openTime)} .. ${iso(bars[bars.length - 1]!.openTime + 60_000)}, but ${iso(ref.from)} .. ${iso(ref.to)} is needed (${expected} bars, found ${bars.length})`,
    );
  }
  const features = computeFeatureMatrix(bars);
  const first = bars[0]!.openTime;
  return { bars, features, indexOf: (openTime) => (openTime - first) / 60_000 };
}

/** Bars + features of a reference; concurrent callers share one load. */
export function barSeries(ref: DataRef, db: Executor): Promise<BarSeries> {
  const key = JSON.stringify(ref);
  let entry = cache.get(key);
  if (!entry) {
    entry = buildSeries(ref, db);
    entry.catch(() => cache.delete(key));
    cache.set(key, entry);
    while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  }
  return entry;
}

export function iso(timeMs: number): string {
  return new Date(timeMs).toISOString();
}

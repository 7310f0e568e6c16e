/**
 * The files a backtest reads, written from what the download stored: the bars in the project's CSV format
 * (`open_time,open,high,low,close,volume`, domain/bar-csv.ts; gzip when the name ends in .gz) and the funding series
 * beside it (`funding_time,funding_rate[,mark_price]`, domain/funding-csv.ts). Each file is written to a temporary
 * name and renamed: an interrupted download never leaves a half-written file.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Bar } from '../../domain/bars';
import { FUNDING_CSV_HEADERS } from '../../domain/funding-csv';
import type { FundingRate } from '../../domain/trading/funding';

const ROWS_PER_CHUNK = 8192;

/** `data/btc.csv.gz` -> `data/btc.funding.csv`: the funding file beside a bar file. */
export function fundingFileFor(barFile: string): string {
  return `${barFile.replace(/(\.csv)?(\.gz)?$/i, '')}.funding.csv`;
}

/** Shortest round-trip decimal, never an exponent (1e-7 -> 0.0000001). */
function decimal(x: number): string {
  const s = String(x);
  return /e/i.test(s) ? x.toFixed(20).replace(/0+$/, '').replace(/\.$/, '') : s;
}

function* csvChunks<T>(header: string, rows: readonly T[], line: (row: T) => string): Generator<string> {
  yield `${header}\n`;
  for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK) {
    yield rows
      .slice(i, i + ROWS_PER_CHUNK)
      .map((r) => `${line(r)}\n`)
      .join('');
  }
}

async function writeAtomic(path: string, chunks: Iterable<string>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const source = Readable.from(chunks);
    if (path.endsWith('.gz')) await pipeline(source, createGzip({ level: 6 }), createWriteStream(temp));
    else await pipeline(source, createWriteStream(temp));
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw new Error(`Cannot write ${path}: ${(err as Error).message}`);
  }
}

export function writeBarFile(path: string, bars: readonly Bar[]): Promise<void> {
  const line = (b: Bar) => `${b.openTime},${decimal(b.open)},${decimal(b.high)},${decimal(b.low)},${decimal(b.close)},${decimal(b.volume)}`;
  return writeAtomic(path, csvChunks('open_time,open,high,low,close,volume', bars, line));
}

/** With a mark_price column when any record has one (empty where a record has none). */
export function writeFundingFile(path: string, rates: readonly FundingRate[]): Promise<void> {
  const withMark = rates.some((f) => f.markPrice != null);
  const line = (f: FundingRate) => `${f.time},${decimal(f.rate)}${withMark ? `,${f.markPrice == null ? '' : decimal(f.markPrice)}` : ''}`;
  return writeAtomic(path, csvChunks(FUNDING_CSV_HEADERS[withMark ? 1 : 0], rates, line));
}

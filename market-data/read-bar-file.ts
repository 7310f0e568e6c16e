/**
 * Reads a bar file from disk (plain or gzip CSV) and parses it with domain/bar-csv.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseBarCsv, type ParsedBarCsv } from '../domain/bar-csv';

/** The dataset shipped with the project (data/README.md). */
export const DEFAULT_BAR_FILE = path.resolve(__dirname, '..', 'data', 'btcusdt-1m-binanceus-2023-03-01_21.csv.gz');

// gzip streams start with these two bytes, whatever the file is called.
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** The file's bytes, decompressed when they are a gzip stream. */
export function gunzipIfNeeded(bytes: Buffer): Buffer {
  const isGzip = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
  return isGzip ? gunzipSync(bytes) : bytes;
}

export async function readBarFile(file: string): Promise<ParsedBarCsv> {
  const bytes = await readFile(file);
  return parseBarCsv(gunzipIfNeeded(bytes).toString('utf8'), { source: path.basename(file) });
}

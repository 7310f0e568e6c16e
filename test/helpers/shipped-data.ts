/** Loads the shipped default dataset (30,240 real 1-minute BTC/USDT bars) for tests. */
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bar } from '../../domain/bars';

export const SHIPPED_DATA_PATH = join(__dirname, '..', '..', 'data', 'btcusdt-1m-binanceus-2023-03-01_21.csv.gz');
const HEADER = 'open_time,open,high,low,close,volume';

let cached: Bar[] | undefined;

/** The shipped bars, parsed once per test file (callers must not mutate them). */
export function loadShippedBars(): Bar[] {
  if (cached) return cached;
  const lines = gunzipSync(readFileSync(SHIPPED_DATA_PATH)).toString('utf8').trim().split('\n');
  if (lines[0]?.trim() !== HEADER) throw new Error(`${SHIPPED_DATA_PATH}: unexpected header ${JSON.stringify(lines[0])}`);
  cached = lines.slice(1).map((line, i) => {
    const cells = line.split(',').map(Number);
    if (cells.length !== 6 || cells.some((x) => !Number.isFinite(x))) {
      throw new Error(`${SHIPPED_DATA_PATH}: line ${i + 2} is not six numbers: ${JSON.stringify(line)}`);
    }
    const [openTime, open, high, low, close, volume] = cells as [number, number, number, number, number, number];
    return { openTime, open, high, low, close, volume };
  });
  return cached;
}

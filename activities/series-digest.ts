/**
 * SHA-256 of a stored series' values, the database's counterpart of a data file's SHA-256: a backtest on the `bars`
 * and `funding_rates` tables pins its rows by it when it starts, and every activity that reads them again checks it,
 * so rows replaced meanwhile (`npm run download -- --replace`) fail the run instead of mixing two series in it.
 * Computed over the float64 values in a fixed column order, so every process gets the same digest for the same rows.
 */
import { createHash } from 'node:crypto';
import type { Bar } from '../domain/bars';
import type { FundingRate } from '../domain/trading';

function sha256(values: Float64Array): string {
  return createHash('sha256')
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex');
}

/** Digest of bars: open time, OHLC and volume of each bar, in series order. */
export function barsDigest(bars: readonly Bar[]): string {
  const values = new Float64Array(bars.length * 6);
  bars.forEach((b, i) => values.set([b.openTime, b.open, b.high, b.low, b.close, b.volume], i * 6));
  return sha256(values);
}

/** Digest of funding rates: time as stored, rate, mark price (NaN when unknown), in series order. */
export function fundingDigest(rates: readonly FundingRate[]): string {
  const values = new Float64Array(rates.length * 3);
  rates.forEach((f, i) => values.set([f.time, f.rate, f.markPrice ?? Number.NaN], i * 3));
  return sha256(values);
}

/**
 * ccxt's OHLCV rows ([timestamp, open, high, low, close, volume], numbers or undefined) checked into domain Bars
 * at the boundary, with the same invariants the bars table enforces, so a malformed kline fails here with its
 * content rather than as a constraint violation deep in an INSERT.
 */
import { z } from 'zod';
import { BAR_MS, type Bar } from '../domain/bars';

const finite = z.number().finite();

const candleSchema = z
  .tuple([z.number().int(), finite, finite, finite, finite, finite.nonnegative()])
  .refine(([t]) => t % BAR_MS === 0, { message: 'open time is not on a minute boundary' })
  .refine(([, o, h, l, c]) => h >= Math.max(o, c) && l <= Math.min(o, c), { message: 'high/low do not contain open and close' });

/** One ccxt candle as a Bar; throws naming the candle when it is not a valid closed-kline shape. */
export function candleToBar(candle: readonly unknown[], source: string): Bar {
  const parsed = candleSchema.safeParse(candle.slice(0, 6));
  if (!parsed.success) {
    throw new Error(`Malformed kline from ${source}: ${JSON.stringify(candle)} (${parsed.error.issues.map((i) => i.message).join('; ')})`);
  }
  const [openTime, open, high, low, close, volume] = parsed.data;
  return { openTime, open, high, low, close, volume };
}

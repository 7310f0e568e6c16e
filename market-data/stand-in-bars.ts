/**
 * Stand-in symbols: only BTCUSDT's real bars ship with the project, so every other symbol of a multi-symbol run
 * (the portfolio backtest, the multi-symbol local exchange, the scale benchmark) trades a STAND-IN series derived
 * from them: the real 1-minute returns, rotated in time by a per-symbol shift (so symbols move differently at the
 * same minute) and scaled to a per-symbol price level. They are real market dynamics, but not that symbol's
 * prices: every place that shows one labels it (`standInLabel`), and stored stand-in bars live under their own
 * market id (`STAND_IN_MARKET`), never under the live market's.
 *
 * Deterministic: the shift and the price level depend on the symbol's name only, so ETHUSDT is the same stand-in
 * in every run and every list.
 */
import { BAR_MS, type Bar } from '../domain/bars';

/** The market id stand-in series are stored under (bars table, data references). */
export const STAND_IN_MARKET = 'stand-in';

/** The symbol whose real bars the stand-ins are derived from. */
export const REAL_SYMBOL = 'BTCUSDT';

export interface StandInSpec {
  readonly symbol: string;
  /** Minutes the real returns are rotated by (0 for the real symbol). */
  readonly shiftMinutes: number;
  /** Price level relative to the real series (1 for the real symbol). */
  readonly priceScale: number;
}

/** FNV-1a of the name: a stable, well-spread number per symbol. */
function nameHash(symbol: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) {
    h ^= symbol.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The stand-in of `symbol` over a real series of `length` bars (the real symbol is its own, unshifted). */
export function standInSpec(symbol: string, length: number): StandInSpec {
  if (symbol === REAL_SYMBOL) return { symbol, shiftMinutes: 0, priceScale: 1 };
  const h = nameHash(symbol);
  // At least a day away from the real timeline at both ends, on whole hours.
  const hours = Math.floor(length / 60);
  const span = Math.max(1, hours - 48);
  const shiftMinutes = Math.min(length - 1, (24 + (h % span)) * 60);
  // Price levels 1, 1/10, 1/100, 1/1000 of the real one, so quantities and tick sizes differ per symbol.
  const priceScale = 10 ** -((h >>> 8) % 4);
  return { symbol, shiftMinutes, priceScale };
}

/** True when `symbol`'s bars are a stand-in, not its own. */
export const isStandIn = (symbol: string): boolean => symbol !== REAL_SYMBOL;

/** How a symbol's data is described wherever it is shown. */
export function standInLabel(symbol: string, length?: number): string {
  if (!isStandIn(symbol)) return `${symbol}: real Binance.US spot bars (shipped data)`;
  const spec = length === undefined ? null : standInSpec(symbol, length);
  const how = spec === null ? '' : ` rotated by ${(spec.shiftMinutes / 60).toFixed(0)} h, price x${spec.priceScale}`;
  return `${symbol}: STAND-IN (${REAL_SYMBOL}'s real returns${how}; not ${symbol} prices)`;
}

const scaled = (b: Bar, at: number, k: number): Bar => ({
  openTime: at,
  open: b.open * k,
  high: b.high * k,
  low: b.low * k,
  close: b.close * k,
  volume: b.volume,
});

/**
 * The stand-in bars of `symbol` on the real series' own timeline: bar i carries real bar (i + shift) mod n, each
 * bar's prices multiplied so that the series stays continuous across the rotation's seam (bar 0 opens at the real
 * first open times the price scale). The real bars must be contiguous and ascending.
 */
export function standInBars(real: readonly Bar[], symbol: string): Bar[] {
  const n = real.length;
  if (n === 0) return [];
  for (let i = 1; i < n; i++)
    if (real[i]!.openTime - real[i - 1]!.openTime !== BAR_MS)
      throw new Error(`standInBars: the real series has a gap or disorder at ${new Date(real[i]!.openTime).toISOString()}`);
  const { shiftMinutes, priceScale } = standInSpec(symbol, n);
  if (shiftMinutes === 0) return real.map((b) => ({ ...b }));
  const t0 = real[0]!.openTime;
  const out: Bar[] = new Array<Bar>(n);
  // Level so that the first stand-in bar opens at the real first open x scale; across the seam (real n-1 -> 0)
  // the level moves so that the next open continues from the previous close.
  const first = real[shiftMinutes]!;
  let k = (real[0]!.open * priceScale) / first.open;
  for (let i = 0; i < n; i++) {
    const j = (i + shiftMinutes) % n;
    if (j === 0) k = out[i - 1]!.close / real[0]!.open;
    out[i] = scaled(real[j]!, t0 + i * BAR_MS, k);
  }
  return out;
}

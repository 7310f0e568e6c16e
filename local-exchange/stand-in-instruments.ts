/**
 * Instrument specs for the symbols the local exchange lists besides BTCUSDT. Their bars are stand-ins
 * (market-data/stand-in-bars.ts: BTCUSDT's returns at a price level of 1, 1/10, 1/100 or 1/1000 of it), so their
 * filters are BTCUSDT's scaled to that level: the tick shrinks with the price (0.10 x scale) and the quantity step
 * grows (0.001 / scale), so an order of the same USDT notional needs a different quantity on each symbol, while
 * the minimum notional (in USDT) and the leverage tiers stay BTCUSDT's.
 */
import { fixed } from './decimal-format';
import { BTCUSDT_PERPETUAL, decimalsOf, type InstrumentSpec } from './exchange-info';
import { REAL_SYMBOL, standInSpec } from '../market-data/stand-in-bars';

const SCALES = [1, 0.1, 0.01, 0.001] as const;

/** BTCUSDT's filters at `priceScale` (one of 1, 0.1, 0.01, 0.001) for `symbol` (e.g. ETHUSDT). */
export function standInInstrument(symbol: string, priceScale: number): InstrumentSpec {
  const level = SCALES.findIndex((s) => Math.abs(s - priceScale) < 1e-12);
  if (level < 0) throw new Error(`stand-in price scale must be one of ${SCALES.join(', ')}, got ${priceScale}`);
  if (!/^[A-Z0-9]{2,20}USDT$/.test(symbol)) throw new Error(`a stand-in symbol is a USDT perpetual like ETHUSDT, got "${symbol}"`);
  const btc = BTCUSDT_PERPETUAL;
  // Same number of significant digits as BTCUSDT's, one more decimal per tenfold lower price.
  const priceDecimals = decimalsOf(btc.tickSize) + level;
  const qtyDecimals = Math.max(0, decimalsOf(btc.stepSize) - level);
  const qtyFactor = 10 ** level;
  const qty = (value: string) => fixed(Number(value) * qtyFactor, qtyDecimals);
  return {
    symbol,
    baseAsset: symbol.slice(0, -'USDT'.length),
    quoteAsset: 'USDT',
    tickSize: fixed(Number(btc.tickSize) * priceScale, priceDecimals),
    stepSize: qty(btc.stepSize),
    minQty: qty(btc.minQty),
    maxQty: fixed(Number(btc.maxQty) * qtyFactor, 0),
    marketMaxQty: fixed(Number(btc.marketMaxQty) * qtyFactor, 0),
    minNotional: btc.minNotional,
    maxAlgoOrders: btc.maxAlgoOrders,
    minPrice: fixed(556.8 * priceScale, priceDecimals),
    maxPrice: fixed(4_529_764 * priceScale, priceDecimals),
  };
}

/** The spec the exchange lists for `symbol` when none is given: BTCUSDT's own, or its stand-in's. */
export function defaultInstrument(symbol: string): InstrumentSpec {
  if (symbol === REAL_SYMBOL) return BTCUSDT_PERPETUAL;
  // The price scale depends on the name only (the series length only moves the rotation).
  return standInInstrument(symbol, standInSpec(symbol, 1).priceScale);
}

// The instrument's trading filters (quantity step, minimums, price tick) and rounding to them: loaded once
// from ccxt's markets, then applied before sending, where a refusal costs no request.
import type { Exchange, MarketInterface } from 'ccxt';
import { OrderRejectedError } from './exchange-errors';
import { marketSchema, parseExchangeData, type ParsedMarket } from './exchange-replies';
import type { ExchangeFilters } from './execution-types';

/** The USD-M perpetual `symbol` (the exchange's id, e.g. 'BTCUSDT', or ccxt's 'BTC/USDT:USDT') among the exchange's markets. */
export async function loadPerpetualMarket(exchange: Exchange, symbol: string): Promise<ParsedMarket> {
  await exchange.loadMarkets();
  const markets = Object.values(exchange.markets ?? {}).filter((m): m is MarketInterface => m !== undefined);
  const found = markets.find((m) => (m.id === symbol || m.symbol === symbol) && m.swap === true && m.linear === true);
  if (found === undefined) {
    const perpetuals = markets.filter((m) => m.swap === true && m.linear === true).map((m) => m.id);
    throw new Error(
      `Symbol ${symbol} is not a USD-M perpetual on ${exchange.id} (${perpetuals.length} loaded: ${perpetuals.slice(0, 5).join(', ')}${perpetuals.length > 5 ? ', ...' : ''})`,
    );
  }
  // ccxt's binance classes express precision as tick sizes (TICK_SIZE = 4), not decimal places.
  if (exchange.precisionMode !== 4) throw new Error(`${exchange.id}: expected ccxt's TICK_SIZE precision mode, got ${exchange.precisionMode}`);
  return parseExchangeData(marketSchema, found, `market ${symbol} (precision.amount/price, limits.amount.min, limits.cost.min)`);
}

export function filtersOf(market: ParsedMarket): ExchangeFilters {
  return {
    qtyStep: market.precision.amount,
    minQty: market.limits.amount.min,
    minNotional: market.limits.cost.min,
    tickSize: market.precision.price,
  };
}

/** Number of decimals of a step such as 0.001 (also in exponent notation, 1e-8). */
export function decimalsOf(step: number): number {
  const text = step.toString();
  const exp = /e-(\d+)$/.exec(text);
  if (exp?.[1] !== undefined) return Number(exp[1]) + (text.split('e')[0]?.split('.')[1]?.length ?? 0);
  return text.split('.')[1]?.length ?? 0;
}

// Tolerance for float artefacts when counting steps (0.7 / 0.001 = 699.9999999999999).
const STEP_EPSILON = 1e-9;

/** `qty` floored to `qtyStep`, counted in whole steps (0.7 / 0.001 is 699.99.. in floats, yet 0.7 stays 0.7). */
export function floorToStep(qty: number, qtyStep: number): number {
  if (!(qty >= 0) || !Number.isFinite(qty)) throw new OrderRejectedError(`Order quantity must be a finite number >= 0, got ${qty}`);
  const steps = Math.floor(qty / qtyStep + STEP_EPSILON);
  return Number((steps * qtyStep).toFixed(decimalsOf(qtyStep)));
}

/** `price` rounded to the nearest multiple of `tickSize`. */
export function roundToTick(price: number, tickSize: number): number {
  if (!(price > 0) || !Number.isFinite(price)) throw new OrderRejectedError(`Price must be a finite number > 0, got ${price}`);
  return Number((Math.round(price / tickSize) * tickSize).toFixed(decimalsOf(tickSize)));
}

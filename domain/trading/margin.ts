/**
 * Isolated margin in one-way mode (docs/strategy.md "Leverage and liquidation"): the margin set aside at an entry,
 * the liquidation price from the symbol's leverage bracket for the position's notional (Binance's formula), the
 * bankruptcy price a liquidation closes at, and the refusal of a stop-loss that lies at or beyond it.
 */
import type { TradingParams } from './params';
import { protectiveLevels } from './pricing';
import type { Position, Side } from './state';

/** One notional tier of a symbol, as Binance's GET /fapi/v1/leverageBracket lists it. */
export interface LeverageBracket {
  readonly bracket: number;
  /** Highest leverage allowed in this tier. */
  readonly initialLeverage: number;
  /** The tier holds notionals in [notionalFloor, notionalCap). */
  readonly notionalFloor: number;
  readonly notionalCap: number;
  /** Maintenance margin rate `mmr`. */
  readonly maintMarginRatio: number;
  /** Maintenance amount `cum`: makes the maintenance margin continuous across tiers. */
  readonly cum: number;
}

/** The tier of a position of this notional (the last tier above its cap, as the exchange does). */
export function bracketFor(notional: number, brackets: readonly LeverageBracket[]): LeverageBracket {
  const found = brackets.find((b) => notional >= b.notionalFloor && notional < b.notionalCap);
  if (found !== undefined) return found;
  const last = brackets[brackets.length - 1];
  if (last === undefined) throw new Error('bracketFor: no leverage brackets');
  return last;
}

export interface MarginTerms {
  /** M = notional / leverage, fixed for the position's life (fees and funding move cash, not M). */
  readonly margin: number;
  /** null without brackets (nothing modelled) or when the formula gives no price above 0 (a LONG at leverage 1). */
  readonly liquidationPrice: number | null;
}

/**
 * Margin and liquidation price of a position entered at `entryPrice`. LONG `LP = (qty x entry - M - cum) /
 * (qty x (1 - mmr))`, SHORT `LP = (qty x entry + M + cum) / (qty x (1 + mmr))`: where margin plus unrealised PnL
 * equals the maintenance margin `qty x LP x mmr - cum`.
 */
export function marginTerms(side: Side, qty: number, entryPrice: number, params: TradingParams): MarginTerms {
  const notional = qty * entryPrice;
  const margin = notional / params.leverage;
  const brackets = params.leverageBrackets;
  if (brackets === undefined || brackets.length === 0) return { margin, liquidationPrice: null };
  const { maintMarginRatio: mmr, cum } = bracketFor(notional, brackets);
  const lp = side === 'LONG' ? (notional - margin - cum) / (qty * (1 - mmr)) : (notional + margin + cum) / (qty * (1 + mmr));
  return { margin, liquidationPrice: Number.isFinite(lp) && lp > 0 ? lp : null };
}

/** The price at which the price loss equals the margin: LONG `entry - M / qty`, SHORT `entry + M / qty`. */
export function bankruptcyPrice(position: Pick<Position, 'side' | 'qty' | 'entryPrice'> & { readonly margin: number }): number {
  const perUnit = position.margin / position.qty;
  return position.side === 'LONG' ? position.entryPrice - perUnit : position.entryPrice + perUnit;
}

/** True when `price` lies at or beyond the position's liquidation price (never for a position without one). */
export function liquidatesAt(position: Pick<Position, 'side' | 'liquidationPrice'>, price: number): boolean {
  const lp = position.liquidationPrice;
  if (lp === undefined || lp === null) return false;
  return position.side === 'LONG' ? price <= lp : price >= lp;
}

/** True when the stop-loss of this entry would lie at or beyond its liquidation price (the entry is refused). */
export function stopBeyondLiquidation(side: Side, qty: number, entryPrice: number, params: TradingParams): boolean {
  const { liquidationPrice } = marginTerms(side, qty, entryPrice, params);
  if (liquidationPrice === null) return false;
  const { stop } = protectiveLevels({ side, entryPrice }, params);
  return liquidatesAt({ side, liquidationPrice }, stop);
}

const pct = (x: number): string => `${Number((x * 100).toFixed(4))} %`;

/**
 * Why this configuration may not start (null when it may): leverage above 1 without the symbol's brackets, or a
 * stop-loss at or beyond the liquidation price of the first entry (notional = starting capital x position
 * fraction x leverage). Later entries, whose notional (and so bracket) follows the equity, are checked one by one.
 */
export function liquidationConfigProblem(params: TradingParams): string | null {
  const brackets = params.leverageBrackets;
  if (brackets === undefined || brackets.length === 0) {
    return params.leverage > 1 ? `execution.leverage ${params.leverage} needs the symbol's leverage brackets to model liquidation, and none were given` : null;
  }
  const notional = params.startingCapital * params.positionFraction * params.leverage;
  // The refusal does not depend on the price: at entry 1 the quantity is the notional.
  for (const side of ['LONG', 'SHORT'] as const) {
    if (!stopBeyondLiquidation(side, notional, 1, params)) continue;
    const { liquidationPrice } = marginTerms(side, notional, 1, params);
    const { maintMarginRatio, cum } = bracketFor(notional, brackets);
    return (
      `trading.stop_loss_pct ${pct(params.stopLossFraction)} lies at or beyond the liquidation price at execution.leverage ${params.leverage}: ` +
      `a ${side} of notional ${notional} USDT (bracket mmr ${pct(maintMarginRatio)}, cum ${cum}) liquidates ${pct(Math.abs(1 - liquidationPrice!))} ` +
      `${side === 'LONG' ? 'below' : 'above'} its entry. Lower the leverage or tighten the stop-loss`
    );
  }
  return null;
}

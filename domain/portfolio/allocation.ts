/** Capital allocation and the daily rebalancing at the UTC day start (docs/portfolio.md). */
import type { BookView, PortfolioRules } from './rules';

export const portfolioEquity = (books: readonly BookView[]): number => books.reduce((sum, b) => sum + b.equity, 0);

/** Each symbol's share of `total` by its weight. */
export function allocate(rules: PortfolioRules, symbols: readonly string[], total: number): Record<string, number> {
  const sum = symbols.reduce((s, sym) => s + rules.weights[sym]!, 0);
  return Object.fromEntries(symbols.map((sym) => [sym, (total * rules.weights[sym]!) / sum]));
}

/**
 * The cash each bot's book receives (negative: gives) so that its equity equals its allocation. Positions are kept;
 * the transfers sum to zero (the last symbol takes the rounding remainder), so the portfolio equity is unchanged.
 */
export function rebalanceTransfers(rules: PortfolioRules, books: readonly BookView[]): Record<string, number> {
  const target = allocate(
    rules,
    books.map((b) => b.symbol),
    portfolioEquity(books),
  );
  const out: Record<string, number> = {};
  let moved = 0;
  books.forEach((b, i) => {
    const amount = i === books.length - 1 ? 0 - moved : target[b.symbol]! - b.equity;
    out[b.symbol] = amount;
    moved += amount;
  });
  return out;
}

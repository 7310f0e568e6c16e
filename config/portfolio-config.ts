/**
 * The `portfolio:` section of config.yaml (docs/portfolio.md) and the traded symbols (`data.symbol` or
 * `data.symbols`). Every default keeps a one-symbol deployment exactly as before: its single bot gets the whole
 * capital and the caps never bind tighter than the bot's own rules.
 */
import { z } from 'zod';
import { assertPortfolioRules, equalWeights, type PortfolioRules } from '../domain/portfolio/rules';

/** A symbol as Binance USD-M spells it (e.g. BTCUSDT). */
export const symbolSchema = z.string().regex(/^[A-Z0-9]{2,20}$/, 'must be a Binance symbol such as BTCUSDT');

export const portfolioSchema = z
  .object({
    /** Symbol -> weight > 0; symbols left out get weight 1 (empty: equal weights). */
    weights: z.record(symbolSchema, z.number().positive()).default({}),
    /** Open positions at most; null: the number of symbols. */
    max_positions: z.number().int().min(1).nullable().default(null),
    /** Open notional over the portfolio equity, at most; null: no cap beyond the bots' own sizing. */
    max_gross_exposure: z.number().positive().nullable().default(null),
    /** Portfolio kill switch: fall of the summed equity from its UTC day opening, in percent. */
    max_daily_drawdown_pct: z.number().gt(0).lt(100).default(3),
  })
  .strict()
  .default({ weights: {}, max_positions: null, max_gross_exposure: null, max_daily_drawdown_pct: 3 });

export type PortfolioConfig = z.infer<typeof portfolioSchema>;

/** The rules of the portfolio of `symbols`; throws naming the key when the config does not fit the symbols. */
export function portfolioRulesFromConfig(portfolio: PortfolioConfig, symbols: readonly string[]): PortfolioRules {
  const rules: PortfolioRules = {
    weights: { ...equalWeights(symbols), ...portfolio.weights },
    maxPositions: portfolio.max_positions ?? symbols.length,
    maxGrossExposure: portfolio.max_gross_exposure,
    maxDailyDrawdown: portfolio.max_daily_drawdown_pct / 100,
  };
  assertPortfolioRules(rules, symbols);
  return rules;
}

/** Parses `--symbols A,B,C`; a clear error names the bad entry. */
export function parseSymbolList(text: string, option = '--symbols'): string[] {
  const symbols = text
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
  if (symbols.length === 0) throw new Error(`${option}: no symbol given (e.g. ${option} BTCUSDT,ETHUSDT)`);
  for (const s of symbols) {
    const checked = symbolSchema.safeParse(s);
    if (!checked.success) throw new Error(`${option}: '${s}' ${checked.error.issues[0]?.message ?? 'is not a symbol'}`);
  }
  const twice = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (twice !== undefined) throw new Error(`${option}: ${twice} is listed twice`);
  return symbols;
}

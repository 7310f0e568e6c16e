/**
 * The leverage brackets of a symbol (isolated margin: maintenance margin rate and amount per notional tier), shipped
 * as data in config/leverage-brackets/<SYMBOL>.json in the shape of Binance's GET /fapi/v1/leverageBracket, and
 * their use at start: the engine's parameters get them, and a configuration whose stop-loss lies at or beyond the
 * liquidation price is refused before anything runs (docs/strategy.md "Leverage and liquidation").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { liquidationConfigProblem, type LeverageBracket, type TradingParams } from '../domain/trading';
import { ConfigError } from './load-config';
import { projectRoot } from './project-root';

export const LEVERAGE_BRACKETS_DIR = 'config/leverage-brackets';

const finite = z.number().finite();
const bracketSchema = z.object({
  bracket: z.number().int().positive(),
  initialLeverage: finite.positive(),
  notionalCap: finite.positive(),
  notionalFloor: finite.nonnegative(),
  maintMarginRatio: finite.nonnegative().lt(1),
  cum: finite.nonnegative(),
});
const symbolBracketsSchema = z.object({ symbol: z.string().min(1), notionalCoef: finite.optional(), brackets: z.array(bracketSchema).min(1) });
// Binance answers a list (one entry per symbol); a single object is accepted too.
const responseSchema = z.union([z.array(symbolBracketsSchema), symbolBracketsSchema]);

export function leverageBracketsFile(symbol: string): string {
  return join(projectRoot(), LEVERAGE_BRACKETS_DIR, `${symbol}.json`);
}

/** Validates a leverageBracket answer (from a file or the exchange) and returns the tiers of `symbol`, lowest first. */
export function parseLeverageBrackets(raw: unknown, symbol: string, source: string): LeverageBracket[] {
  const parsed = responseSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`Invalid leverage brackets in ${source}: ${problems.join('; ')}`);
  }
  const entries = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const entry = entries.find((e) => e.symbol === symbol);
  if (entry === undefined) throw new ConfigError(`${source} holds no leverage brackets for ${symbol} (it lists ${entries.map((e) => e.symbol).join(', ')})`);
  const tiers = [...entry.brackets].sort((a, b) => a.notionalFloor - b.notionalFloor);
  tiers.forEach((b, i) => {
    const floor = i === 0 ? 0 : tiers[i - 1]!.notionalCap;
    if (b.notionalFloor !== floor || b.notionalCap <= b.notionalFloor) {
      throw new ConfigError(
        `Invalid leverage brackets in ${source}: bracket ${b.bracket} covers ${b.notionalFloor} .. ${b.notionalCap}, expected to start at ${floor}`,
      );
    }
  });
  return tiers;
}

/** The shipped brackets of `symbol`, or null when none are shipped. */
export function loadLeverageBrackets(symbol: string): LeverageBracket[] | null {
  const file = leverageBracketsFile(symbol);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read leverage brackets ${file}: ${(err as Error).message}`);
  }
  return parseLeverageBrackets(raw, symbol, file);
}

/**
 * The engine's parameters with the symbol's brackets (shipped ones unless given, e.g. fetched from the exchange),
 * refused with a ConfigError when the configuration may not start: leverage above 1 without brackets, or a
 * stop-loss at or beyond the liquidation price of the first entry.
 */
export function withLeverageBrackets(
  params: TradingParams,
  symbol: string,
  brackets: readonly LeverageBracket[] | null = loadLeverageBrackets(symbol),
): TradingParams {
  const withBrackets: TradingParams = brackets === null ? params : { ...params, leverageBrackets: brackets };
  const problem = liquidationConfigProblem(withBrackets);
  if (problem !== null) {
    const where = brackets === null ? ` (no ${join(LEVERAGE_BRACKETS_DIR, `${symbol}.json`)} is shipped)` : '';
    throw new ConfigError(`Configuration refused: ${problem}${where}`);
  }
  return withBrackets;
}

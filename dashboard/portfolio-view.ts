/**
 * Everything the Portfolio page and /api/portfolio show of a mode, each source read on its own (a missing
 * PostgreSQL leaves the Temporal part standing): the portfolio, its bots, the refusals the bots recorded.
 */
import type { TradingMode } from '../contracts/bot';
import { findPortfolio, portfolioBots, type PortfolioBot, type PortfolioSummary } from './portfolio';
import { portfolioRefusals, type PortfolioRefusals } from './portfolio-queries';
import type { DashboardSources } from './sources';

export interface PortfolioView {
  readonly mode: TradingMode;
  /** null: Temporal has no portfolio of the mode. */
  readonly portfolio: PortfolioSummary | null | Error;
  readonly bots: readonly PortfolioBot[] | Error;
  /** null when there is no portfolio to read them for. */
  readonly refusals: PortfolioRefusals | Error | null;
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

export async function portfolioView(src: DashboardSources, mode: TradingMode): Promise<PortfolioView> {
  let portfolio: PortfolioSummary | null;
  try {
    portfolio = await findPortfolio(await src.temporal(), src.namespace, mode);
  } catch (err) {
    return { mode, portfolio: asError(err), bots: [], refusals: null };
  }
  if (portfolio === null) return { mode, portfolio, bots: [], refusals: null };
  const p = portfolio;
  const [bots, refusals] = await Promise.all([
    src
      .temporal()
      .then((c) => portfolioBots(c, src.namespace, p))
      .catch(asError),
    portfolioRefusals(src.db, mode, p.symbols, p.status?.lastServed ?? Date.now()).catch(asError),
  ]);
  return { mode, portfolio, bots, refusals };
}

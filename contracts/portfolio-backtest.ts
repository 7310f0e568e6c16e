/**
 * The contract of PortfolioBacktestWorkflow and its activity: plain JSON, bounded by the number of symbols (one
 * standalone BacktestRequest each, plus the portfolio rules), never by the length of the test. Bars, predictions,
 * trades and equity stay in PostgreSQL (the per-symbol runs' rows) and in the run's folder.
 */
import { defineQuery } from '@temporalio/workflow';
import type { PortfolioRules, RefusalReason } from '../domain/portfolio/rules';
import type { StoredTradingParams } from '../domain/trading';
import type { BacktestRequest, BacktestSummary, FundingRef } from './backtest';
import type { DataRef } from './training';

export interface PortfolioSymbol {
  readonly symbol: string;
  /** True when the symbol trades a stand-in series (market-data/stand-in-bars.ts), not its own bars. */
  readonly standIn: boolean;
  /** How its data is described wherever it is shown (standInLabel for stand-ins). */
  readonly dataLabel: string;
  /** The symbol's standalone walk-forward (its models and predictions serve the portfolio). */
  readonly backtest: BacktestRequest;
}

export interface PortfolioBacktestRequest {
  readonly runId: string;
  readonly outDir: string;
  readonly rules: PortfolioRules;
  /** The portfolio's starting capital, split over the symbols by weight. */
  readonly baseCapital: number;
  readonly testFrom: number;
  readonly testTo: number;
  readonly symbols: readonly PortfolioSymbol[];
  /** The configuration, recorded in summary.json. */
  readonly config: unknown;
}

/** What the portfolio activity needs of one symbol: references and the small result of its walk-forward. */
export interface PortfolioSymbolInput {
  readonly symbol: string;
  readonly standIn: boolean;
  readonly dataLabel: string;
  readonly runId: string;
  readonly data: DataRef;
  readonly funding: FundingRef | null;
  readonly trading: StoredTradingParams;
  /** The standalone walk-forward's own metrics and folder, for comparison. */
  readonly standalone: Pick<BacktestSummary, 'metrics' | 'outDir'>;
}

export interface SimulatePortfolioInput {
  readonly runId: string;
  readonly outDir: string;
  readonly rules: PortfolioRules;
  readonly baseCapital: number;
  readonly testFrom: number;
  readonly testTo: number;
  readonly symbols: readonly PortfolioSymbolInput[];
  readonly config: unknown;
}

export type Metrics = Readonly<Record<string, number | null>>;

export interface PortfolioBacktestSummary {
  readonly runId: string;
  readonly outDir: string;
  readonly metrics: Metrics;
  /** Per symbol: its figures inside the portfolio and its standalone walk-forward's. */
  readonly symbols: readonly { readonly symbol: string; readonly dataLabel: string; readonly inPortfolio: Metrics; readonly standalone: Metrics }[];
  readonly refusals: Readonly<Partial<Record<RefusalReason, number>>>;
  /** Minutes (open times) at which the portfolio kill switch fired. */
  readonly killSwitches: readonly number[];
  readonly files: readonly string[];
}

export type PortfolioBacktestPhase = 'walk-forward' | 'simulating' | 'completed' | 'failed' | 'cancelled';

export interface PortfolioBacktestProgress {
  readonly phase: PortfolioBacktestPhase;
  readonly symbolsDone: number;
  readonly symbolsTotal: number;
  /** The per-symbol BacktestWorkflow ids (their own `progress` query tells models and bars). */
  readonly children: readonly string[];
}

export const portfolioBacktestProgressQuery = defineQuery<PortfolioBacktestProgress>('portfolioProgress');

export const portfolioBacktestWorkflowId = (runId: string): string => `portfolio-backtest-${runId}`;

/** The standalone walk-forward of one symbol of a portfolio run. */
export const symbolRunId = (runId: string, symbol: string): string => `${runId}-${symbol}`;
export const backtestWorkflowIdOf = (request: BacktestRequest): string => `backtest-${request.symbol}-${request.runId}`;

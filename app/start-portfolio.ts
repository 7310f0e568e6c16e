/**
 * A deployment of several symbols: one PortfolioWorkflow per mode (docs/portfolio.md) that every bot asks before
 * it enters, and each bot's starting capital, its allocation of execution.base_capital by the weights (so the first
 * minute's rebalancing moves nothing). One symbol trades alone, as before: no portfolio.
 */
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { BotConfig } from '../config/schema';
import { portfolioRulesFromConfig } from '../config/portfolio-config';
import { allocate } from '../domain/portfolio';
import type { BotPortfolioLink, TradingMode } from '../contracts/bot';
import { portfolioWorkflowId, type PortfolioInput } from '../contracts/portfolio';
import { TASK_QUEUES } from '../contracts/task-queues';
import { PortfolioWorkflow } from '../workflows/portfolio-workflow';

export interface PortfolioPlan {
  readonly input: PortfolioInput;
  readonly link: BotPortfolioLink;
  /** Each bot's starting capital. */
  readonly capital: Readonly<Record<string, number>>;
}

export interface PortfolioTiming {
  /** After a minute's first report, how long the other bots are waited for (default 5 s, /speed in a fast replay). */
  readonly collectMs?: number;
  /** A bot's wait for its verdict before it refuses its entry (default 3 x collectMs + 5 s). */
  readonly verdictTimeoutMs?: number;
}

export function planPortfolio(config: BotConfig, symbols: readonly string[], mode: TradingMode, timing: PortfolioTiming = {}): PortfolioPlan {
  const rules = portfolioRulesFromConfig(config.portfolio, symbols);
  const capital = allocate(rules, symbols, config.execution.base_capital);
  const collectMs = timing.collectMs ?? 5_000;
  // About three history events per bot and minute (its report, the verdict signalled back): continue-as-new before
  // a run's history passes ~7,500 events, however many symbols trade.
  const minutesPerRun = Math.min(120, Math.max(10, Math.floor(2_500 / symbols.length)));
  const input: PortfolioInput = { mode, symbols, rules, startingEquity: capital, collectMs, minutesPerRun };
  return { input, capital, link: { workflowId: portfolioWorkflowId(mode), verdictTimeoutMs: timing.verdictTimeoutMs ?? 3 * collectMs + 5_000 } };
}

/** Starts the portfolio (or finds it running: its id is fixed per mode). */
export async function startPortfolio(client: Client, plan: PortfolioPlan): Promise<void> {
  await client.workflow.start(PortfolioWorkflow, {
    taskQueue: TASK_QUEUES.trading,
    workflowId: plan.link.workflowId,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [plan.input],
  });
}

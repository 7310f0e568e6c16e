/**
 * Starts (or finds running) a deployment: one symbol trades alone (app/start-bot.ts, as ever); several trade as a
 * portfolio (docs/portfolio.md): the PortfolioWorkflow of the mode first, then every symbol's market data, champion,
 * bot and retrain schedule, each bot linked to the portfolio with its allocation as starting capital.
 *
 * Market-data workflows of all symbols start before any bot waits on its backfill, so the backfills overlap; the
 * bots then start a few at a time (a first start trains a champion per symbol, the heavy part).
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Database } from '../db/client';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { TASK_QUEUES } from '../contracts/task-queues';
import { portfolioStatusQuery } from '../contracts/portfolio';
import { marketDataWorkflowId } from '../contracts/market-data';
import { MarketDataWorkflow } from '../workflows/market-data-workflow';
import type { TradingBotWorkflow } from '../workflows/trading-bot-workflow';
import { startBot, type StartBotOptions } from './start-bot';
import { planPortfolio, startPortfolio, type PortfolioPlan, type PortfolioTiming } from './start-portfolio';

export interface DeploymentOptions extends Omit<StartBotOptions, 'symbol' | 'portfolio'> {
  readonly symbols: readonly string[];
  readonly portfolioTiming?: PortfolioTiming;
  /** Bots started at once (default 4). */
  readonly concurrency?: number;
}

export interface Deployment {
  readonly bots: ReadonlyMap<string, WorkflowHandle<typeof TradingBotWorkflow>>;
  /** null for one symbol (no portfolio). */
  readonly portfolio: PortfolioPlan | null;
}

/** The portfolio's collection window: 5 s live, shorter in a fast replay (a quarter of a replayed minute). */
export function collectMsFor(speed: number): number {
  return Math.max(100, Math.min(5_000, Math.round(60_000 / speed / 4)));
}

/** Runs `fn` over `items`, at most `limit` at a time; the first failure fails the whole (the rest still settle). */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item).catch((err: unknown) => errors.push(err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (errors.length > 0) throw errors[0];
}

/**
 * A running portfolio (a fixed id per mode, reused) keeps the symbols it started with: a different list now would
 * leave bots it does not know, so the start is refused, naming both lists.
 */
async function checkSameSymbols(client: Client, plan: PortfolioPlan): Promise<void> {
  const handle = client.workflow.getHandle(plan.link.workflowId);
  const running = await client.connection.withDeadline(Date.now() + 30_000, () => handle.query(portfolioStatusQuery));
  const wanted = [...plan.input.symbols].sort().join(',');
  if ([...running.symbols].sort().join(',') !== wanted) {
    throw new Error(
      `${plan.link.workflowId} is running over ${running.symbols.join(', ')}, not ${plan.input.symbols.join(', ')}: ` +
        `stop that deployment first (npm run bot -- portfolio-stop${plan.input.mode === 'live' ? ' --mode live' : ''}) or trade the same list`,
    );
  }
}

export async function startDeployment(client: Client, db: Database, options: DeploymentOptions): Promise<Deployment> {
  const { symbols, portfolioTiming, concurrency, ...common } = options;
  if (symbols.length === 0) throw new Error('a deployment needs at least one symbol');
  if (symbols.length === 1) {
    const bot = await startBot(client, db, { ...common, symbol: symbols[0]! });
    return { bots: new Map([[symbols[0]!, bot]]), portfolio: null };
  }
  const plan = planPortfolio(common.config, symbols, common.mode, { collectMs: collectMsFor(common.speed ?? 1), ...portfolioTiming });
  await startPortfolio(client, plan);
  await checkSameSymbols(client, plan);
  common.log?.(`portfolio: ${plan.link.workflowId} over ${symbols.length} symbols (${symbols.join(', ')})`);
  for (const symbol of symbols) {
    await client.workflow.start(MarketDataWorkflow, {
      taskQueue: TASK_QUEUES.trading,
      workflowId: marketDataWorkflowId(symbol),
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      args: [{ symbol, exchange: common.exchange, historyHours: common.config.data.history_hours }],
    });
  }
  const bots = new Map<string, WorkflowHandle<typeof TradingBotWorkflow>>();
  await eachLimited(symbols, concurrency ?? 4, async (symbol) => {
    const log = common.log;
    const bot = await startBot(client, db, {
      ...common,
      symbol,
      portfolio: { link: plan.link, capital: plan.capital[symbol]! },
      ...(log ? { log: (m: string) => log(`${symbol}: ${m}`) } : {}),
    });
    bots.set(symbol, bot);
  });
  // In the order given, whatever order they started in.
  return { bots: new Map(symbols.map((s) => [s, bots.get(s)!])), portfolio: plan };
}

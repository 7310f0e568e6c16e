/**
 * The portfolio of a trading mode as Temporal knows it (PortfolioWorkflow `portfolio-<mode>`, docs/portfolio.md):
 * its status (queried while it runs, its result once completed) and each of its bots' summary. Every call to a
 * worker has a deadline, so a portfolio or bot without a worker shows why instead of hanging. Shared by the
 * dashboard and `npm run bot -- status`.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { botWorkflowId, type TradingMode } from '../contracts/bot';
import { portfolioStatusQuery, portfolioWorkflowId, type PortfolioStatus } from '../contracts/portfolio';
import { botSummary, type BotSummary } from './bots';

export const PORTFOLIO_ANSWER_MS = 5_000;
/** The decision reasons of an entry the portfolio refused (or did not answer in time). */
export const PORTFOLIO_REASONS = ['max_positions', 'max_exposure', 'portfolio_halted', 'portfolio_unavailable'] as const;

export interface PortfolioSummary {
  readonly workflowId: string;
  readonly runId: string;
  readonly mode: TradingMode;
  /** Temporal's execution status, e.g. RUNNING, COMPLETED, TERMINATED. */
  readonly execution: string;
  readonly closedAt: number | null;
  readonly status: PortfolioStatus | null;
  /** Why the status is missing (no worker answering, closed without a result, ...). */
  readonly statusError: string | null;
  /** The portfolio's symbols (from its status, else from its start input). */
  readonly symbols: readonly string[];
}

/** One bot of a portfolio: its summary, or why there is none. */
export interface PortfolioBot {
  readonly symbol: string;
  readonly workflowId: string;
  readonly bot: BotSummary | null;
  readonly error: string | null;
}

const startInputSchema = z.looseObject({ symbols: z.array(z.string()) });

async function startSymbols(client: Client, namespace: string, workflowId: string, runId: string): Promise<string[]> {
  const page = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId, runId }, maximumPageSize: 1 });
  const payload = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload?.data) return [];
  const parsed = startInputSchema.safeParse(JSON.parse(Buffer.from(payload.data).toString('utf8')));
  return parsed.success ? parsed.data.symbols : [];
}

/** A call to a worker with a deadline; past it, the error says that no worker answered. */
export async function withAnswer<T>(client: Client, ms: number, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  try {
    return await client.withDeadline(deadline, call);
  } catch (err) {
    if (Date.now() >= deadline - 100) throw new Error(`no answer within ${ms / 1000} s (is a worker of the trading queue running?)`, { cause: err });
    throw err;
  }
}

/** A symbol's weight normalised over the portfolio's symbols (its share of the equity at each rebalancing). */
export function normalisedWeight(status: PortfolioStatus, symbol: string): number {
  const sum = status.symbols.reduce((s, sym) => s + (status.rules.weights[sym] ?? 0), 0);
  return sum > 0 ? (status.rules.weights[symbol] ?? 0) / sum : 0;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The mode's portfolio (its newest run), or null when Temporal has no such workflow. */
export async function findPortfolio(client: Client, namespace: string, mode: TradingMode, answerMs = PORTFOLIO_ANSWER_MS): Promise<PortfolioSummary | null> {
  const workflowId = portfolioWorkflowId(mode);
  const handle = client.workflow.getHandle(workflowId);
  let info;
  try {
    info = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  const execution = info.status.name;
  let status: PortfolioStatus | null = null;
  let statusError: string | null = null;
  try {
    if (execution === 'RUNNING') status = await withAnswer(client, answerMs, () => handle.query(portfolioStatusQuery));
    else if (execution === 'COMPLETED') status = (await handle.result()) as PortfolioStatus;
    else statusError = `the portfolio ended ${execution.toLowerCase()}: no final status`;
  } catch (err) {
    statusError = `no status: ${message(err)}`;
  }
  const symbols = status?.symbols ?? (await startSymbols(client, namespace, workflowId, info.runId).catch(() => []));
  return { workflowId, runId: info.runId, mode, execution, closedAt: info.closeTime?.getTime() ?? null, status, statusError, symbols };
}

/** Each symbol's bot of the portfolio (bot-<SYMBOL>-<mode>), asked for its status at once. */
export async function portfolioBots(client: Client, namespace: string, portfolio: PortfolioSummary): Promise<PortfolioBot[]> {
  return Promise.all(
    portfolio.symbols.map(async (symbol): Promise<PortfolioBot> => {
      const workflowId = botWorkflowId(symbol, portfolio.mode);
      try {
        const info = await client.workflow.getHandle(workflowId).describe();
        const bot = await botSummary(client, namespace, workflowId, info.runId, info.status.name);
        return { symbol, workflowId, bot, error: bot === null ? 'not a bot workflow id' : null };
      } catch (err) {
        return { symbol, workflowId, bot: null, error: err instanceof WorkflowNotFoundError ? 'no bot workflow in Temporal' : message(err) };
      }
    }),
  );
}

/** Starts PortfolioBacktestWorkflow and follows it: its phase, and each symbol's walk-forward through its own progress query. */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { BacktestProgress } from '../contracts/backtest';
import type { PortfolioBacktestProgress, PortfolioBacktestSummary } from '../contracts/portfolio-backtest';
import { TASK_QUEUES } from '../contracts/task-queues';
import { PortfolioBacktestWorkflow } from '../workflows/portfolio-backtest-workflow';
import type { PreparedPortfolioBacktest } from './portfolio-backtest-request';

export interface PortfolioProgress {
  readonly portfolio: PortfolioBacktestProgress;
  /** The symbols' walk-forwards that answered (a finished one may not). */
  readonly children: readonly BacktestProgress[];
}

export async function startPortfolioBacktest(client: Client, prepared: PreparedPortfolioBacktest): Promise<WorkflowHandle<typeof PortfolioBacktestWorkflow>> {
  return client.workflow.start(PortfolioBacktestWorkflow, { args: [prepared.request], taskQueue: TASK_QUEUES.trading, workflowId: prepared.workflowId });
}

async function progressOf(client: Client, handle: WorkflowHandle): Promise<PortfolioProgress> {
  const portfolio = await handle.query<PortfolioBacktestProgress>('portfolioProgress');
  const children = await Promise.all(
    portfolio.children.map((id) =>
      client.workflow
        .getHandle(id)
        .query<BacktestProgress>('progress')
        .catch(() => null),
    ),
  );
  return { portfolio, children: children.filter((c): c is BacktestProgress => c !== null) };
}

export async function followPortfolioBacktest(
  client: Client,
  handle: WorkflowHandle,
  onProgress?: (p: PortfolioProgress) => void,
  pollMs = 500,
): Promise<PortfolioBacktestSummary> {
  let polling = true;
  const poller = (async () => {
    while (polling && onProgress) {
      try {
        onProgress(await progressOf(client, handle));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return;
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();
  try {
    return (await handle.result()) as PortfolioBacktestSummary;
  } finally {
    polling = false;
    await poller;
  }
}

export async function runPortfolioBacktest(client: Client, prepared: PreparedPortfolioBacktest): Promise<PortfolioBacktestSummary> {
  return followPortfolioBacktest(client, await startPortfolioBacktest(client, prepared));
}

/** The progress line: the portfolio's phase, then models and bars summed over the symbols. */
export function portfolioProgressLine(p: PortfolioProgress): string {
  const sum = (f: (c: BacktestProgress) => number): number => p.children.reduce((s, c) => s + f(c), 0);
  const { phase, symbolsDone, symbolsTotal } = p.portfolio;
  return `${phase.padEnd(12)} symbols ${symbolsDone}/${symbolsTotal}  models ${sum((c) => c.modelsTrained)}/${sum((c) => c.modelsTotal)}  bars ${sum((c) => c.barsDone)}/${sum((c) => c.barsTotal)}`;
}

/**
 * PortfolioBacktestWorkflow: several symbols under the portfolio rules (docs/portfolio.md). Every symbol's
 * standalone walk-forward runs as a child BacktestWorkflow, all at once (their trainings fan out over the training
 * fleet; the registry reuses identical trainings); then ONE activity replays the portfolio over the merged timeline
 * from their stored predictions with domain/portfolio's simulatePortfolio, the code the live portfolio uses.
 * History holds the requests and small summaries only.
 */
import { ApplicationFailure, CancellationScope, executeChild, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import type { BacktestSummary } from '../contracts/backtest';
import type { PortfolioBacktestActivities } from '../activities/portfolio-backtest-activities';
import {
  backtestWorkflowIdOf,
  portfolioBacktestProgressQuery,
  type PortfolioBacktestPhase,
  type PortfolioBacktestRequest,
  type PortfolioBacktestSummary,
} from '../contracts/portfolio-backtest';
import { TASK_QUEUES } from '../contracts/task-queues';
import { BacktestWorkflow } from './backtest-workflow';
import { errorText } from './error-text';

const { simulatePortfolioBacktest } = proxyActivities<PortfolioBacktestActivities>({
  taskQueue: TASK_QUEUES.trading,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '60 seconds',
  // Deterministic from stored rows and rewriting whole files: a few retries are harmless, endless ones are not.
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
});

function checkRequest(r: PortfolioBacktestRequest): void {
  const problems: string[] = [];
  if (r.symbols.length < 2) problems.push(`a portfolio needs at least two symbols (got ${r.symbols.length})`);
  const names = r.symbols.map((s) => s.symbol);
  if (new Set(names).size !== names.length) problems.push(`a symbol is listed twice (${names.join(', ')})`);
  if (!(r.baseCapital > 0)) problems.push(`baseCapital must be > 0 (got ${r.baseCapital})`);
  if (!(r.testTo > r.testFrom)) problems.push('the test period is empty');
  for (const s of r.symbols) if (s.backtest.symbol !== s.symbol) problems.push(`${s.symbol}: its backtest is of ${s.backtest.symbol}`);
  if (problems.length > 0)
    throw ApplicationFailure.nonRetryable(`Invalid portfolio backtest request: ${problems.join('; ')}`, 'InvalidPortfolioBacktestRequest');
}

/**
 * Every symbol's walk-forward at once. The first failure cancels the others, and this returns (or throws) only
 * when all have ended: a cancelled portfolio leaves every child cancelled, its row marked, not terminated half-way
 * by the parent closing.
 */
async function walkForwards(request: PortfolioBacktestRequest, ids: readonly string[], onDone: () => void): Promise<BacktestSummary[]> {
  const scope = new CancellationScope();
  const runs = await scope.run(() =>
    Promise.resolve(
      request.symbols.map(async (s, i) => {
        const summary = await executeChild(BacktestWorkflow, { args: [s.backtest], taskQueue: TASK_QUEUES.trading, workflowId: ids[i]! });
        onDone();
        return summary;
      }),
    ),
  );
  for (const run of runs) run.catch(() => scope.cancel());
  const settled = await Promise.allSettled(runs);
  const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  // The cause, not the cancellations it led to.
  if (failures.length > 0) throw failures.find((f) => !isCancellation(f)) ?? failures[0];
  return settled.map((r) => (r as PromiseFulfilledResult<BacktestSummary>).value);
}

export async function PortfolioBacktestWorkflow(request: PortfolioBacktestRequest): Promise<PortfolioBacktestSummary> {
  checkRequest(request);
  let phase: PortfolioBacktestPhase = 'walk-forward';
  let symbolsDone = 0;
  const children = request.symbols.map((s) => backtestWorkflowIdOf(s.backtest));
  setHandler(portfolioBacktestProgressQuery, () => ({ phase, symbolsDone, symbolsTotal: request.symbols.length, children }));
  try {
    const standalone = await walkForwards(request, children, () => {
      symbolsDone += 1;
    });
    phase = 'simulating';
    const summary = await simulatePortfolioBacktest({
      runId: request.runId,
      outDir: request.outDir,
      rules: request.rules,
      baseCapital: request.baseCapital,
      testFrom: request.testFrom,
      testTo: request.testTo,
      config: request.config,
      symbols: request.symbols.map((s, i) => ({
        symbol: s.symbol,
        standIn: s.standIn,
        dataLabel: s.dataLabel,
        runId: s.backtest.runId,
        data: s.backtest.data,
        funding: s.backtest.funding ?? null,
        trading: s.backtest.trading,
        standalone: { metrics: standalone[i]!.metrics, outDir: standalone[i]!.outDir },
      })),
    });
    phase = 'completed';
    return summary;
  } catch (err) {
    if (isCancellation(err)) {
      phase = 'cancelled';
      throw err;
    }
    phase = 'failed';
    throw ApplicationFailure.nonRetryable(`Portfolio backtest ${request.runId} failed: ${errorText(err)}`, 'PortfolioBacktestFailed');
  }
}

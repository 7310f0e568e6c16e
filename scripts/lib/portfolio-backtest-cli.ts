/**
 * `npm run backtest -- --symbols A,B,C`: the portfolio backtest's part of the command. Checks everything that needs
 * no server first, then (servers up) stores the stand-ins, refuses run ids in use (or replaces them with --force),
 * starts PortfolioBacktestWorkflow, follows it and prints the headline figures with every stand-in labelled.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { BotConfig } from '../../config/schema';
import { assertRunIdFree, deleteBacktestRun } from '../../app/backtest-runs';
import type { LocalRuntime } from '../../app/local-runtime';
import {
  buildPortfolioBacktestRequest,
  checkPortfolioOptions,
  prepareRealData,
  type PortfolioOptions,
  type RealData,
} from '../../app/portfolio-backtest-request';
import { followPortfolioBacktest, portfolioProgressLine, startPortfolioBacktest } from '../../app/portfolio-backtest-run';
import { BacktestInputError } from '../../app/backtest-input-error';
import { backtestWorkflowIdOf, type PortfolioBacktestSummary } from '../../contracts/portfolio-backtest';
import { formatMetric } from '../../reports/metric-format';
import { summaryTable } from '../../reports/summary-table';
import { errorText } from '../../workflows/error-text';

/** The traded symbols: --symbols, else one --symbol, else the configuration's data.symbols. */
export function portfolioSymbols(config: BotConfig, listed: readonly string[] | undefined, symbol: string | undefined): readonly string[] {
  if (listed !== undefined) {
    if (symbol !== undefined && (listed.length > 1 || listed[0] !== symbol.toUpperCase()))
      throw new BacktestInputError(`--symbol ${symbol} and --symbols ${listed.join(',')}: give one of them`);
    return listed;
  }
  return symbol !== undefined ? [symbol] : config.data.symbols;
}

const COLUMNS = ['net_pnl', 'total_return', 'trades', 'win_rate', 'sharpe', 'max_drawdown'] as const;

export function printPortfolioSummary(summary: PortfolioBacktestSummary): void {
  console.log('Portfolio');
  console.log(summaryTable(summary.metrics));
  console.log('\nSymbols (in the portfolio / standalone walk-forward with the whole capital):');
  for (const s of summary.symbols) {
    const figures = COLUMNS.map((c) => `${c} ${formatMetric(c, s.inPortfolio[c])} / ${formatMetric(c, s.standalone[c])}`);
    console.log(`  ${s.dataLabel}\n    ${figures.join('  ')}`);
  }
  const refused = Object.entries(summary.refusals).map(([reason, n]) => `${reason} ${n}`);
  console.log(`\nRefused entries: ${refused.length === 0 ? 'none' : refused.join(', ')}`);
  const kills = summary.killSwitches.map((t) => new Date(t).toISOString());
  console.log(`Portfolio kill switch: ${kills.length === 0 ? 'did not fire' : kills.join(', ')}`);
  console.log(`\nReport: ${summary.files.find((f) => f.endsWith('report.html'))}`);
  console.log(`Files:  ${summary.outDir} (each symbol's walk-forward under symbols/)`);
}

export interface PortfolioFlags {
  readonly detach: boolean;
  readonly quiet: boolean;
  readonly force: boolean;
}

export async function runPortfolio(
  config: BotConfig,
  options: PortfolioOptions,
  flags: PortfolioFlags,
  withRuntime: (body: (runtime: LocalRuntime) => Promise<void>) => Promise<void>,
): Promise<void> {
  // Every input is checked before a server starts; with --db, what needs the database once it is up.
  let realData: RealData | undefined;
  if (options.db === true) checkPortfolioOptions(config, options);
  else realData = await prepareRealData(config, options);
  await withRuntime(async (runtime) => {
    const { client, database } = runtime;
    const prepared = await buildPortfolioBacktestRequest(config, options, { db: database.db }, realData);
    for (const notice of prepared.notices) console.error(`Note: ${notice}`);
    const { request } = prepared;
    for (const s of request.symbols) {
      if (flags.force) {
        await deleteBacktestRun(client, database.db, s.backtest.runId).catch((err: unknown) => {
          if (!/^No backtest run/.test((err as Error).message)) throw err;
        });
      } else await assertRunIdFree(client, database.db, s.backtest.runId, backtestWorkflowIdOf(s.backtest));
    }
    if (!flags.force) await assertRunIdFree(client, database.db, request.runId, prepared.workflowId);
    const handle = await startPortfolioBacktest(client, prepared);
    const ui = runtime.infra.temporal.uiUrl;
    console.error(
      `Portfolio backtest ${prepared.workflowId} (${request.symbols.map((s) => s.symbol).join(', ')})${ui ? `: ${ui}/namespaces/${runtime.infra.temporal.namespace}/workflows/${prepared.workflowId}` : ''}`,
    );
    if (flags.detach) return void console.log(`Detached: ${prepared.workflowId} goes on wherever workers serve the trading and training queues.`);
    const interactive = !flags.quiet && process.stderr.isTTY;
    let cancelled = false;
    const onSignal = (): void => {
      if (cancelled) process.exit(130);
      cancelled = true;
      console.error('\nCancelling the portfolio backtest (Ctrl-C again to leave at once)...');
      void handle.cancel().catch((err: unknown) => console.error(`cancel failed: ${(err as Error).message}`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const summary = await followPortfolioBacktest(client, handle, (p) => {
        if (interactive) process.stderr.write(`\r${portfolioProgressLine(p)}`);
      });
      if (interactive) process.stderr.write('\n');
      printPortfolioSummary(summary);
    } catch (err) {
      if (cancelled && err instanceof WorkflowFailedError) {
        console.error('Portfolio backtest cancelled.');
        process.exitCode = 130;
        return;
      }
      if (err instanceof WorkflowFailedError) throw new Error(`Portfolio backtest ${prepared.workflowId} failed: ${errorText(err)}`);
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}

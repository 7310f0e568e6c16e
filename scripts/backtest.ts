/**
 * npm run backtest -- [options] | list | follow <run-id> | cancel <run-id> | delete <run-id>: the main job.
 * Replays the shipped (or given, or stored: --db) data through BacktestWorkflow on a local Temporal + PostgreSQL (started when
 * TEMPORAL_ADDRESS / DATABASE_URL are not set) and writes backtests/<run-id>/{summary.json,trades.csv,equity.csv,
 * report.html}. Ctrl-C cancels the run, unless it was started with --detach.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../config/load-config';
import { buildBacktestRequest, checkBacktestOptions, DEFAULT_DB_MARKET, type BacktestOptions, type PreparedBacktest } from '../app/backtest-request';
import { assertRunIdFree, cancelBacktestRun, deleteBacktestRun, listBacktests, runningBacktests, workflowIdOf } from '../app/backtest-runs';
import { installQuietRuntime, startLocalRuntime, type LocalRuntime } from '../app/local-runtime';
import { followBacktest, startBacktest } from '../app/run-backtest';
import { summaryTable } from '../reports/summary-table';
import { errorText } from '../workflows/error-text';
import type { BacktestSummary } from '../contracts/backtest';
import { progressLine } from './lib/backtest-progress';
import { parseSymbolList } from '../config/portfolio-config';
import { REAL_SYMBOL, STAND_IN_MARKET } from '../market-data/stand-in-bars';
import { portfolioSymbols, runPortfolio } from './lib/portfolio-backtest-cli';
import { numberOption, parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npm run backtest -- [options]          run a walk-forward backtest
       npm run backtest -- list                list runs with their status
       npm run backtest -- follow <run-id>     re-attach to a run (its workers run in this process meanwhile)
       npm run backtest -- cancel <run-id>     cancel a running run (its row says cancelled)
       npm run backtest -- delete <run-id>     remove a finished run's rows and result folder

Walk-forward backtest: train on the first --train-hours, trade the next --test-hours minute by minute,
retrain every --retrain-minutes on the rolling window (config data.rolling_window_hours). Any length: a year of
1-minute bars (8,760 hourly models) runs the same way as a day.

Options:
  --data FILE.csv       bars (CSV of data/README.md or Binance kline dump, .gz ok); default: the shipped BTCUSDT data
  --db                  bars from the database instead (table bars, e.g. from npm run download) over the run's range,
                        and the funding_rates rows of its test period (none stored: no funding); not with --data
  --market M            with --db: the market of the stored series (default ${DEFAULT_DB_MARKET}; the shipped data
                        imported by npm run import-bars is binanceus-spot)
  --funding FILE.csv    funding rates, funding_time,funding_rate[,mark_price] (Unix ms, .gz ok); each is paid at the
                        open of the bar opening in its minute (docs/strategy.md); default: no funding (with --db:
                        the stored rates; a file given replaces them)
  --symbol S            symbol of the data (default config data.symbol); with --db, the stored series read
  --symbols A,B,C       a portfolio backtest (default config data.symbols when it lists more than one): every
                        symbol's walk-forward, then the portfolio rules (config portfolio.*, docs/portfolio.md) over
                        the merged timeline; ${REAL_SYMBOL} trades the given data, every other symbol a labelled
                        STAND-IN of it (stored under market '${STAND_IN_MARKET}'); files in backtests/<run-id>/
  --start ISO|ms        first bar used (default: first bar of the data)
  --train-hours N       default config backtest.train_hours (48)
  --test-hours N        default config backtest.test_hours (24)
  --retrain-minutes N   default config backtest.retrain_minutes (60)
  --parallel-trainings N  trainings requested at once (default 32; the training fleet's slots bound what runs)
  --config FILE         configuration (default config/config.yaml)
  --out DIR             result folder (default backtests/<run-id>)
  --run-id ID           run id (default: UTC time + random suffix); an existing one is refused
  --force               replace an existing run of that id (its rows and result folder are deleted first)
  --detach              start the run and return: it goes on wherever workers serve the queues
                        (npm run worker:trading / worker:training); follow re-attaches
  --quiet               no progress bar
  -h, --help            this help`;

const OPTIONS = {
  data: { type: 'string' },
  db: { type: 'boolean' },
  market: { type: 'string' },
  funding: { type: 'string' },
  symbol: { type: 'string' },
  symbols: { type: 'string' },
  start: { type: 'string' },
  'train-hours': { type: 'string' },
  'test-hours': { type: 'string' },
  'retrain-minutes': { type: 'string' },
  'parallel-trainings': { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  'run-id': { type: 'string' },
  force: { type: 'boolean' },
  detach: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const log = (m: string) => console.error(`[infra] ${m}`);

async function withRuntime<T>(options: { workers: boolean; detached?: boolean }, body: (runtime: LocalRuntime) => Promise<T>): Promise<T> {
  const runtime = await startLocalRuntime({ log, workers: options.workers, ...(options.detached ? { infra: { detached: true } } : {}) });
  try {
    return await body(runtime);
  } finally {
    // A detached run needs the servers after this command: they stay up (npm run infra -- down stops them).
    await runtime.stop({ keepInfra: options.detached === true });
  }
}

/** Follows to the end, printing progress; on SIGINT/SIGTERM either cancels the run or just stops following. */
async function follow(handle: WorkflowHandle, onSignal: 'cancel' | 'detach', quiet: boolean): Promise<BacktestSummary | null> {
  const interactive = !quiet && process.stderr.isTTY;
  let last = '';
  let interrupted = false;
  const stopFollowing = new Promise<null>((resolve) => {
    const handler = () => {
      if (interrupted) process.exit(130); // a second Ctrl-C: leave now
      interrupted = true;
      if (interactive) process.stderr.write('\n');
      if (onSignal === 'detach') {
        console.error(
          `Stopped following; the run goes on wherever workers serve the queues (npm run backtest -- follow ${handle.workflowId.replace(/^backtest-[A-Z0-9]+-/, '')}).`,
        );
        resolve(null);
        return;
      }
      console.error('Cancelling the run (Ctrl-C again to leave at once)...');
      void handle.cancel().catch((err: unknown) => console.error(`cancel failed: ${(err as Error).message}`));
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
  const result = followBacktest(handle, (p) => {
    const line = progressLine(p);
    if (line === last) return;
    last = line;
    if (interactive) process.stderr.write(`\r${line}`);
  });
  result.catch(() => undefined);
  const summary = await Promise.race([result, stopFollowing]).catch((err: unknown) => {
    if (interrupted && err instanceof WorkflowFailedError) {
      console.error('Backtest cancelled.');
      process.exitCode = 130;
      return null;
    }
    throw err;
  });
  if (interactive && !interrupted) process.stderr.write('\n');
  return summary;
}

function printSummary(summary: BacktestSummary): void {
  console.log(summaryTable(summary.metrics));
  console.log(`\nReport: ${summary.files.find((f) => f.endsWith('report.html'))}`);
  console.log(`Files:  ${summary.outDir}`);
}

function failure(workflowId: string, err: unknown): Error {
  if (err instanceof WorkflowFailedError) return new Error(`Backtest ${workflowId} failed: ${errorText(err)}`);
  return err as Error;
}

async function run(values: ReturnType<typeof parseRun>): Promise<void> {
  const config = loadConfig(values.config);
  const symbols = portfolioSymbols(config, values.symbols === undefined ? undefined : parseSymbolList(values.symbols), values.symbol);
  const options: BacktestOptions = {
    data: values.data,
    db: values.db,
    market: values.market,
    funding: values.funding,
    // One symbol (given by --symbol, a one-entry --symbols or the configuration): the single-symbol backtest.
    symbol: values.symbol ?? (values.symbols === undefined ? undefined : symbols[0]),
    start: values.start,
    trainHours: numberOption('train-hours', values['train-hours']),
    testHours: numberOption('test-hours', values['test-hours']),
    retrainMinutes: numberOption('retrain-minutes', values['retrain-minutes']),
    parallelTrainings: numberOption('parallel-trainings', values['parallel-trainings']),
    out: values.out,
    runId: values['run-id'],
  };
  const detach = values.detach === true;
  if (symbols.length > 1) {
    const { symbol: _one, ...portfolio } = options;
    return runPortfolio(config, { ...portfolio, symbols }, { detach, quiet: values.quiet === true, force: values.force === true }, (body) =>
      withRuntime({ workers: !detach, detached: detach }, body),
    );
  }
  // Every input is checked before anything is started; with --db, what needs the database once it is up.
  if (values.db === true) {
    checkBacktestOptions(config, options);
    return withRuntime({ workers: !detach, detached: detach }, async (runtime) =>
      startAndFollow(runtime, await buildBacktestRequest(config, options, { db: runtime.database.db }), values),
    );
  }
  const prepared = await buildBacktestRequest(config, options);
  await withRuntime({ workers: !detach, detached: detach }, (runtime) => startAndFollow(runtime, prepared, values));
}

async function startAndFollow(runtime: LocalRuntime, prepared: PreparedBacktest, values: ReturnType<typeof parseRun>): Promise<void> {
  const { client, database } = runtime;
  const detach = values.detach === true;
  for (const notice of prepared.notices) console.error(`Note: ${notice}`);
  const runId = prepared.request.runId;
  if (values.force) {
    await deleteBacktestRun(client, database.db, runId).catch((err: unknown) => {
      if (!/^No backtest run/.test((err as Error).message)) throw err;
    });
  } else {
    await assertRunIdFree(client, database.db, runId, prepared.workflowId);
  }
  const others = await runningBacktests(client);
  if (others.length > 0) {
    console.error(
      `Note: ${others.length} other backtest(s) in progress (${others.map((w) => w.workflowId).join(', ')}); workers of this command advance them too. See npm run backtest -- list / follow <id> / cancel <id>.`,
    );
  }
  const handle = await startBacktest(client, prepared);
  const ui = runtime.infra.temporal.uiUrl;
  console.error(
    `Backtest ${prepared.workflowId}${ui ? ` — follow it in the Temporal Web UI: ${ui}/namespaces/${runtime.infra.temporal.namespace}/workflows/${prepared.workflowId}` : ''}`,
  );
  if (detach) {
    console.log(`Detached: run ${runId} goes on wherever workers serve the trading and training queues (npm run worker:trading, npm run worker:training).`);
    console.log(`Re-attach with: npm run backtest -- follow ${runId}   (it serves the queues from that process meanwhile)`);
    return;
  }
  const summary = await follow(handle, 'cancel', values.quiet === true).catch((err: unknown) => {
    throw failure(prepared.workflowId, err);
  });
  if (summary) printSummary(summary);
}

function parseRun(argv: string[]) {
  return parseCli(argv, OPTIONS).values;
}

async function main(): Promise<void> {
  // Ctrl-C / SIGTERM are this command's to handle: the in-process workers must keep running until the run's
  // cancellation has been processed (the SDK would otherwise shut them down at the first signal).
  installQuietRuntime({ shutdownSignals: [] });
  const argv = process.argv.slice(2);
  const command = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : 'run';
  if (command === 'run') {
    const values = parseRun(argv);
    if (values.help) return void console.log(USAGE);
    return run(values);
  }
  const { values, positionals } = parseCli(argv.slice(1), { quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) return void console.log(USAGE);
  if (command === 'list') {
    await withRuntime({ workers: false }, async ({ client, database }) => {
      const runs = await listBacktests(client, database.db);
      if (runs.length === 0) return void console.log('No backtest runs.');
      console.log(['run-id'.padEnd(28), 'symbol'.padEnd(10), 'status'.padEnd(10), 'started (UTC)'.padEnd(20), 'workflow'].join('  '));
      for (const r of runs) {
        const status = r.status === 'running' && !r.workflowRunning ? 'running?' : r.status;
        const started = r.startedAt === null ? '' : new Date(r.startedAt).toISOString().slice(0, 19).replace('T', ' ');
        console.log([r.runId.padEnd(28), r.symbol.padEnd(10), status.padEnd(10), started.padEnd(20), r.workflowRunning ? 'running' : 'closed'].join('  '));
      }
    });
    return;
  }
  if (!['follow', 'cancel', 'delete'].includes(command)) throw new UsageError(`unknown command '${command}'`);
  const runId = positionals[0];
  if (runId === undefined || positionals.length > 1) throw new UsageError(`${command} needs exactly one run id`);
  await withRuntime({ workers: command === 'follow' }, async ({ client, database }) => {
    if (command === 'cancel') {
      await cancelBacktestRun(client, database.db, runId);
      return void console.log(`Backtest ${runId} cancelled.`);
    }
    if (command === 'delete') {
      const { outDir } = await deleteBacktestRun(client, database.db, runId);
      return void console.log(`Backtest ${runId} deleted${outDir ? ` (and ${outDir})` : ''}.`);
    }
    const workflowId = await workflowIdOf(client, database.db, runId);
    if (workflowId === null) throw new Error(`No backtest run ${runId}`);
    const summary = await follow(client.workflow.getHandle(workflowId), 'detach', values.quiet === true).catch((err: unknown) => {
      throw failure(workflowId, err);
    });
    if (summary) printSummary(summary);
  });
}

runMain(USAGE, main);

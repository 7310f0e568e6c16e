/**
 * npm run backtest -- [options]: the main job. Replays the shipped (or given) data through BacktestWorkflow on a
 * local Temporal + PostgreSQL (started when TEMPORAL_ADDRESS / DATABASE_URL are not set) and writes
 * backtests/<run-id>/{summary.json,trades.csv,equity.csv,report.html}.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { loadConfig } from '../config/load-config';
import { buildBacktestRequest } from '../app/backtest-request';
import { startLocalRuntime } from '../app/local-runtime';
import { runBacktest } from '../app/run-backtest';
import { summaryTable } from '../reports/summary-table';
import type { BacktestProgress } from '../workflows/backtest-types';
import { numberOption, parseCli, runMain } from './lib/cli';

const USAGE = `Usage: npm run backtest -- [options]

Walk-forward backtest: train on the first --train-hours, trade the next --test-hours minute by minute,
retrain every --retrain-minutes on the rolling window (config data.rolling_window_hours).

Options:
  --data FILE.csv       bars (CSV of data/README.md or Binance kline dump, .gz ok); default: the shipped BTCUSDT data
  --symbol S            symbol label of the data (default config data.symbol)
  --start ISO|ms        first bar used (default: first bar of the data)
  --train-hours N       default config backtest.train_hours (48)
  --test-hours N        default config backtest.test_hours (24)
  --retrain-minutes N   default config backtest.retrain_minutes (60)
  --config FILE         configuration (default config/config.yaml)
  --out DIR             result folder (default backtests/<run-id>)
  --run-id ID           run id (default: UTC time + random suffix)
  --quiet               no progress bar
  -h, --help            this help`;

function progressLine(p: BacktestProgress): string {
  const width = 30;
  const done = p.barsTotal > 0 ? p.barsDone / p.barsTotal : 0;
  const filled = Math.round(done * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)}% ${p.phase.padEnd(9)} models ${p.modelsTrained}/${p.modelsTotal}  bars ${p.barsDone}/${p.barsTotal}  trades ${p.trades}  equity ${p.equity.toFixed(2)}`;
}

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), {
    data: { type: 'string' },
    symbol: { type: 'string' },
    start: { type: 'string' },
    'train-hours': { type: 'string' },
    'test-hours': { type: 'string' },
    'retrain-minutes': { type: 'string' },
    config: { type: 'string' },
    out: { type: 'string' },
    'run-id': { type: 'string' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig(values.config);
  // Every input is checked before anything is started.
  const prepared = await buildBacktestRequest(config, {
    data: values.data,
    symbol: values.symbol,
    start: values.start,
    trainHours: numberOption('train-hours', values['train-hours']),
    testHours: numberOption('test-hours', values['test-hours']),
    retrainMinutes: numberOption('retrain-minutes', values['retrain-minutes']),
    out: values.out,
    runId: values['run-id'],
  });
  const log = (m: string) => console.error(`[infra] ${m}`);
  const runtime = await startLocalRuntime({ log });
  const stopOnSignal = () => void runtime.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const ui = runtime.infra.temporal.uiUrl;
    console.error(`Backtest ${prepared.workflowId}${ui ? ` — follow it in the Temporal Web UI: ${ui}/namespaces/${runtime.infra.temporal.namespace}/workflows/${prepared.workflowId}` : ''}`);
    const interactive = !values.quiet && process.stderr.isTTY;
    let last = '';
    const summary = await runBacktest(runtime.client, prepared, (p) => {
      const line = progressLine(p);
      if (line === last) return;
      last = line;
      if (interactive) process.stderr.write(`\r${line}`);
    });
    if (interactive) process.stderr.write('\n');
    console.log(summaryTable(summary.metrics));
    console.log(`\nReport: ${summary.files.find((f) => f.endsWith('report.html'))}`);
    console.log(`Files:  ${summary.outDir}`);
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause?.message ?? err.message;
      throw new Error(`Backtest ${prepared.workflowId} failed: ${cause}`);
    }
    throw err;
  } finally {
    await runtime.stop();
  }
}

runMain(USAGE, main);

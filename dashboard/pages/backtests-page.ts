/** The Backtests page: the runs in PostgreSQL with their headline metrics and a link to each report.html. */
import type { listBacktestRuns } from '../queries';
import { LIVE_SCRIPT } from './client-js';
import { errorBox, esc, num, page, table, time } from './layout';

type Run = Awaited<ReturnType<typeof listBacktestRuns>>[number];

/** A metric of summary.json's `metrics` object (docs/results.md), '-' when absent. */
function metric(summary: Run['summary'], key: string, digits: number): string {
  const metrics = summary?.['metrics'];
  const v = metrics !== null && typeof metrics === 'object' && !Array.isArray(metrics) ? (metrics as Readonly<Record<string, unknown>>)[key] : undefined;
  return typeof v === 'number' ? num(v, digits) : '-';
}

export function backtestsPage(runs: readonly Run[] | Error): string {
  if (runs instanceof Error) return page('Backtests', `<h1>Backtests</h1>${errorBox('PostgreSQL', runs)}`, LIVE_SCRIPT);
  const rows = runs.map((r) => [
    esc(r.runId),
    esc(r.symbol),
    esc(r.status),
    time(r.startedAt),
    time(r.finishedAt),
    metric(r.summary, 'total_return', 4),
    metric(r.summary, 'sharpe', 2),
    metric(r.summary, 'max_drawdown', 4),
    metric(r.summary, 'trades', 0),
    r.status === 'completed' ? `<a href="/backtests/${encodeURIComponent(r.runId)}/report.html">report</a>` : esc(r.error ?? ''),
  ]);
  const body = `<h1>Backtests</h1>${table(['run', 'symbol', 'status', 'started', 'finished', 'total return', 'Sharpe', 'max drawdown', 'trades', ''], rows, 'no backtest runs yet (npm run backtest)')}`;
  return page('Backtests', body, LIVE_SCRIPT);
}

/**
 * The files of a portfolio backtest in its folder (beside the per-symbol walk-forwards' folders under symbols/):
 * summary.json, trades.csv (a symbol and a data column before trades.csv's own columns), equity.csv (the
 * portfolio's), refusals.csv (time, symbol, reason), data-sources.csv (which symbols are stand-ins) and report.html.
 * Each file is written then renamed, so a reader or a retry never sees half of one.
 */
import { join } from 'node:path';
import type { PortfolioBacktestSummary, SimulatePortfolioInput } from '../contracts/portfolio-backtest';
import { csvField, csvRecord } from '../reports/csv';
import { equityCsv } from '../reports/equity-csv';
import { portfolioReportHtml } from '../reports/portfolio-report-html';
import { tradesCsv } from '../reports/trades-csv';
import { iso } from './bar-series';
import { CURVE_METRICS, portfolioMetrics, refusalCounts, symbolMetrics, type PortfolioRun } from './portfolio-backtest-sim';
import { writeAtomically } from './sweep-files';

export const PORTFOLIO_FILES = ['summary.json', 'trades.csv', 'equity.csv', 'refusals.csv', 'data-sources.csv', 'report.html'] as const;

/** The portfolio's exposure adds up its symbols' position minutes. */
export const EXPOSURE_NOTE = 'exposure of the portfolio: position-minutes of all symbols over test minutes (up to the number of symbols x 100 %).';

/** Why a symbol's curve figures are absent inside the portfolio. */
export const PER_SYMBOL_NOTE = `Per-symbol figures inside the portfolio come from the symbol's trades (its capital plus realised net PnL); ${CURVE_METRICS.join(', ')} need a symbol's own marked equity curve, which the portfolio's books do not keep apart (rebalancing moves cash between them): null.`;

function symbolTradesCsv(run: PortfolioRun, dataKind: ReadonlyMap<string, string>): string {
  const lines = tradesCsv(run.trades).trimEnd().split('\n');
  const out = [`symbol,data,${lines[0]}`];
  run.trades.forEach((t, i) => out.push(`${csvField(t.symbol)},${dataKind.get(t.symbol) ?? ''},${lines[i + 1]}`));
  return `${out.join('\n')}\n`;
}

function refusalsCsv(run: PortfolioRun): string {
  return `${['time,symbol,reason', ...run.refusals.map((r) => csvRecord([String(r.time), r.symbol, r.reason]))].join('\n')}\n`;
}

/** Which symbols trade a stand-in, beside every CSV (equity.csv mixes them all). */
function dataSourcesCsv(input: SimulatePortfolioInput): string {
  return `${['symbol,data,label', ...input.symbols.map((s) => csvRecord([s.symbol, s.standIn ? 'stand-in' : 'real', s.dataLabel]))].join('\n')}\n`;
}

export function writePortfolioFiles(input: SimulatePortfolioInput, run: PortfolioRun): PortfolioBacktestSummary {
  const metrics = { ...portfolioMetrics(run) };
  const times = run.equity.slice(1).map((p) => p.openTime - 60_000);
  const perSymbol = input.symbols.map((s) => {
    const trades = run.trades.filter((t) => t.symbol === s.symbol);
    return {
      symbol: s.symbol,
      stand_in: s.standIn,
      data: s.dataLabel,
      capital: run.capital[s.symbol]!,
      in_portfolio: symbolMetrics(trades, run.capital[s.symbol]!, times),
      refusals: refusalCounts(run.refusals.filter((r) => r.symbol === s.symbol)),
      standalone: { metrics: s.standalone.metrics, out_dir: s.standalone.outDir, run_id: s.runId },
    };
  });
  const refusals = refusalCounts(run.refusals);
  const summary = {
    runId: input.runId,
    kind: 'portfolio',
    status: 'completed',
    symbols: input.symbols.map((s) => s.symbol),
    data_labels: input.symbols.map((s) => s.dataLabel),
    metrics,
    rules: {
      weights: input.rules.weights,
      max_positions: input.rules.maxPositions,
      max_gross_exposure: input.rules.maxGrossExposure,
      max_daily_drawdown_pct: input.rules.maxDailyDrawdown * 100,
    },
    base_capital: input.baseCapital,
    test: { from: input.testFrom, to: input.testTo, bars: run.equity.length - 1 },
    refusals: { total: run.refusals.length, by_reason: refusals },
    kill_switches: run.killSwitches.map((t) => ({ time: t, iso: iso(t) })),
    per_symbol: perSymbol,
    notes: [
      EXPOSURE_NOTE,
      PER_SYMBOL_NOTE,
      "standalone: each symbol's own walk-forward with the whole base capital (its folder under symbols/), for comparison.",
    ],
    config: input.config,
  };
  const path = (name: (typeof PORTFOLIO_FILES)[number]): string => join(input.outDir, name);
  const files = PORTFOLIO_FILES.map(path);
  const dataKind = new Map(input.symbols.map((s) => [s.symbol, s.standIn ? 'stand-in' : 'real']));
  writeAtomically(path('summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeAtomically(path('trades.csv'), symbolTradesCsv(run, dataKind));
  writeAtomically(path('equity.csv'), equityCsv(run.equity));
  writeAtomically(path('refusals.csv'), refusalsCsv(run));
  writeAtomically(path('data-sources.csv'), dataSourcesCsv(input));
  writeAtomically(
    path('report.html'),
    portfolioReportHtml({
      runId: input.runId,
      testFrom: input.testFrom,
      testTo: input.testTo,
      metrics,
      equity: run.equity,
      trades: run.trades,
      refusals: run.refusals,
      killSwitches: run.killSwitches,
      symbols: perSymbol.map((p) => ({
        symbol: p.symbol,
        dataLabel: p.data,
        standIn: p.stand_in,
        capital: p.capital,
        inPortfolio: p.in_portfolio,
        standalone: p.standalone.metrics,
      })),
      notes: summary.notes,
    }),
  );
  return {
    runId: input.runId,
    outDir: input.outDir,
    metrics,
    symbols: perSymbol.map((p) => ({ symbol: p.symbol, dataLabel: p.data, inPortfolio: p.in_portfolio, standalone: p.standalone.metrics })),
    refusals,
    killSwitches: run.killSwitches,
    files,
  };
}

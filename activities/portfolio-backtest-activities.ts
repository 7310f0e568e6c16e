/**
 * The activity of PortfolioBacktestWorkflow (queue trading): loads every symbol's stored test bars, predictions
 * and model versions by reference (the loading paths of the sweep's replay: the bar series of its data reference,
 * its run's segments and stored predictions), simulates the portfolio and writes the run's files. Deterministic
 * from stored rows, and the files are rewritten whole, so a retry computes and writes the same.
 */
import { Context } from '@temporalio/activity';
import type { Database } from '../db/client';
import { listSegments, loadSegmentPredictions } from '../db/repositories/backtest-results';
import { readTradingParams, type TradingParams } from '../domain/trading';
import type { PortfolioBacktestSummary, PortfolioSymbolInput, SimulatePortfolioInput } from '../contracts/portfolio-backtest';
import { BadInputError, failFastOnBadInput } from './activity-errors';
import { barList, iso } from './bar-series';
import { fundingSeriesOf } from './funding-series';
import { runPortfolioBacktest, type PortfolioSeries } from './portfolio-backtest-sim';
import { writePortfolioFiles } from './portfolio-backtest-files';

function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Outside an activity (a test): nothing to report to.
  }
}

async function loadSeries(db: Database, s: PortfolioSymbolInput, testFrom: number, testTo: number): Promise<PortfolioSeries> {
  const series = await barList(s.data, db);
  const funding = (await fundingSeriesOf(s.funding, db))?.byMinute;
  const segments = await listSegments(db, s.runId);
  const p = await loadSegmentPredictions(db, { runId: s.runId, symbol: s.symbol, fromSeq: 0, toSeq: segments.length });
  const first = series.indexOf(testFrom);
  const n = (testTo - testFrom) / 60_000;
  if (first < 0 || p.openTime.length !== n || p.openTime[0] !== testFrom) {
    throw new BadInputError(`${s.symbol} (run ${s.runId}): ${p.openTime.length} stored predictions for the ${n} bars of ${iso(testFrom)} .. ${iso(testTo)}`);
  }
  const bars = series.bars.slice(first, first + n);
  bars.forEach((b, i) => {
    if (b.openTime !== p.openTime[i]) throw new BadInputError(`${s.symbol}: prediction ${i} is for ${iso(p.openTime[i]!)}, bar is ${iso(b.openTime)}`);
  });
  return {
    symbol: s.symbol,
    bars,
    predictions: p.prediction,
    modelVersion: p.modelVersion[0]!,
    modelVersions: p.modelVersion,
    ...(funding === undefined ? {} : { funding }),
  };
}

export function createPortfolioBacktestActivities({ db }: { readonly db: Database }) {
  return {
    async simulatePortfolioBacktest(input: SimulatePortfolioInput): Promise<PortfolioBacktestSummary> {
      return failFastOnBadInput(async () => {
        const series: PortfolioSeries[] = [];
        const params: Record<string, TradingParams> = {};
        for (const s of input.symbols) {
          series.push(await loadSeries(db, s, input.testFrom, input.testTo));
          // The standalone run's parameters (its leverage brackets included); the capital is set by weight.
          params[s.symbol] = readTradingParams(s.trading);
          heartbeat();
        }
        const run = runPortfolioBacktest(input.rules, series, params, input.baseCapital);
        heartbeat();
        return writePortfolioFiles(input, run);
      });
    },
  };
}

export type PortfolioBacktestActivities = ReturnType<typeof createPortfolioBacktestActivities>;

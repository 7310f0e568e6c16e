/**
 * Activities of BacktestWorkflow on the trading queue: validate the data and register the run, replay a chunk of
 * segments through the live bot's step in bulk, write the results, and mark a failed or cancelled run.
 * Training and prediction: training-activities.ts. Result files: backtest-report.ts.
 */
import { BAR_MS } from '../domain/bars';
import { Context } from '@temporalio/activity';
import { performance } from 'node:perf_hooks';
import type { Trade } from '../domain/trading';
import type { Database } from '../db/client';
import { insertEquity, listSegments, loadSegmentPredictions } from '../db/repositories/backtest-results';
import { cancelRun, createRun, failRun, getRun, insertTrades, RunIdTakenError } from '../db/repositories/backtests';
import type {
  BacktestRequest,
  BacktestSummary,
  FinishBacktestInput,
  PrepareBacktestResult,
  SimulateChunkInput,
  SimulateChunkResult,
} from '../contracts/backtest';
import { processBar, readTradingParams } from '../domain/trading';
import { BadInputError, failFastOnBadInput } from './activity-errors';
import { describeRef, toJson, writeBacktestResults } from './backtest-report';
import { barList, iso } from './bar-series';
import { fundingSeriesOf } from './funding-series';

export interface BacktestActivityDeps {
  readonly db: Database;
}

const HOUR_MS = 3_600_000;

export function createBacktestActivities({ db }: BacktestActivityDeps) {
  return {
    async prepareBacktest(input: { request: BacktestRequest; workflowId: string; workflowRunId: string }): Promise<PrepareBacktestResult> {
      const { request } = input;
      return failFastOnBadInput(async () => {
        const testFrom = request.start + request.trainHours * HOUR_MS;
        const testTo = testFrom + request.testHours * HOUR_MS;
        if (request.data.from !== request.start || request.data.to !== testTo) {
          throw new BadInputError(
            `The data reference covers ${iso(request.data.from)} .. ${iso(request.data.to)} but the run needs ${iso(request.start)} .. ${iso(testTo)}`,
          );
        }
        // Loads and checks the whole range now (gaps, coverage), so a bad dataset fails before any training.
        const series = await barList(request.data, db);
        await fundingSeriesOf(request.funding, db);
        try {
          await createRun(db, {
            runId: request.runId,
            symbol: request.symbol,
            startedAt: Date.now(),
            config: toJson(request.config ?? {}),
            dataRef: describeRef(request),
            dataRange: { from: request.start, to: testTo, testFrom, testTo, bars: series.bars.length },
            workflowId: input.workflowId,
            workflowRunId: input.workflowRunId,
            outDir: request.outDir,
          });
        } catch (err) {
          if (err instanceof RunIdTakenError) throw new BadInputError(err.message);
          throw err;
        }
        return { testFrom, testTo, dataFrom: request.start, dataTo: testTo, bars: series.bars.length };
      });
    },

    /**
     * Replays segments [fromSeq, toSeq) bar by bar through processBar, the step the live bot runs, with the stored
     * predictions and the funding due at each bar's open, and stores the trades and equity points. Deterministic
     * from its input, so a retry after a crash computes and stores exactly the same rows.
     */
    async simulateChunk(input: SimulateChunkInput): Promise<SimulateChunkResult> {
      return failFastOnBadInput(async () => {
        const started = performance.now();
        const series = await barList(input.data, db);
        const funding = (await fundingSeriesOf(input.funding, db))?.byMinute;
        const segments = await listSegments(db, input.runId, input.fromSeq, input.toSeq);
        if (segments.length !== input.toSeq - input.fromSeq) {
          throw new BadInputError(`Run ${input.runId}: segments ${input.fromSeq}..${input.toSeq - 1} are not all trained (found ${segments.length})`);
        }
        const from = segments[0]!.trainEnd;
        const to = segments[segments.length - 1]!.segmentTo;
        const p = await loadSegmentPredictions(db, { runId: input.runId, symbol: input.symbol, fromSeq: input.fromSeq, toSeq: input.toSeq });
        const first = series.indexOf(from);
        const n = (to - from) / BAR_MS;
        if (first < 0 || p.openTime.length !== n || p.openTime[0] !== from) {
          throw new BadInputError(`Run ${input.runId}: ${p.openTime.length} stored predictions for the ${n} bars of ${iso(from)} .. ${iso(to)}`);
        }
        let state = input.state;
        const trades: Trade[] = [];
        const times: number[] = [];
        const equity: number[] = [];
        if (input.fromSeq === 0) {
          times.push(from);
          equity.push(state.lastEquity);
        }
        const params = readTradingParams(input.trading);
        for (let i = 0; i < n; i++) {
          const bar = series.bars[first + i]!;
          if (bar.openTime !== p.openTime[i])
            throw new BadInputError(`Run ${input.runId}: prediction ${i} is for ${iso(p.openTime[i]!)}, bar is ${iso(bar.openTime)}`);
          const step = processBar(state, {
            bar,
            prediction: p.prediction[i]!,
            modelVersion: p.modelVersion[i]!,
            funding: funding?.get(bar.openTime) ?? null,
            last: input.last && i === n - 1,
            params,
          });
          state = step.state;
          for (const t of step.trades) trades.push(t);
          times.push(step.equity.openTime);
          equity.push(step.equity.equity);
        }
        const simulateMs = performance.now() - started;
        heartbeat();
        // Each trade is stored whole, its funding included: trades.csv and the metrics read them back as they are.
        await insertTrades(
          db,
          input.runId,
          trades.map((t, j) => ({ seq: input.tradesBefore + j, symbol: input.symbol, ...t })),
        );
        await insertEquity(db, input.runId, times, equity);
        return { state, bars: n, trades: trades.length, simulateMs };
      });
    },

    async finishBacktest(input: FinishBacktestInput): Promise<BacktestSummary> {
      // Data or a funding series that changed since the run started cannot be fixed by a retry.
      return failFastOnBadInput(() => writeBacktestResults(db, input, heartbeat));
    },

    async failBacktest(input: { runId: string; error: string; workflowId: string; workflowRunId: string }): Promise<void> {
      // The run may have failed before it was registered (bad data), or on a run id another run owns: then it
      // has no row of its own to mark.
      const row = await getRun(db, input.runId);
      if (row && row.status === 'running' && row.workflowRunId === input.workflowRunId) {
        await failRun(db, input.runId, { finishedAt: Date.now(), error: input.error });
      }
    },

    async cancelBacktest(input: { runId: string; workflowRunId: string }): Promise<void> {
      const row = await getRun(db, input.runId);
      if (row && row.status === 'running' && row.workflowRunId === input.workflowRunId) await cancelRun(db, input.runId, Date.now());
    },
  };
}

function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Called outside an activity (a test): nothing to report to.
  }
}

export type BacktestActivities = ReturnType<typeof createBacktestActivities>;

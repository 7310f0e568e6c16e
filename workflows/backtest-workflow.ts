/**
 * BacktestWorkflow: a walk-forward replay of strategy.md's timeline, of any length.
 *
 * The run is cut into chunks of segments. Each chunk's models are trained by a child workflow
 * (BacktestTrainingWorkflow, trainings fanned out over the training fleet, two chunks at a time); then one
 * activity replays the chunk's bars through the live bot's own step (domain/trading/bar-step.ts) with the stored
 * predictions, carrying the trader state from chunk to chunk. Only that state, counters and references pass
 * through this history, so a year costs it a few hundred events, like a day.
 */
import { BAR_MS } from '../domain/bars';
import { backtestProgressQuery, chunkProgressSignal } from '../contracts/backtest';
import {
  ApplicationFailure,
  CancellationScope,
  executeChild,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { SEARCH_ATTRIBUTE_KEYS } from '../contracts/search-attributes';
import { initialState, readTradingParams } from '../domain/trading';
import type { BacktestActivities } from '../activities/backtest-activities';
import { TASK_QUEUES } from '../contracts/task-queues';
import { BacktestTrainingWorkflow } from './backtest-training-workflow';
import { errorText } from './error-text';
import { chunkSize, chunksOf, etaMs, runTimeline, workDone } from './backtest-plan';
import type { BacktestPhase, BacktestProgress, BacktestRequest, BacktestSummary, ChunkTrained } from '../contracts/backtest';

/** Training children running at once: the next chunk trains while the current one finishes and is simulated. */
const CHUNKS_AHEAD = 2;

const { prepareBacktest, simulateChunk, finishBacktest, failBacktest, cancelBacktest } = proxyActivities<BacktestActivities>({
  taskQueue: TASK_QUEUES.trading,
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 5, initialInterval: '1 second' },
});

function checkRequest(r: BacktestRequest): void {
  const problems: string[] = [];
  if (!(r.trainHours > 0)) problems.push(`trainHours must be > 0 (got ${r.trainHours})`);
  if (!(r.testHours > 0)) problems.push(`testHours must be > 0 (got ${r.testHours})`);
  if (!Number.isInteger(r.retrainMinutes) || r.retrainMinutes <= 0) problems.push(`retrainMinutes must be a positive integer (got ${r.retrainMinutes})`);
  if (r.start % BAR_MS !== 0) problems.push(`start must be on a minute boundary (got ${r.start})`);
  if (!(Number.isInteger(r.parallelTrainings) && r.parallelTrainings >= 1))
    problems.push(`parallelTrainings must be an integer >= 1 (got ${r.parallelTrainings})`);
  if (!(Number.isInteger(r.segmentsPerActivity) && r.segmentsPerActivity >= 1))
    problems.push(`segmentsPerActivity must be an integer >= 1 (got ${r.segmentsPerActivity})`);
  if (!(Number.isInteger(r.chunkSegments) && r.chunkSegments >= 0)) problems.push(`chunkSegments must be an integer >= 0 (got ${r.chunkSegments})`);
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(`Invalid backtest request: ${problems.join('; ')}`, 'InvalidBacktestRequest');
}

export async function BacktestWorkflow(request: BacktestRequest): Promise<BacktestSummary> {
  checkRequest(request);
  const info = workflowInfo();
  const timeline = runTimeline(request.start, request.trainHours, request.testHours, request.retrainMinutes);
  const chunks = chunksOf(timeline.segments, chunkSize(timeline.segments, request.chunkSegments));
  const startedAt = info.startTime.getTime();
  let state = initialState(readTradingParams(request.trading), timeline.t0);
  let phase: BacktestPhase = 'preparing';
  const chunkModels = chunks.map(() => 0);
  let barsDone = 0;
  let trades = 0;
  let chunksDone = 0;
  let updatedAt = startedAt;
  const barsTotal = Math.round((timeline.testTo - timeline.t0) / BAR_MS);

  const progress = (): BacktestProgress => {
    const counts = { modelsTrained: chunkModels.reduce((a, b) => a + b, 0), modelsTotal: timeline.segments, barsDone, barsTotal };
    const elapsedMs = updatedAt - startedAt;
    return { phase, ...counts, trades, equity: state.lastEquity, chunksDone, chunksTotal: chunks.length, elapsedMs, etaMs: etaMs(elapsedMs, workDone(counts)) };
  };
  const touch = (): void => {
    updatedAt = Date.now();
  };
  setHandler(backtestProgressQuery, progress);
  setHandler(chunkProgressSignal, ({ chunk, models }) => {
    if (chunk >= 0 && chunk < chunkModels.length) chunkModels[chunk] = Math.max(chunkModels[chunk]!, models);
    touch();
  });
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTE_KEYS.Symbol, value: request.symbol },
    { key: SEARCH_ATTRIBUTE_KEYS.TradingMode, value: 'backtest' },
    { key: SEARCH_ATTRIBUTE_KEYS.BacktestRun, value: request.runId },
    { key: SEARCH_ATTRIBUTE_KEYS.WorkflowKind, value: 'backtest' },
  ]);

  try {
    const prepared = await prepareBacktest({ request, workflowId: info.workflowId, workflowRunId: info.runId });
    phase = 'training';
    const trained: Promise<ChunkTrained>[] = [];
    const train = (c: number): void => {
      const { fromSeq, toSeq } = chunks[c]!;
      const child = executeChild(BacktestTrainingWorkflow, {
        workflowId: `${info.workflowId}-train-${c}`,
        taskQueue: TASK_QUEUES.trading,
        args: [
          {
            runId: request.runId,
            chunk: c,
            symbol: request.symbol,
            data: request.data,
            training: request.training,
            trading: request.trading,
            t0: timeline.t0,
            testTo: timeline.testTo,
            retrainMinutes: request.retrainMinutes,
            fromSeq,
            toSeq,
            psiWindowBars: request.monitoring.psiWindowBars,
            parallelTrainings: request.parallelTrainings,
            segmentsPerActivity: request.segmentsPerActivity,
            parentWorkflowId: info.workflowId,
          },
        ],
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTE_KEYS.Symbol, value: request.symbol },
          { key: SEARCH_ATTRIBUTE_KEYS.BacktestRun, value: request.runId },
          { key: SEARCH_ATTRIBUTE_KEYS.WorkflowKind, value: 'backtest-training' },
        ],
      });
      // Awaited in order below; until then a failure must not count as an unhandled rejection.
      child.catch(() => undefined);
      trained[c] = child;
    };

    const timings = { trainMs: 0, prepareMs: 0, dbMs: 0, simulateMs: 0 };
    let models = 0;
    let reused = 0;
    for (const { chunk, fromSeq, toSeq } of chunks) {
      for (let j = chunk; j < Math.min(chunk + CHUNKS_AHEAD, chunks.length); j++) if (!trained[j]) train(j);
      const done = await trained[chunk]!;
      chunkModels[chunk] = done.models;
      models += done.models;
      reused += done.reused;
      timings.trainMs += done.timings.trainMs;
      timings.prepareMs += done.timings.prepareMs;
      timings.dbMs += done.timings.dbMs;
      phase = 'trading';
      const simulated = await simulateChunk({
        runId: request.runId,
        symbol: request.symbol,
        data: request.data,
        funding: request.funding ?? null,
        trading: request.trading,
        fromSeq,
        toSeq,
        state,
        tradesBefore: trades,
        last: chunk === chunks.length - 1,
      });
      state = simulated.state;
      trades += simulated.trades;
      barsDone += simulated.bars;
      timings.simulateMs += simulated.simulateMs;
      chunksDone = chunk + 1;
      touch();
    }

    phase = 'writing';
    const summary = await finishBacktest({ request, prepared, timings, models, reused });
    phase = 'completed';
    touch();
    log.info('backtest completed', { runId: request.runId, trades, netPnl: summary.metrics.net_pnl });
    return summary;
  } catch (err) {
    const cancelled = isCancellation(err);
    phase = cancelled ? 'cancelled' : 'failed';
    // The run row must never stay 'running' or look finished after a failure or a cancel.
    await CancellationScope.nonCancellable(() =>
      cancelled
        ? cancelBacktest({ runId: request.runId, workflowRunId: info.runId })
        : failBacktest({ runId: request.runId, error: errorText(err), workflowId: info.workflowId, workflowRunId: info.runId }),
    );
    throw err;
  }
}

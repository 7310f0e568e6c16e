/**
 * BacktestWorkflow: a walk-forward replay of strategy.md's timeline. Models are trained by the same activity the
 * live retraining uses; every bar goes through the same workflow-side step as the live bot (workflows/bar-step.ts).
 */
import {
  ApplicationFailure,
  defineQuery,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { SEARCH_ATTRIBUTE_KEYS } from '../domain/search-attributes';
import { initialState, type Trade } from '../domain/trading';
import type { BacktestActivities } from '../activities/backtest-activities';
import type { TrainingActivities } from '../activities/training-activities';
import { TASK_QUEUES } from '../domain/task-queues';
import { processBar, segmentBars } from './bar-step';
import type {
  BacktestProgress,
  BacktestRequest,
  BacktestSummary,
  EquityRow,
  SegmentInputs,
  SegmentMonitoring,
  TrainedModel,
} from './backtest-types';
import { rollingSharpeOf } from '../domain/retrain-triggers';

export const backtestProgressQuery = defineQuery<BacktestProgress>('progress');

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

const { trainAndPredict } = proxyActivities<TrainingActivities>({
  taskQueue: TASK_QUEUES.training,
  startToCloseTimeout: '10 minutes',
  // Deterministic failures (too little data) are raised as non-retryable by the activity.
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
});

const { prepareBacktest, finishBacktest, failBacktest } = proxyActivities<BacktestActivities>({
  taskQueue: TASK_QUEUES.trading,
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
});

/** Training end times T_k = T0 + k x retrain, covering [T0, T0 + test). */
export function retrainTimes(t0: number, testHours: number, retrainMinutes: number): number[] {
  const end = t0 + testHours * HOUR_MS;
  const times: number[] = [];
  for (let t = t0; t < end; t += retrainMinutes * MINUTE_MS) times.push(t);
  return times;
}

function checkRequest(r: BacktestRequest): void {
  const problems: string[] = [];
  if (!(r.trainHours > 0)) problems.push(`trainHours must be > 0 (got ${r.trainHours})`);
  if (!(r.testHours > 0)) problems.push(`testHours must be > 0 (got ${r.testHours})`);
  if (!Number.isInteger(r.retrainMinutes) || r.retrainMinutes <= 0) problems.push(`retrainMinutes must be a positive integer (got ${r.retrainMinutes})`);
  if (r.start % MINUTE_MS !== 0) problems.push(`start must be on a minute boundary (got ${r.start})`);
  if (!(Number.isInteger(r.trainingLookahead) && r.trainingLookahead >= 0)) problems.push(`trainingLookahead must be an integer >= 0 (got ${r.trainingLookahead})`);
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(`Invalid backtest request: ${problems.join('; ')}`, 'InvalidBacktestRequest');
}

export async function BacktestWorkflow(request: BacktestRequest): Promise<BacktestSummary> {
  checkRequest(request);
  const t0 = request.start + request.trainHours * HOUR_MS;
  const times = retrainTimes(t0, request.testHours, request.retrainMinutes);
  const barsTotal = Math.round((request.testHours * HOUR_MS) / MINUTE_MS);
  let state = initialState(request.trading, t0);
  const trades: Trade[] = [];
  const equity: EquityRow[] = [{ openTime: t0, equity: state.lastEquity }];
  const models: TrainedModel[] = [];
  const predictions: number[] = [];
  const monitoring: SegmentMonitoring[] = [];
  let progress: BacktestProgress = {
    phase: 'preparing',
    modelsTrained: 0,
    modelsTotal: times.length,
    barsDone: 0,
    barsTotal,
    trades: 0,
    equity: state.lastEquity,
  };
  setHandler(backtestProgressQuery, () => progress);
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTE_KEYS.Symbol, value: request.symbol },
    { key: SEARCH_ATTRIBUTE_KEYS.TradingMode, value: 'backtest' },
    { key: SEARCH_ATTRIBUTE_KEYS.BacktestRun, value: request.runId },
    { key: SEARCH_ATTRIBUTE_KEYS.WorkflowKind, value: 'backtest' },
  ]);

  try {
    const prepared = await prepareBacktest(request);
    progress = { ...progress, phase: 'training' };

    // Trainings only depend on the data, so they are scheduled ahead of the segment being traded; each returns
    // its segment's bars and predictions.
    const segments: Promise<{ model: TrainedModel; inputs: SegmentInputs; drift: { feature: string; psi: number } }>[] = [];
    const schedule = (k: number): void => {
      const trainEnd = times[k]!;
      const to = Math.min(times[k + 1] ?? prepared.testTo, prepared.testTo);
      const segment = trainAndPredict({
        ...request.training,
        symbol: request.symbol,
        data: request.data,
        trading: request.trading,
        purpose: 'backtest',
        trainEnd,
        predict: { from: trainEnd, to },
        psiWindowBars: request.monitoring.psiWindowBars,
      }).then((result) => {
        progress = { ...progress, modelsTrained: progress.modelsTrained + 1 };
        return { model: result.model, inputs: result.segment, drift: result.drift };
      });
      // Awaited in order below; until then a failure must not count as an unhandled rejection, which would fail
      // the workflow task (and retry it forever) instead of failing the workflow with the activity's reason.
      segment.catch(() => undefined);
      segments[k] = segment;
    };

    const timings = { trainMs: 0, prepareMs: 0, dbMs: 0 };
    for (let k = 0; k < times.length; k++) {
      // Keep `trainingLookahead` trainings in flight beyond the segment being traded.
      for (let j = k; j <= Math.min(k + request.trainingLookahead, times.length - 1); j++) if (!segments[j]) schedule(j);
      const { model, inputs, drift } = await segments[k]!;
      models.push(model);
      timings.trainMs += inputs.timings.trainMs;
      timings.prepareMs += inputs.timings.prepareMs;
      timings.dbMs += inputs.timings.dbMs;
      predictions.push(...inputs.prediction);
      if (k === 0) progress = { ...progress, phase: 'trading' };
      const isLastSegment = k === times.length - 1;
      const bars = segmentBars(inputs);
      for (let i = 0; i < bars.length; i++) {
        const step = processBar(state, {
          bar: bars[i]!,
          prediction: inputs.prediction[i]!,
          modelVersion: model.version,
          last: isLastSegment && i === bars.length - 1,
          params: request.trading,
        });
        state = step.state;
        trades.push(...step.trades);
        equity.push(step.equity);
      }
      progress = { ...progress, barsDone: equity.length - 1, trades: trades.length, equity: state.lastEquity };
      const sharpe = rollingSharpeOf(equity.map((p) => p.equity), Math.min(request.monitoring.sharpeWindowBars, equity.length));
      const m = request.monitoring;
      monitoring.push({
        from: times[k]!,
        modelVersion: model.version,
        maxPsi: drift,
        rollingSharpe: sharpe,
        wouldTrigger: drift.psi > m.psiThreshold ? 'drift' : sharpe !== null && sharpe < m.sharpeThreshold ? 'performance' : null,
      });
    }
    segments.length = 0;

    progress = { ...progress, phase: 'writing' };
    const summary = await finishBacktest({ request, prepared, trades, equity, predictions, models, monitoring, timings });
    progress = { ...progress, phase: 'completed' };
    log.info('backtest completed', { runId: request.runId, trades: trades.length, netPnl: summary.metrics.net_pnl });
    return summary;
  } catch (err) {
    progress = { ...progress, phase: 'failed' };
    // The run row must never stay 'running' or look finished after a failure.
    await failBacktest({ runId: request.runId, error: errorText(err), workflowId: workflowInfo().workflowId });
    throw err;
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

/**
 * BacktestTrainingWorkflow: trains the models of one chunk of a backtest's segments. The trainings are
 * independent, so up to `parallelTrainings` are requested at once and the training fleet (any number of
 * `npm run worker:training` processes on any hosts) runs as many as it has slots. Each activity stores its
 * model, predictions and segment row and returns a few numbers; the chunk's history stays bounded by its size.
 */
import { getExternalWorkflowHandle, proxyActivities } from '@temporalio/workflow';
import type { TrainingActivities } from '../activities/training-activities';
import { TASK_QUEUES } from '../contracts/task-queues';
import { segmentSpan, timelineOf } from './backtest-plan';
import type { ChunkTrained, SegmentTrained, TrainChunkInput } from '../contracts/backtest';
import { chunkProgressSignal } from '../contracts/backtest';

const { trainSegments } = proxyActivities<TrainingActivities>({
  taskQueue: TASK_QUEUES.training,
  // A training heartbeats while it runs: a killed training host is noticed within the heartbeat timeout and its
  // segment goes to another slot, while a long training (a big window) is not cut short.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '20 seconds',
  // Deterministic failures (too little data) are raised as non-retryable by the activity.
  retry: { maximumAttempts: 5, initialInterval: '1 second' },
});

/** Progress reports to the parent per chunk (each costs an event on both sides). */
const REPORTS_PER_CHUNK = 5;

export async function BacktestTrainingWorkflow(input: TrainChunkInput): Promise<ChunkTrained> {
  const timeline = timelineOf(input.t0, input.testTo, input.retrainMinutes);
  const total = input.toSeq - input.fromSeq;
  const reportEvery = Math.max(1, Math.ceil(total / REPORTS_PER_CHUNK));
  const parent = input.parentWorkflowId === null ? null : getExternalWorkflowHandle(input.parentWorkflowId);
  const results: SegmentTrained[] = [];
  let next = input.fromSeq;
  let reported = 0;

  const trainBatch = async (fromSeq: number, toSeq: number): Promise<void> => {
    const segments = [];
    for (let seq = fromSeq; seq < toSeq; seq++) {
      const { trainEnd, to } = segmentSpan(timeline, seq);
      segments.push({ seq, trainEnd, segmentTo: to });
    }
    results.push(
      ...(await trainSegments({
        ...input.training,
        symbol: input.symbol,
        data: input.data,
        trading: input.trading,
        purpose: 'backtest',
        runId: input.runId,
        segments,
        psiWindowBars: input.psiWindowBars,
      })),
    );
    if (parent && (results.length - reported >= reportEvery || results.length === total)) {
      reported = results.length;
      await parent.signal(chunkProgressSignal, { chunk: input.chunk, models: results.length });
    }
  };
  // A fixed number of lanes, each taking the next batch: at most `parallelTrainings` models requested at once.
  const batch = Math.max(1, input.segmentsPerActivity);
  const lane = async (): Promise<void> => {
    while (next < input.toSeq) {
      const from = next;
      next = Math.min(next + batch, input.toSeq);
      await trainBatch(from, next);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.ceil(input.parallelTrainings / batch), Math.ceil(total / batch)) }, lane));

  const sum = (f: (r: SegmentTrained) => number) => results.reduce((s, r) => s + f(r), 0);
  return {
    chunk: input.chunk,
    models: results.length,
    reused: results.filter((r) => r.reused).length,
    timings: { trainMs: sum((r) => r.timings.trainMs), prepareMs: sum((r) => r.timings.prepareMs), dbMs: sum((r) => r.timings.dbMs) },
  };
}

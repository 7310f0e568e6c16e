/**
 * BacktestWorkflow's chunking on the time-skipping test server (contracts/backtest.ts, workflows/backtest-plan.ts),
 * with mocked activities: prepareBacktest / simulateChunk / finishBacktest on the trading queue and the training
 * children's trainSegments on the training queue. No bars, models or files: the mocks record what they were asked.
 * Covered: every segment trained exactly once, in batches of segmentsPerActivity that never straddle a chunk, with
 * at most ceil(parallelTrainings / segmentsPerActivity) batches in flight per chunk; chunks simulated in order, each after its own models and
 * with the trader state the previous chunk returned; the progress query during and after the run; the totals
 * handed to finishBacktest; histories that stay small (a few events per chunk, none per bar).
 */
import { temporal } from '@temporalio/proto';
import {
  backtestProgressQuery,
  type BacktestRequest,
  type FinishBacktestInput,
  type SegmentTrained,
  type SimulateChunkInput,
  type SimulateChunkResult,
} from '../../contracts/backtest';
import { TASK_QUEUES } from '../../contracts/task-queues';
import type { TraderState } from '../../domain/trading';
import { BacktestWorkflow } from '../../workflows';
import { startTimeSkippingEnv, type MockActivities, type TimeSkippingEnv } from '../helpers/time-skipping-env';
import { waitFor } from '../helpers/wait-for';
import { MINUTE, TRADING } from './fixtures/bot-input';

const START = Date.UTC(2024, 0, 1);
const TRAIN_HOURS = 2;
const T0 = START + TRAIN_HOURS * 60 * MINUTE;
const RETRAIN_MINUTES = 10;
const TEST_HOURS = 10;
const SEGMENTS = (TEST_HOURS * 60) / RETRAIN_MINUTES; // 60
const CHUNK_SEGMENTS = 8; // 8 chunks: 7 of 8 segments and one of 4
const CHUNKS = Math.ceil(SEGMENTS / CHUNK_SEGMENTS);
const BARS_PER_SEGMENT = RETRAIN_MINUTES;
/** The chunk whose simulation waits for the test to look at the progress. */
const HELD_CHUNK = 3;

const request: BacktestRequest = {
  runId: 'chunking-test',
  symbol: 'BTCUSDT',
  data: { kind: 'file', path: '/data/BTCUSDT-1m.csv', sha256: 'ab'.repeat(32), from: START, to: T0 + TEST_HOURS * 60 * MINUTE },
  start: START,
  trainHours: TRAIN_HOURS,
  testHours: TEST_HOURS,
  retrainMinutes: RETRAIN_MINUTES,
  training: { windowMinutes: 60, horizon: 10, validationFraction: 0.2, lightgbm: { num_iterations: 20 } },
  trading: TRADING,
  outDir: '/tmp/backtests/chunking-test',
  monitoring: { psiWindowBars: 60, psiThreshold: 0.25, sharpeWindowBars: 120, sharpeThreshold: -1 },
  parallelTrainings: 4,
  segmentsPerActivity: 3,
  chunkSegments: CHUNK_SEGMENTS,
  config: { note: 'recorded in summary.json' },
};

const chunkOf = (seq: number) => Math.floor(seq / CHUNK_SEGMENTS);

function backtestMocks() {
  const state = {
    trainCalls: [] as { seqs: number[]; trainEnds: number[]; segmentTos: number[] }[],
    trainedSeqs: [] as number[],
    inFlightByChunk: new Map<number, number>(),
    maxInFlightPerChunk: 0,
    simulated: [] as { input: SimulateChunkInput; result: SimulateChunkResult; trainedBefore: number[] }[],
    finished: [] as FinishBacktestInput[],
    releaseHeld: () => undefined as void,
    heldReached: false,
  };
  const held = new Promise<void>((resolve) => {
    state.releaseHeld = resolve;
  });
  const mocks: MockActivities = {
    trading: {
      prepareBacktest: ({ request: r }) =>
        Promise.resolve({
          testFrom: T0,
          testTo: T0 + r.testHours * 60 * MINUTE,
          dataFrom: r.data.from,
          dataTo: r.data.to,
          bars: (r.data.to - r.data.from) / MINUTE,
        }),
      async simulateChunk(input) {
        const bars = (input.toSeq - input.fromSeq) * BARS_PER_SEGMENT;
        // A recognisable trader: each chunk adds its bars, one trade and its first segment number to the equity.
        const next: TraderState = {
          ...input.state,
          lastEquity: input.state.lastEquity + 1 + input.fromSeq,
          lastBarTime: T0 + (input.toSeq * BARS_PER_SEGMENT - 1) * MINUTE,
          counters: { ...input.state.counters, bars: input.state.counters.bars + bars, trades: input.state.counters.trades + 1 },
        };
        const result = { state: next, bars, trades: 1, simulateMs: 5 };
        state.simulated.push({ input, result, trainedBefore: [...state.trainedSeqs] });
        if (input.fromSeq === HELD_CHUNK * CHUNK_SEGMENTS) {
          state.heldReached = true;
          await held;
        }
        return result;
      },
      finishBacktest: (input) => {
        state.finished.push(input);
        return Promise.resolve({ runId: input.request.runId, outDir: input.request.outDir, metrics: { net_pnl: 42 }, files: ['summary.json'] });
      },
    },
    training: {
      async trainSegments(input): Promise<SegmentTrained[]> {
        const seqs = input.segments.map((s) => s.seq);
        state.trainCalls.push({ seqs, trainEnds: input.segments.map((s) => s.trainEnd), segmentTos: input.segments.map((s) => s.segmentTo) });
        const chunk = chunkOf(seqs[0]!);
        const inFlight = (state.inFlightByChunk.get(chunk) ?? 0) + seqs.length;
        state.inFlightByChunk.set(chunk, inFlight);
        state.maxInFlightPerChunk = Math.max(state.maxInFlightPerChunk, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        state.inFlightByChunk.set(chunk, state.inFlightByChunk.get(chunk)! - seqs.length);
        state.trainedSeqs.push(...seqs);
        return seqs.map((seq) => ({ seq, version: `model-${seq}`, reused: seq % 10 === 0, timings: { trainMs: 100, prepareMs: 10, dbMs: 1 } }));
      },
    },
  };
  return { state, mocks };
}

let ts: TimeSkippingEnv;

beforeAll(async () => {
  ts = await startTimeSkippingEnv();
});
afterAll(async () => {
  await ts?.stop();
});

test('a run is trained and simulated chunk by chunk, carrying the trader, with bounded histories', async () => {
  const { state, mocks } = backtestMocks();
  await ts.withWorkers(mocks, async () => {
    const workflowId = `backtest-${request.symbol}-${request.runId}`;
    const handle = await ts.client.workflow.start(BacktestWorkflow, { workflowId, taskQueue: TASK_QUEUES.trading, args: [request] });

    // Progress while chunk 3 is being simulated: three chunks done, the models of at least four trained.
    await waitFor('chunk 3 to be simulated', () => Promise.resolve(state.heldReached ? true : undefined), 20_000, 10);
    const during = await handle.query(backtestProgressQuery);
    expect(during).toMatchObject({
      phase: 'trading',
      chunksDone: HELD_CHUNK,
      chunksTotal: CHUNKS,
      modelsTotal: SEGMENTS,
      barsDone: HELD_CHUNK * CHUNK_SEGMENTS * BARS_PER_SEGMENT,
      barsTotal: SEGMENTS * BARS_PER_SEGMENT,
      trades: HELD_CHUNK,
      equity: state.simulated[HELD_CHUNK - 1]!.result.state.lastEquity,
    });
    expect(during.modelsTrained).toBeGreaterThanOrEqual((HELD_CHUNK + 1) * CHUNK_SEGMENTS);
    expect(during.modelsTrained).toBeLessThanOrEqual((HELD_CHUNK + 2) * CHUNK_SEGMENTS); // at most one chunk ahead
    state.releaseHeld();

    const summary = await handle.result();
    expect(summary).toEqual({ runId: request.runId, outDir: request.outDir, metrics: { net_pnl: 42 }, files: ['summary.json'] });

    // Every segment trained exactly once, with its own training end and segment end.
    expect([...state.trainedSeqs].sort((a, b) => a - b)).toEqual(Array.from({ length: SEGMENTS }, (_, k) => k));
    for (const call of state.trainCalls) {
      expect(call.seqs.length).toBeLessThanOrEqual(request.segmentsPerActivity);
      expect(new Set(call.seqs.map(chunkOf)).size).toBe(1);
      call.seqs.forEach((seq, i) => {
        expect(call.trainEnds[i]).toBe(T0 + seq * RETRAIN_MINUTES * MINUTE);
        expect(call.segmentTos[i]).toBe(T0 + (seq + 1) * RETRAIN_MINUTES * MINUTE);
      });
    }
    // Per chunk, ceil(parallelTrainings / segmentsPerActivity) lanes of one batch each.
    const lanes = Math.ceil(request.parallelTrainings / request.segmentsPerActivity);
    expect(state.maxInFlightPerChunk).toBeLessThanOrEqual(lanes * request.segmentsPerActivity);

    // Chunks simulated in order, each after all of its models, each from the state the previous one returned.
    expect(state.simulated.map((s) => [s.input.fromSeq, s.input.toSeq, s.input.last])).toEqual(
      Array.from({ length: CHUNKS }, (_, c) => [c * CHUNK_SEGMENTS, Math.min((c + 1) * CHUNK_SEGMENTS, SEGMENTS), c === CHUNKS - 1]),
    );
    state.simulated.forEach(({ input, trainedBefore }, c) => {
      for (let seq = input.fromSeq; seq < input.toSeq; seq++) expect(trainedBefore).toContain(seq);
      expect(input.tradesBefore).toBe(c);
      if (c === 0) {
        expect(input.state).toMatchObject({ cash: TRADING.startingCapital, lastEquity: TRADING.startingCapital, position: null, lastBarTime: null });
        expect(input.state.counters).toEqual({ bars: 0, trades: 0, wins: 0, feesPaid: 0 });
      } else {
        expect(input.state).toEqual(state.simulated[c - 1]!.result.state);
      }
    });

    // The totals of the children and the simulations, handed to finishBacktest once.
    expect(state.finished).toHaveLength(1);
    expect(state.finished[0]).toMatchObject({
      models: SEGMENTS,
      reused: SEGMENTS / 10,
      timings: { trainMs: 100 * SEGMENTS, prepareMs: 10 * SEGMENTS, dbMs: SEGMENTS, simulateMs: 5 * CHUNKS },
      prepared: { testFrom: T0, testTo: T0 + TEST_HOURS * 60 * MINUTE },
    });

    const after = await handle.query(backtestProgressQuery);
    expect(after).toMatchObject({
      phase: 'completed',
      chunksDone: CHUNKS,
      modelsTrained: SEGMENTS,
      barsDone: SEGMENTS * BARS_PER_SEGMENT,
      trades: CHUNKS,
      etaMs: 0,
    });

    // Histories grow with chunks and training batches, never with bars or segments' data: the parent records per
    // chunk its child, its simulation and up to five progress signals (about 26 events with their workflow tasks),
    // a child per batch its activity and its progress report (about 12).
    const events = async (id: string) => (await ts.client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const parent = await events(workflowId);
    expect(parent.length).toBeLessThan(35 * CHUNKS);
    const childStarts = parent.filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
    expect(childStarts).toHaveLength(CHUNKS);
    for (let c = 0; c < CHUNKS; c++) {
      const batches = Math.ceil((Math.min((c + 1) * CHUNK_SEGMENTS, SEGMENTS) - c * CHUNK_SEGMENTS) / request.segmentsPerActivity);
      expect((await events(`${workflowId}-train-${c}`)).length).toBeLessThan(12 * batches + 10);
    }
  });
});

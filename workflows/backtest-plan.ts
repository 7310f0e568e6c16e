/**
 * The arithmetic of a walk-forward run, shared by its workflows and activities: retrain times, segments, chunks
 * and the progress estimate. Pure, so it is unit-tested and replays deterministically.
 */
import { BAR_MS } from '../domain/bars';

const HOUR_MS = 3_600_000;

export interface RunTimeline {
  /** T0: the first test bar (and the first training end). */
  readonly t0: number;
  /** End of the test (exclusive). */
  readonly testTo: number;
  readonly retrainMs: number;
  readonly segments: number;
}

export function runTimeline(start: number, trainHours: number, testHours: number, retrainMinutes: number): RunTimeline {
  const t0 = start + trainHours * HOUR_MS;
  return timelineOf(t0, t0 + testHours * HOUR_MS, retrainMinutes);
}

export function timelineOf(t0: number, testTo: number, retrainMinutes: number): RunTimeline {
  const retrainMs = retrainMinutes * BAR_MS;
  return { t0, testTo, retrainMs, segments: Math.ceil((testTo - t0) / retrainMs) };
}

/** Segment k: the model trained at T_k predicts the bars opening in [T_k, T_k+1), the last one cut at the test end. */
export function segmentSpan(t: RunTimeline, k: number): { trainEnd: number; to: number } {
  const trainEnd = t.t0 + k * t.retrainMs;
  return { trainEnd, to: Math.min(trainEnd + t.retrainMs, t.testTo) };
}

/** Fewest segments per chunk: a week of hourly models, so short runs need one or a few children. */
export const MIN_CHUNK_SEGMENTS = 168;
/** Most chunks of a run: the parent's history stays a few thousand events even over decades. */
export const MAX_CHUNKS = 200;

/** Segments per chunk: the request's choice, else enough to keep the number of chunks below MAX_CHUNKS. */
export function chunkSize(segments: number, requested: number): number {
  if (requested > 0) return requested;
  return Math.max(MIN_CHUNK_SEGMENTS, Math.ceil(segments / MAX_CHUNKS));
}

export interface Chunk {
  readonly chunk: number;
  readonly fromSeq: number;
  readonly toSeq: number;
}

export function chunksOf(segments: number, size: number): Chunk[] {
  const out: Chunk[] = [];
  for (let from = 0, c = 0; from < segments; from += size, c++) out.push({ chunk: c, fromSeq: from, toSeq: Math.min(from + size, segments) });
  return out;
}

/** Share of the whole run's work done: trainings dominate, the simulation is the rest. */
export function workDone(p: { modelsTrained: number; modelsTotal: number; barsDone: number; barsTotal: number }): number {
  const models = p.modelsTotal > 0 ? p.modelsTrained / p.modelsTotal : 1;
  const bars = p.barsTotal > 0 ? p.barsDone / p.barsTotal : 1;
  return 0.9 * models + 0.1 * bars;
}

/** Remaining time at the pace so far (null before anything is done). */
export function etaMs(elapsedMs: number, done: number): number | null {
  if (!(done > 0)) return null;
  if (done >= 1) return 0;
  return Math.round((elapsedMs * (1 - done)) / done);
}

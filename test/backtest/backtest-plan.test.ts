import { chunkSize, chunksOf, etaMs, MAX_CHUNKS, MIN_CHUNK_SEGMENTS, runTimeline, segmentSpan, workDone } from '../../workflows/backtest-plan';

const T = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;

describe('the walk-forward timeline', () => {
  test('a model every retrain period from T0, the last segment cut at the end of the test', () => {
    const t = runTimeline(T, 48, 2.5, 60);
    expect(t.t0).toBe(T + 48 * HOUR);
    expect(t.segments).toBe(3);
    expect(segmentSpan(t, 0)).toEqual({ trainEnd: t.t0, to: t.t0 + HOUR });
    expect(segmentSpan(t, 2)).toEqual({ trainEnd: t.t0 + 2 * HOUR, to: t.t0 + 2.5 * HOUR });
    expect(segmentSpan(t, 1).trainEnd).toBe(t.t0 + HOUR);
  });

  test('a year of hourly models: 8,760 segments in at most MAX_CHUNKS chunks that cover each segment once', () => {
    const t = runTimeline(T, 48, 365 * 24, 60);
    expect(t.segments).toBe(8_760);
    const chunks = chunksOf(t.segments, chunkSize(t.segments, 0));
    expect(chunks.length).toBeLessThanOrEqual(MAX_CHUNKS);
    expect(chunks[0]).toEqual({ chunk: 0, fromSeq: 0, toSeq: MIN_CHUNK_SEGMENTS });
    expect(chunks.at(-1)!.toSeq).toBe(8_760);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.fromSeq).toBe(chunks[i - 1]!.toSeq);
  });

  test('decades keep the number of chunks bounded; chunks grow instead', () => {
    const segments = 30 * 8_760;
    const size = chunkSize(segments, 0);
    expect(chunksOf(segments, size).length).toBeLessThanOrEqual(MAX_CHUNKS);
    expect(size).toBeGreaterThan(MIN_CHUNK_SEGMENTS);
    expect(chunkSize(segments, 50)).toBe(50);
  });
});

describe('progress', () => {
  test('trainings weigh 90 % of the work, the simulation the rest; ETA from the pace so far', () => {
    expect(workDone({ modelsTrained: 50, modelsTotal: 100, barsDone: 0, barsTotal: 6_000 })).toBeCloseTo(0.45);
    expect(workDone({ modelsTrained: 100, modelsTotal: 100, barsDone: 6_000, barsTotal: 6_000 })).toBe(1);
    expect(etaMs(10_000, 0)).toBeNull();
    expect(etaMs(10_000, 0.25)).toBe(30_000);
    expect(etaMs(10_000, 1)).toBe(0);
  });
});

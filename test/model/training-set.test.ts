import { BAR_MS, type Bar } from '../../domain/bars';
import { N_FEATURES, WARMUP_BARS, computeFeatureMatrix, forwardReturns } from '../../model/features';
import { buildTrainingSet } from '../../model/training-set';

const T0 = 1_690_000_020_000 - (1_690_000_020_000 % BAR_MS);
const MIN = BAR_MS;

function walk(n: number): Bar[] {
  let s = 42;
  let c = 30_000;
  return Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    c *= 1 + (s / 2 ** 32 - 0.5) * 0.003;
    return { openTime: T0 + i * MIN, open: c, high: c * 1.0005, low: c * 0.9995, close: c, volume: 1 + (i % 5) };
  });
}

describe('buildTrainingSet', () => {
  const bars = walk(600);
  const features = computeFeatureMatrix(bars);
  const open = (i: number): number => bars[i]!.openTime;
  const H = 10;

  it('takes rows opened in [T - W, T) whose target bar has closed by T, then splits 80/20 with an H-row purge', () => {
    // T = open of bar 400 + 30 s (not on a minute boundary), W = 200.5 min: rows 200..399 opened in the window;
    // row t's target c_{t+10} is known at open_t + 11 min <= T, so rows 200..389 qualify: N = 190.
    // Train part floor(190 * 0.8) = 152 rows (200..351), validation 38 rows (352..389);
    // the last 10 training rows (342..351) are purged, leaving 142 (200..341).
    const set = buildTrainingSet({ bars, features, trainEnd: open(400) + 30_000, windowMs: 200 * MIN + 30_000, horizon: H });
    expect(set.nCols).toBe(N_FEATURES);
    expect(set.nTrain).toBe(142);
    expect(set.nValid).toBe(38);
    expect(set.nPurged).toBe(H);
    expect(set.trainRange).toEqual({ from: open(200), to: open(341) });
    expect(set.validRange).toEqual({ from: open(352), to: open(389) });
    expect(set.xTrain).toHaveLength(142 * N_FEATURES);
    expect(set.xValid).toHaveLength(38 * N_FEATURES);

    // Rows and targets are the features and forward returns of those bars.
    const y = forwardReturns(bars, H);
    expect(Array.from(set.xTrain.subarray(0, N_FEATURES))).toEqual(Array.from(features.subarray(200 * N_FEATURES, 201 * N_FEATURES)));
    expect(Array.from(set.xValid.subarray(-N_FEATURES))).toEqual(Array.from(features.subarray(389 * N_FEATURES, 390 * N_FEATURES)));
    expect(set.yTrain[0]).toBe(y[200]);
    expect(set.yTrain[141]).toBe(y[341]);
    expect(set.yValid[0]).toBe(y[352]);
    expect(set.yValid[37]).toBe(y[389]);
  });

  it('never lets a training target reach the validation period, nor any target pass T', () => {
    const trainEnd = open(500);
    const set = buildTrainingSet({ bars, features, trainEnd, windowMs: 300 * MIN, horizon: H });
    const lastTrain = (set.trainRange.to - T0) / MIN;
    const lastValid = (set.validRange.to - T0) / MIN;
    // The last training target ends at the close of bar lastTrain + H, before the first validation bar opens.
    expect(open(lastTrain + H) + MIN).toBeLessThanOrEqual(set.validRange.from);
    expect(open(lastValid + H) + MIN).toBeLessThanOrEqual(trainEnd);
    // One more row would have an unknown target.
    expect(open(lastValid + 1 + H) + MIN).toBeGreaterThan(trainEnd);
  });

  it('starts after the warm-up when the window reaches back into it', () => {
    const set = buildTrainingSet({ bars, features, trainEnd: open(400), windowMs: 10_000 * MIN, horizon: H });
    expect(set.trainRange.from).toBe(open(WARMUP_BARS));
  });

  it('stops at the last bar whose target is in the history', () => {
    const set = buildTrainingSet({ bars, features, trainEnd: open(599) + 100 * MIN, windowMs: 300 * MIN, horizon: H });
    expect(set.validRange.to).toBe(open(599 - H));
  });

  it('excludes a bar that opened before T - W, even by 30 s', () => {
    const set = buildTrainingSet({ bars, features, trainEnd: open(400) + 30_000, windowMs: 200 * MIN, horizon: H });
    expect(set.trainRange.from).toBe(open(201));
  });

  it('honours validationFraction', () => {
    // Rows 200..389 again (T on the minute this time): 190 rows, half of them validate.
    const set = buildTrainingSet({ bars, features, trainEnd: open(400), windowMs: 200 * MIN, horizon: H, validationFraction: 0.5, minTrainRows: 50 });
    expect(set.nValid).toBe(95);
    expect(set.nTrain).toBe(95 - H);
  });

  it('names the counts when the window is too short', () => {
    expect(() => buildTrainingSet({ bars, features, trainEnd: open(400), windowMs: 60 * MIN, horizon: H })).toThrow(
      /too short: 50 usable rows.*give 30 training rows after purging 10 \(need >= 100\) and 10 validation rows \(need >= 20\)/,
    );
    expect(() => buildTrainingSet({ bars, features, trainEnd: open(100), windowMs: 60 * MIN, horizon: H })).toThrow(/0 usable rows/);
  });

  it('rejects a gap in the bars and features of the wrong shape', () => {
    const gapped = [...bars.slice(0, 300), ...bars.slice(302)];
    const dummy = new Float64Array(gapped.length * N_FEATURES);
    expect(() => buildTrainingSet({ bars: gapped, features: dummy, trainEnd: open(500), windowMs: 300 * MIN, horizon: H })).toThrow(
      /not contiguous: bar 300 opens at .*2 minutes missing/,
    );
    expect(() => buildTrainingSet({ bars, features: features.subarray(19), trainEnd: open(500), windowMs: 300 * MIN, horizon: H })).toThrow(
      /expected 600 bars x 19/,
    );
  });
});

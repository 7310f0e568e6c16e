// `npm run train`: one model, its validation metrics as JSON, no infrastructure.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_NAMES, WARMUP_BARS } from '../../model/features';
import { loadShippedBars } from '../helpers/shipped-data';
import { iso, runScript, tempDir, writeBars } from './run-script';

const HOUR_MS = 3_600_000;

describe('npm run train', () => {
  const bars = loadShippedBars().slice(0, 50 * 60);
  const first = bars[0]!.openTime;
  let dir: string;
  let data: string;
  const train = (...args: string[]) => runScript('train.ts', args, join(dir, 'data-dir'));

  beforeAll(() => {
    dir = tempDir('train');
    data = writeBars(dir, 'fifty-hours.csv', bars);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('prints the validation metrics of the model trained on the 48 h window ending at --end', () => {
    const end = first + 49 * HOUR_MS;
    const modelFile = join(dir, 'model.txt');

    const run = train('--data', data, '--end', String(end), '--save-model', modelFile);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ symbol: 'BTCUSDT', trainStart: iso(end - 48 * HOUR_MS), trainEnd: iso(end), windowHours: 48, horizon: 10, modelFile });
    for (const key of ['rmse', 'directionalAccuracy', 'ic', 'baselineRmse', 'validSharpe', 'trainMs']) {
      expect(Number.isFinite(report[key])).toBe(true);
    }
    expect(report.rmse).toBeGreaterThan(0);
    expect(report.directionalAccuracy).toBeGreaterThanOrEqual(0);
    expect(report.directionalAccuracy).toBeLessThanOrEqual(1);
    expect(report.bestIteration).toBeGreaterThanOrEqual(1);
    // The window's rows (bars 60 .. 2939) less the file's 120 warm-up bars and the 10 whose target is not known by
    // --end; 80 % train (less the 10 purged before validation), 20 % validate.
    const rows = 48 * 60 - (WARMUP_BARS - 60) - 10;
    expect(report.nValid).toBe(rows - Math.floor(rows * 0.8));
    expect(report.nTrain).toBe(Math.floor(rows * 0.8) - 10);
    const top = report.topFeatures as { feature: string; gain: number }[];
    expect(top).toHaveLength(5);
    for (const { feature } of top) expect(FEATURE_NAMES).toContain(feature);
    expect(top.map((f) => f.gain)).toEqual([...top.map((f) => f.gain)].sort((a, b) => b - a));
    expect(readFileSync(modelFile, 'utf8')).toMatch(/^tree\nversion=v4\n/);
  });

  test.each([
    ['not on a minute', iso(first + 49 * HOUR_MS + 30_000), [`--end must be on a minute boundary (got ${iso(first + 49 * HOUR_MS + 30_000)})`]],
    // The file covers 50 h; a model needs the 48 h before --end.
    [
      'after the data',
      iso(first + 51 * HOUR_MS),
      [
        `--end ${iso(first + 51 * HOUR_MS)} is after the data`,
        `covers ${iso(first)} .. ${iso(first + 50 * HOUR_MS)}, so --end must be within ${iso(first + 48 * HOUR_MS)} .. ${iso(first + 50 * HOUR_MS)}`,
      ],
    ],
    ['before a full window', iso(first + 47 * HOUR_MS), ['leaves 47.0 h of data before it, less than the 48 h training window (data.rolling_window_hours)']],
    ['not a time', 'tomorrow', ["--end: 'tomorrow' is neither an ISO time"]],
  ])('an --end %s fails with exit 1 and says why', (_case, end, messages) => {
    const run = train('--data', data, '--end', end);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    for (const message of messages) expect(run.stderr).toContain(message);
  });
});

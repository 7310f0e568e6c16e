// `npm run features`: the exported table equals the features and targets the model is trained on.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { computeFeatureMatrix, FEATURE_NAMES, N_FEATURES, WARMUP_BARS } from '../../model/features';
import { loadShippedBars } from '../helpers/shipped-data';
import { iso, runScript, tempDir, writeBars } from './run-script';

const HORIZON = 10; // config/config.yaml training.prediction_horizon_minutes

describe('npm run features', () => {
  const bars = loadShippedBars().slice(0, 300);
  let dir: string;
  const features = (...args: string[]) => runScript('features.ts', args, join(dir, 'data-dir'));

  beforeAll(() => {
    dir = tempDir('features');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('writes one row per bar after the warm-up: open_time, the 19 features as computed, the target', () => {
    const data = writeBars(dir, 'bars-300.csv', bars);
    const out = join(dir, 'features-300.csv');

    const run = features('--data', data, '--out', out);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Wrote ${300 - WARMUP_BARS} rows`);
    const [header, ...rows] = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => line.split(','));
    expect(header).toEqual(['open_time', ...FEATURE_NAMES, 'target']);
    expect(rows).toHaveLength(300 - WARMUP_BARS);
    const expected = computeFeatureMatrix(bars);
    rows.forEach((cells, r) => {
      const t = WARMUP_BARS + r;
      expect(cells).toHaveLength(N_FEATURES + 2);
      expect(Number(cells[0])).toBe(bars[t]!.openTime);
      // Full precision: the text reads back as the very same float64.
      expect(cells.slice(1, 1 + N_FEATURES).map(Number)).toEqual(Array.from(expected.subarray(t * N_FEATURES, (t + 1) * N_FEATURES)));
      const target = cells[N_FEATURES + 1];
      if (t + HORIZON < bars.length) expect(Number(target)).toBe(bars[t + HORIZON]!.close / bars[t]!.close - 1);
      else expect(target).toBe('');
    });
    expect(rows.filter((cells) => cells[N_FEATURES + 1] === '')).toHaveLength(HORIZON);
  });

  test('reads gzip Binance kline dumps the same as the plain format; --horizon sets the target', () => {
    const klines = bars.map((b) => [b.openTime, b.open, b.high, b.low, b.close, b.volume, b.openTime + 59_999, 0, 0, 0, 0, 0].join(','));
    const data = join(dir, 'klines.csv.gz');
    writeFileSync(data, gzipSync(`${klines.join('\n')}\n`));
    const plain = join(dir, 'plain-h3.csv');
    const fromKlines = join(dir, 'klines-h3.csv');

    expect(features('--data', writeBars(dir, 'plain.csv', bars), '--out', plain, '--horizon', '3').code).toBe(0);
    expect(features('--data', data, '--out', fromKlines, '--horizon', '3').code).toBe(0);

    const text = readFileSync(fromKlines, 'utf8');
    expect(text).toBe(readFileSync(plain, 'utf8'));
    const lastRows = text.trimEnd().split('\n').slice(-4);
    expect(lastRows.map((line) => line.split(',')[N_FEATURES + 1])).toEqual([expect.stringMatching(/\d/), '', '', '']);
  });

  test('a gap in the file fails with the first missing bar and leaves no output behind', () => {
    const data = writeBars(dir, 'gap.csv', [...bars.slice(0, 200), ...bars.slice(202)]);
    const out = join(dir, 'gap-features.csv');

    const run = features('--data', data, '--out', out);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error: Data file ${data} has 1 gap(s) between its first and last bar; the first: 2 bar(s) missing from ${iso(bars[200]!.openTime)}`,
    );
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  test('missing --out is a usage error (exit 2)', () => {
    const run = features('--data', 'whatever.csv');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: --out FILE.csv is required');
    expect(run.stderr).toContain('Usage: npm run features');
  });
});

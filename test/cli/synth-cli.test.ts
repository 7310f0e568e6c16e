// `npm run synth`: a seeded synthetic bar file that the project's own parser reads, labelled as synthetic.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseBarCsv } from '../../domain/bar-csv';
import { runScript, tempDir } from './run-script';

describe('npm run synth', () => {
  let dir: string;
  const synth = (...args: string[]) => runScript('synth.ts', args, join(dir, 'data-dir'));

  beforeAll(() => {
    dir = tempDir('synth');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('--days 2 writes 2880 contiguous gzip bars that parseBarCsv accepts, with a sidecar naming seed and parameters', () => {
    const out = join(dir, 'ethusdt-1m-synthetic-seed7-2d.csv.gz');

    const run = synth('--days', '2', '--seed', '7', '--start', '2023-06-01T00:00Z', '--symbol', 'ETHUSDT', '--price', '1850', '--out', out);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^SYNTHETIC data: wrote 2880 bars of ETHUSDT \(2023-06-01T00:00:00.000Z \.\. 2023-06-02T23:59:00.000Z\), seed 7/);
    const parsed = parseBarCsv(gunzipSync(readFileSync(out)).toString('utf8'));
    expect(parsed).toMatchObject({ format: 'ohlcv', hasHeader: true, timeUnit: 'ms', gaps: [] });
    expect(parsed.bars).toHaveLength(2880);
    expect(parsed.bars[0]).toMatchObject({ openTime: Date.UTC(2023, 5, 1), open: 1850 });
    expect(parsed.bars.some((b) => b.volume === 0)).toBe(true);

    const sidecar: unknown = JSON.parse(readFileSync(`${out}.synthetic.json`, 'utf8'));
    expect(sidecar).toMatchObject({
      synthetic: true,
      generator: expect.stringContaining('synthetic-bars'),
      seed: 7,
      days: 2,
      bars: 2880,
      start: '2023-06-01T00:00:00.000Z',
      symbol: 'ETHUSDT',
      params: expect.objectContaining({ garchAlpha: 0.06, garchBeta: 0.93, priceDecimals: 2 }),
    });
  });

  test('the same options give a byte-identical file; an existing file is kept unless --force', () => {
    const out = join(dir, 'a-synthetic.csv');
    const again = join(dir, 'b-synthetic.csv');
    expect(synth('--days', '1', '--seed', '3', '--out', out).code).toBe(0);
    expect(synth('--days', '1', '--seed', '3', '--out', again).code).toBe(0);
    expect(readFileSync(again)).toEqual(readFileSync(out));
    expect(readFileSync(out, 'utf8').startsWith('open_time,open,high,low,close,volume\n')).toBe(true);

    const before = statSync(out).mtimeMs;
    const refused = synth('--days', '1', '--seed', '4', '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: ${out} exists; refusing to overwrite it (add --force to replace it)`);
    expect(statSync(out).mtimeMs).toBe(before);
    expect(readFileSync(out)).toEqual(readFileSync(again));

    expect(synth('--days', '1', '--seed', '4', '--out', out, '--force').code).toBe(0);
    expect(readFileSync(out)).not.toEqual(readFileSync(again));
    expect(JSON.parse(readFileSync(`${out}.synthetic.json`, 'utf8'))).toMatchObject({ seed: 4 });
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  test.each([
    [['--days', '0'], /--days must be an integer from 1 to 3660 \(got '0'\)/],
    [['--days', 'ten'], /--days must be a number \(got 'ten'\)/],
    [['--days', '1', '--seed=-1'], /--seed must be an integer from 0 to 4294967295/],
    [['--days', '1', '--start', '2024-01-01T00:00'], /--start must be an ISO date or a date-time with Z or an offset/],
    [['--days', '1', '--start', '2024-01-01T00:00:30Z'], /--start must be on a whole minute/],
    [['--days', '1', '--price=-5'], /--price must be a positive number/],
    [['--days', '1', '--symbol', 'btc-usdt'], /--symbol must be 2 to 20 capital letters or digits/],
    [['--out', 'x-synthetic.csv'], /--days N is required/],
  ])('%j is a usage error naming the option', (args, message) => {
    const run = synth(...(args.includes('--out') ? args : [...args, '--out', join(dir, 'bad-synthetic.csv')]));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('Usage: npm run synth');
    expect(existsSync(join(dir, 'bad-synthetic.csv'))).toBe(false);
  });

  test('an --out name without "synthetic" is refused, so synthetic bars cannot pass for market data', () => {
    const run = synth('--days', '1', '--out', join(dir, 'btcusdt-1m.csv.gz'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--out must have "synthetic" in its file name, e.g. btcusdt-1m-synthetic-seed1-1d.csv.gz');
    expect(existsSync(join(dir, 'btcusdt-1m.csv.gz'))).toBe(false);
  });
});

/**
 * `npm run import-bars` never overwrites stored bars silently: a file whose bars differ from the stored ones is
 * refused as a whole, naming them, unless --replace; bars of another --market are another series.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../../db/client';
import { loadBars } from '../../db/repositories/bars';
import { BINANCE_USDM, BINANCEUS_SPOT } from '../../domain/markets';
import { startTempPostgres, type TempPostgres } from '../db/temp-postgres';
import { loadShippedBars } from '../helpers/shipped-data';
import { ROOT, tempDir, writeBars } from './run-script';

const bars = loadShippedBars().slice(0, 300);
const SPOT = { market: BINANCEUS_SPOT, symbol: 'BTCUSDT' };
let pg: TempPostgres;
let database: DatabaseHandle;
let dir: string;

function importBars(args: string[]) {
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'import-bars.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: pg.url },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  pg = await startTempPostgres();
  await migrateDatabase(pg.url);
  database = openDatabase(pg.url, { max: 1 });
  dir = tempDir('import-bars');
});

afterAll(async () => {
  await database?.close();
  await pg?.stop();
});

describe('npm run import-bars', () => {
  const original = () => writeBars(dir, 'original.csv', bars);
  // The same minutes, two of them with other values, and one new minute after them.
  const changed = () => {
    const next = { ...bars[299]!, openTime: bars[299]!.openTime + 60_000 };
    const edited = bars.map((b, i) => (i === 5 || i === 200 ? { ...b, volume: b.volume + 1 } : b));
    return writeBars(dir, 'changed.csv', [...edited, next]);
  };

  it('imports a file under the default market binanceus-spot, and again finds every bar unchanged', () => {
    const first = importBars(['--file', original(), '--symbol', 'BTCUSDT']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('300 bars of binanceus-spot BTCUSDT');
    expect(first.stdout).toContain('inserted 300, replaced 0, unchanged 0');
    expect(importBars(['--file', original()]).stdout).toContain('inserted 0, replaced 0, unchanged 300');
  });

  it('refuses a file whose bars differ from the stored ones, naming them, and imports none of it', async () => {
    const refused = importBars(['--file', changed()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('2 stored bar(s) of binanceus-spot BTCUSDT differ from the new values:');
    expect(refused.stderr).toContain(`${new Date(bars[5]!.openTime).toISOString()} stored o/h/l/c/v`);
    expect(refused.stderr).toContain('refused, nothing imported (--replace overwrites them with the file)');
    // Not even the new minute landed.
    expect(await loadBars(database.db, SPOT, 0, Number.MAX_SAFE_INTEGER)).toEqual(bars);
  });

  it('overwrites them with --replace and says which', async () => {
    const replaced = importBars(['--file', changed(), '--replace']);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain('inserted 1, replaced 2, unchanged 298');
    expect(replaced.stdout).toContain(`replaced bars (stored before, file now):`);
    expect((await loadBars(database.db, SPOT, bars[5]!.openTime, bars[5]!.openTime + 60_000))[0]!.volume).toBe(bars[5]!.volume + 1);
  });

  it('keeps markets apart: the same file under --market binance-usdm is a new series', () => {
    const usdm = importBars(['--file', original(), '--market', BINANCE_USDM]);
    expect(usdm.stdout).toContain('300 bars of binance-usdm BTCUSDT');
    expect(usdm.stdout).toContain('inserted 300, replaced 0, unchanged 0');
    const bad = importBars(['--file', original(), '--market', 'Binance USDM']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--market: market must be lower-case words joined by '-'");
  });
});

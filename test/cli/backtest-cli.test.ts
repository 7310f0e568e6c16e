// `npm run backtest` refusing bad input: a clear message and a non-zero exit, before any server is started.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadShippedBars } from '../helpers/shipped-data';
import { barsCsv, iso, ROOT, runScript, tempDir, writeBars, type ScriptRun } from './run-script';

const HOUR = 60;

describe('npm run backtest: bad input fails fast', () => {
  const bars = loadShippedBars();
  let dir: string;
  let dataDir: string;
  const backtest = (...args: string[]): ScriptRun => runScript('backtest.ts', args, dataDir);

  /** Exit 1 with this message on stderr, nothing on stdout, no infrastructure touched. */
  function expectRefused(run: ScriptRun, message: string | RegExp): void {
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toContain('[infra]');
    expect(run.stderr).not.toContain('Usage:');
  }

  beforeAll(() => {
    dir = tempDir('backtest');
    dataDir = join(dir, 'data-dir');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    // Nothing was started: no server ever created its folder under BOT_DATA_DIR.
    expect(() => readdirSync(dataDir)).toThrow(/ENOENT/);
  });

  test('data shorter than train + test names what is needed and what the file covers', () => {
    const file = writeBars(dir, 'ten-hours.csv', bars.slice(0, 10 * HOUR));

    const run = backtest('--data', file);

    expectRefused(run, `Data too short: the run needs 48 h train + 24 h test = ${iso(bars[0]!.openTime)} .. ${iso(bars[72 * HOUR]!.openTime)}`);
    expect(run.stderr).toContain(`${file} covers ${iso(bars[0]!.openTime)} .. ${iso(bars[10 * HOUR]!.openTime)} (10.0 h from its first bar)`);
  });

  test('a gap inside the needed range names the first missing bar', () => {
    const missing = 50 * HOUR + 7;
    const file = writeBars(dir, 'gap.csv', [...bars.slice(0, missing), ...bars.slice(missing + 5, 80 * HOUR)]);

    const run = backtest('--data', file);

    expectRefused(
      run,
      `Data has 1 gap(s) inside the needed range ${iso(bars[0]!.openTime)} .. ${iso(bars[72 * HOUR]!.openTime)}; the first: 5 bar(s) missing from ${iso(bars[missing]!.openTime)}`,
    );
  });

  test('a gap reaching up to the end of the needed range is found too', () => {
    const lastNeeded = 72 * HOUR - 1;
    const file = writeBars(dir, 'gap-at-end.csv', [...bars.slice(0, lastNeeded), ...bars.slice(lastNeeded + 3, 80 * HOUR)]);

    const run = backtest('--data', file);

    expectRefused(run, `the first: 1 bar(s) missing from ${iso(bars[lastNeeded]!.openTime)}`);
  });

  test('a --start on a missing bar is a gap at the start of the range', () => {
    const missing = 2 * HOUR;
    const file = writeBars(dir, 'gap-at-start.csv', [...bars.slice(0, missing), ...bars.slice(missing + 4, 80 * HOUR)]);

    const run = backtest('--data', file, '--start', iso(bars[missing + 1]!.openTime), '--test-hours', '1');

    expectRefused(run, `the first: 3 bar(s) missing from ${iso(bars[missing + 1]!.openTime)}`);
  });

  test('an unreadable file', () => {
    const file = join(dir, 'no-such-file.csv');

    expectRefused(backtest('--data', file), `Cannot read data file ${file}: ENOENT`);
  });

  test('a malformed row is reported with its line number', () => {
    const lines = barsCsv(bars.slice(0, 80 * HOUR)).split('\n');
    lines[41] = lines[41]!.replace(/,[^,]+,([^,]+)$/, ',n/a,$1'); // line 42: the close of the 41st bar
    const file = join(dir, 'malformed.csv');
    writeFileSync(file, lines.join('\n'));

    expectRefused(backtest('--data', file), `Data file ${file} is not valid: line 42: close is not a number: "n/a"`);
  });

  describe('--funding FILE', () => {
    const t0 = bars[48 * HOUR]!.openTime; // the default test: the 24 h after 48 h of training
    const fundingFile = (name: string, text: string): string => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };

    test('a malformed row is reported with the file, its line and the problem', () => {
      const file = fundingFile('bad.funding.csv', `funding_time,funding_rate,mark_price\n${t0},0.0001,\n${t0 + 8 * 3_600_000},x,\n`);

      expectRefused(backtest('--funding', file), `Funding file ${file} is not valid: line 3: funding_rate is not a decimal number (got "x")`);
    });

    test('an unreadable file', () => {
      const file = join(dir, 'no-such.funding.csv');

      expectRefused(backtest('--funding', file), `Cannot read funding file ${file}: ENOENT`);
    });

    test('a series that does not reach into the test period', () => {
      const file = fundingFile('old.funding.csv', `funding_time,funding_rate\n${t0 - 72 * 3_600_000},0.0001\n`);

      expectRefused(backtest('--funding', file), new RegExp(`Funding file ${file} covers .* outside the test ${iso(t0)} \\.\\. ${iso(t0 + 24 * 3_600_000)}`));
    });
  });

  test('a configuration whose stop-loss lies beyond the liquidation price is refused at start', () => {
    const config = join(dir, 'leverage-80.yaml');
    writeFileSync(config, readFileSync(join(ROOT, 'config', 'config.yaml'), 'utf8').replace(/^  leverage: 1$/m, '  leverage: 80'));

    expectRefused(
      backtest('--config', config),
      /Configuration refused: trading.stop_loss_pct 1 % lies at or beyond the liquidation price at execution.leverage 80/,
    );
  });

  describe('--db (the bars table) refuses bad options before any server is started', () => {
    test('with --data', () => {
      expectRefused(backtest('--db', '--data', 'data/x.csv'), '--db reads the bars table and --data data/x.csv a file: give one of them');
    });

    test('--market without --db', () => {
      expectRefused(backtest('--market', 'binance-usdm'), '--market chooses the stored series of --db; it does not apply to a data file');
    });

    test('a market that is not a market id', () => {
      expectRefused(backtest('--db', '--market', 'USDM'), "--market 'USDM' is not a market id");
    });

    test('an option out of range', () => {
      expectRefused(backtest('--db', '--test-hours', '0'), '--test-hours must be at least 1/6 (10 minutes) (got 0)');
    });
  });

  test('an unknown symbol for the shipped data', () => {
    expectRefused(
      backtest('--symbol', 'ETHUSDT'),
      'Unknown symbol ETHUSDT for the shipped dataset, which holds BTCUSDT only; pass --data FILE.csv with ETHUSDT bars',
    );
  });

  test.each([
    [['--test-hours', '0'], '--test-hours must be at least 1/6 (10 minutes) (got 0)'],
    [['--retrain-minutes', '1.5'], '--retrain-minutes must be an integer between 1 and 43200 (got 1.5)'],
    [['--train-hours', '10'], '--train-hours (10) must be at least data.rolling_window_hours (48), the training window'],
    [['--test-hours', '0.201'], '--test-hours must be a whole number of minutes (got 0.201 h = 12.060 minutes)'],
    [['--start', '2020-01-01'], '--start 2020-01-01T00:00:00.000Z is outside the data'],
    [['--start', 'yesterday'], "--start: 'yesterday' is neither an ISO time"],
    [['--parallel-trainings', '0'], '--parallel-trainings must be an integer between 1 and 10000 (got 0)'],
  ])('an option out of range: %j', (args, message) => {
    expectRefused(backtest(...args), message);
  });

  test('an unknown option exits 2 with the usage', () => {
    const run = backtest('--train-hour', '48');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: Unknown option '--train-hour'");
    expect(run.stderr).toContain('Usage: npm run backtest -- [options]');
  });

  test('--help prints the usage and exits 0', () => {
    const run = backtest('--help');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: npm run backtest -- [options]');
    expect(run.stdout).toContain('--retrain-minutes N');
    expect(run.stderr).toBe('');
  });
});

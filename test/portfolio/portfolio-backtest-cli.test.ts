/**
 * `npm run backtest -- --symbols ...` refuses bad input before any server starts (the script runs with Temporal and
 * PostgreSQL pointed at closed ports: reaching for them would fail with a connection error instead).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load-config';
import { portfolioSymbols } from '../../scripts/lib/portfolio-backtest-cli';
import { runScript, tempDir, type ScriptRun } from '../cli/run-script';

jest.setTimeout(120_000);

const dir = tempDir('portfolio');
const backtest = (...args: string[]): ScriptRun => runScript('backtest.ts', args, join(dir, 'data-dir'));

function expectRefused(run: ScriptRun, message: string | RegExp): void {
  expect(run.stderr).toMatch(message);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toContain('[infra]');
}

test.each([
  [['--symbols', 'BTCUSDT,eth-usdt'], "--symbols: 'ETH-USDT' must be a Binance symbol such as BTCUSDT"],
  [['--symbols', 'BTCUSDT,ETHUSDT,BTCUSDT'], '--symbols: BTCUSDT is listed twice'],
  [['--symbols', ','], '--symbols: no symbol given'],
  [['--symbols', 'BTCUSDT,ETHUSDT', '--symbol', 'ETHUSDT'], '--symbol ETHUSDT and --symbols BTCUSDT,ETHUSDT: give one of them'],
  [['--symbols', 'BTCUSDT,ETHUSDT', '--start', '2020-01-01'], '--start 2020-01-01T00:00:00.000Z is outside the data'],
  [['--symbols', 'BTCUSDT,ETHUSDT', '--test-hours', '0'], '--test-hours must be at least 1/6 (10 minutes) (got 0)'],
])('refused before anything starts: %j', (args, message) => {
  expectRefused(backtest(...args), message);
});

test('a configuration whose portfolio does not fit the symbols', () => {
  const config = { ...loadConfig(), portfolio: { weights: { ADAUSDT: 2 }, max_positions: null, max_gross_exposure: null, max_daily_drawdown_pct: 3 } };
  const file = join(dir, 'weights.yaml');
  writeFileSync(file, stringify({ ...config, data: { ...config.data, symbol: undefined, symbols: ['BTCUSDT', 'ETHUSDT', 'ADAUSDT'] } }));
  // The configuration's own symbols are a portfolio; --symbols without ADAUSDT leaves a weight without its symbol.
  expectRefused(backtest('--config', file, '--symbols', 'BTCUSDT,ETHUSDT'), 'portfolio.weights: ADAUSDT is not a traded symbol');
});

test('which path runs: --symbols, else one --symbol, else the configuration data.symbols', () => {
  const shipped = loadConfig();
  const two = { ...shipped, data: { ...shipped.data, symbols: ['BTCUSDT', 'ETHUSDT'] } };
  expect(portfolioSymbols(shipped, undefined, undefined)).toEqual(['BTCUSDT']);
  expect(portfolioSymbols(two, undefined, undefined)).toEqual(['BTCUSDT', 'ETHUSDT']);
  // One symbol asked for: the single-symbol backtest, whatever the configuration lists.
  expect(portfolioSymbols(two, undefined, 'ETHUSDT')).toEqual(['ETHUSDT']);
  expect(portfolioSymbols(shipped, ['SOLUSDT', 'BTCUSDT'], undefined)).toEqual(['SOLUSDT', 'BTCUSDT']);
  expect(portfolioSymbols(shipped, ['BTCUSDT'], 'btcusdt')).toEqual(['BTCUSDT']);
});

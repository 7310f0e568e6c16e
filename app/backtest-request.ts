/**
 * Turns command-line options + configuration + the data (a file, or with `--db` the `bars` and `funding_rates`
 * tables) into a validated BacktestRequest, failing with a clear message before anything is started: unreadable or
 * malformed file, no stored bars, data shorter than train + test, gaps in the needed range, conflicting options, an
 * option out of range, a stop-loss beyond the liquidation price. The checks that need no data
 * (checkBacktestOptions) run first, so `--db` refuses bad options before a server is started.
 */
import { isAbsolute, resolve } from 'node:path';
import { type Bar, BAR_MS } from '../domain/bars';
import type { BotConfig } from '../config/schema';
import { ConfigError } from '../config/load-config';
import { withLeverageBrackets } from '../config/leverage-brackets';
import type { FundingRate, TradingParams } from '../domain/trading';
import { BINANCE_USDM, MARKET_ID_PATTERN, type SeriesKey } from '../domain/markets';
import { projectRoot } from '../config/project-root';
import type { Executor } from '../db/client';
import { iso } from '../activities/bar-series';
import type { BacktestRequest } from '../contracts/backtest';
import { trainingSpecFromConfig, tradingParamsFromConfig } from './trading-params';
import { readBacktestFunding, readDbFunding, type BacktestFunding } from './backtest-funding';
import { loadBacktestData, type BacktestDataSource } from './backtest-data';
import { BacktestInputError } from './backtest-input-error';

const HOUR_MS = 3_600_000;
/** Trainings a backtest keeps requested at once: more than the slots of a large training fleet. */
export const DEFAULT_PARALLEL_TRAININGS = 32;
/** Models per training activity: a 48 h window trains in ~0.1 s, about what Temporal spends on a task. */
export const DEFAULT_SEGMENTS_PER_ACTIVITY = 4;
/** The market `--db` reads by default: the downloader's and the bot's. */
export const DEFAULT_DB_MARKET = BINANCE_USDM;

export { BacktestInputError };

export interface BacktestOptions {
  readonly data?: string;
  /** Read the bars (and the funding) from the database instead of a file. */
  readonly db?: boolean;
  /** With `db`: the market of the stored series (default DEFAULT_DB_MARKET). */
  readonly market?: string;
  /** A `funding_time,funding_rate[,mark_price]` file (Unix ms); none: no funding, or with `db` the stored rates. */
  readonly funding?: string;
  readonly symbol?: string;
  /** ISO time or Unix ms; default: the first bar of the data. */
  readonly start?: string;
  readonly trainHours?: number;
  readonly testHours?: number;
  readonly retrainMinutes?: number;
  readonly out?: string;
  readonly runId?: string;
  readonly parallelTrainings?: number;
}

/** The dataset shipped in data/ holds this symbol only. */
export const SHIPPED_DATA_SYMBOL = 'BTCUSDT';

// An ISO date-time without 'Z' or an offset: Date.parse would read it in the machine's time zone.
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

/** ISO time or Unix milliseconds; ISO times without a zone are UTC, like the data. */
export function parseTime(value: string, what: string): number {
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(ISO_WITHOUT_ZONE.test(text) ? `${text}Z` : text);
  if (!Number.isFinite(ms)) throw new BacktestInputError(`${what}: '${value}' is neither an ISO time (e.g. 2023-03-01T00:00Z) nor Unix milliseconds`);
  return ms;
}

/** `minText` names a bound whose decimal form is unreadable (1/6 h prints as 0.16666666666666666). */
function checkRange(name: string, value: number, min: number, max: number, integer = false, minText = String(min)): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new BacktestInputError(`--${name} must be ${integer ? 'an integer ' : ''}between ${minText} and ${max} (got ${value})`);
  }
}

export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

/** The engine's parameters with the symbol's leverage brackets; a configuration that may not start is refused. */
function engineParams(config: BotConfig, symbol: string): TradingParams {
  try {
    return withLeverageBrackets(tradingParamsFromConfig(config), symbol);
  } catch (err) {
    if (err instanceof ConfigError) throw new BacktestInputError(err.message);
    throw err;
  }
}

/** Where the bars come from, before it is read: a file, or a stored series. */
type DataChoice = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'db'; readonly series: SeriesKey };

/** Everything the options and the configuration decide, checked, before any data is read. */
export interface BacktestSettings {
  readonly symbol: string;
  readonly data: DataChoice;
  readonly start: number | undefined;
  readonly trainHours: number;
  readonly testHours: number;
  readonly retrainMinutes: number;
  readonly trading: TradingParams;
  readonly runId: string;
  readonly outDir: string;
}

function dataChoice(config: BotConfig, options: BacktestOptions, symbol: string): DataChoice {
  if (options.db === true) {
    if (options.data !== undefined) {
      throw new BacktestInputError(`--db reads the bars table and --data ${options.data} a file: give one of them`);
    }
    const market = options.market ?? DEFAULT_DB_MARKET;
    if (!MARKET_ID_PATTERN.test(market)) {
      throw new BacktestInputError(`--market '${market}' is not a market id: lower-case words joined by '-', e.g. ${BINANCE_USDM}`);
    }
    return { kind: 'db', series: { market, symbol } };
  }
  if (options.market !== undefined) throw new BacktestInputError(`--market chooses the stored series of --db; it does not apply to a data file`);
  if (options.data === undefined && symbol !== SHIPPED_DATA_SYMBOL) {
    throw new BacktestInputError(
      `Unknown symbol ${symbol} for the shipped dataset, which holds ${SHIPPED_DATA_SYMBOL} only; pass --data FILE.csv with ${symbol} bars, or --db for stored bars`,
    );
  }
  return { kind: 'file', path: options.data !== undefined ? resolve(process.cwd(), options.data) : resolve(projectRoot(), config.backtest.data_file) };
}

/** The checks that need no data (nor any server): options, their combinations, the configuration. */
export function checkBacktestOptions(config: BotConfig, options: BacktestOptions): BacktestSettings {
  const symbol = (options.symbol ?? config.data.symbol).toUpperCase();
  if (!/^[A-Z0-9]{2,20}$/.test(symbol)) throw new BacktestInputError(`--symbol '${options.symbol}' is not a Binance symbol such as BTCUSDT`);
  const data = dataChoice(config, options, symbol);
  const trainHours = options.trainHours ?? config.backtest.train_hours;
  const testHours = options.testHours ?? config.backtest.test_hours;
  const retrainMinutes = options.retrainMinutes ?? config.backtest.retrain_minutes;
  checkRange('train-hours', trainHours, 1, 24 * 365);
  // No upper bound: a run of any length stays bounded in workflow history (chunks) and payloads (references).
  if (!Number.isFinite(testHours) || testHours < 1 / 6) throw new BacktestInputError(`--test-hours must be at least 1/6 (10 minutes) (got ${testHours})`);
  checkRange('retrain-minutes', retrainMinutes, 1, 24 * 60 * 30, true);
  if (options.parallelTrainings !== undefined) checkRange('parallel-trainings', options.parallelTrainings, 1, 10_000, true);
  if (trainHours < config.data.rolling_window_hours) {
    // The first model's window would reach before the data; features.md trains on a full window.
    throw new BacktestInputError(
      `--train-hours (${trainHours}) must be at least data.rolling_window_hours (${config.data.rolling_window_hours}), the training window`,
    );
  }
  for (const [name, hours] of [
    ['train-hours', trainHours],
    ['test-hours', testHours],
  ] as const) {
    if ((hours * HOUR_MS) % BAR_MS !== 0) {
      throw new BacktestInputError(`--${name} must be a whole number of minutes (got ${hours} h = ${(hours * 60).toFixed(3)} minutes)`);
    }
  }
  const start = options.start !== undefined ? parseTime(options.start, '--start') : undefined;
  if (start !== undefined && start % BAR_MS !== 0) throw new BacktestInputError(`--start must be on a minute boundary (got ${iso(start)})`);
  const trading = engineParams(config, symbol);
  const runId = options.runId ?? newRunId();
  if (!/^[A-Za-z0-9._-]{1,80}$/.test(runId)) throw new BacktestInputError(`run id '${runId}' may only contain letters, digits, '.', '_' and '-'`);
  const outDir = options.out
    ? isAbsolute(options.out)
      ? options.out
      : resolve(process.cwd(), options.out)
    : resolve(projectRoot(), config.backtest.output_dir, runId);
  return { symbol, data, start, trainHours, testHours, retrainMinutes, trading, runId, outDir };
}

export interface PreparedBacktest {
  readonly request: BacktestRequest;
  readonly workflowId: string;
  readonly bars: readonly Bar[];
  /** The funding series the request refers to (empty without one). */
  readonly funding: readonly FundingRate[];
  /** What the user should know before the run, e.g. that the database holds no funding for it. */
  readonly notices: readonly string[];
}

/** What reading the database needs (`--db` only). */
export interface BacktestDeps {
  readonly db?: Executor;
}

function dataSource(choice: DataChoice, deps: BacktestDeps): BacktestDataSource {
  if (choice.kind === 'file') return choice;
  if (deps.db === undefined) throw new Error('buildBacktestRequest: --db needs a database (deps.db)');
  return { kind: 'db', db: deps.db, series: choice.series };
}

export async function buildBacktestRequest(config: BotConfig, options: BacktestOptions, deps: BacktestDeps = {}): Promise<PreparedBacktest> {
  const settings = checkBacktestOptions(config, options);
  const { symbol, trainHours, testHours, retrainMinutes, trading, runId, outDir } = settings;
  const source = dataSource(settings.data, deps);
  const data = await loadBacktestData(source, { start: settings.start, trainHours, testHours });
  const test = { from: data.start + trainHours * HOUR_MS, to: data.end };

  // A funding file wins; with --db the stored rates are the default, without it no funding is applied.
  const notices: string[] = [];
  let funding: BacktestFunding | null = null;
  if (options.funding !== undefined) funding = await readBacktestFunding(resolve(process.cwd(), options.funding), test);
  else if (source.kind === 'db') {
    const stored = await readDbFunding(source.db, source.series, test);
    funding = stored.funding;
    if (stored.notice !== null) notices.push(stored.notice);
  }

  const { trading: _configured, ...training } = trainingSpecFromConfig(config);
  const request: BacktestRequest = {
    runId,
    symbol,
    data: data.ref,
    funding: funding?.ref ?? null,
    start: data.start,
    trainHours,
    testHours,
    retrainMinutes,
    training,
    trading,
    outDir,
    monitoring: {
      psiWindowBars: config.retraining.psi_window_minutes,
      psiThreshold: config.retraining.psi_threshold,
      sharpeWindowBars: config.retraining.sharpe_window_minutes,
      sharpeThreshold: config.retraining.sharpe_threshold,
    },
    parallelTrainings: options.parallelTrainings ?? DEFAULT_PARALLEL_TRAININGS,
    segmentsPerActivity: DEFAULT_SEGMENTS_PER_ACTIVITY,
    chunkSegments: 0,
    config,
  };
  return { request, workflowId: `backtest-${symbol}-${runId}`, bars: data.bars, funding: funding?.rates ?? [], notices };
}

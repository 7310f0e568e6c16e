/**
 * Turns command-line options + configuration + a data file into a validated BacktestRequest, failing with a clear
 * message before anything is started: unreadable or malformed file, data shorter than train + test, gaps in the
 * needed range, an option out of range.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { findGaps, type Bar, BAR_MS } from '../domain/bars';
import { BarCsvError, parseBarCsv } from '../domain/bar-csv';
import type { BotConfig } from '../config/schema';
import { projectRoot } from '../config/project-root';
import { gunzipIfNeeded } from '../market-data/read-bar-file';
import { sha256, iso } from '../activities/bar-series';
import type { BacktestRequest } from '../contracts/backtest';
import { trainingSpecFromConfig } from './trading-params';

const HOUR_MS = 3_600_000;
/** Trainings a backtest keeps requested at once: more than the slots of a large training fleet. */
export const DEFAULT_PARALLEL_TRAININGS = 32;
/** Models per training activity: a 48 h window trains in ~0.1 s, about what Temporal spends on a task. */
export const DEFAULT_SEGMENTS_PER_ACTIVITY = 4;

export class BacktestInputError extends Error {
  override name = 'BacktestInputError';
}

export interface BacktestOptions {
  readonly data?: string;
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

export interface PreparedBacktest {
  readonly request: BacktestRequest;
  readonly workflowId: string;
  readonly bars: readonly Bar[];
}

export async function buildBacktestRequest(config: BotConfig, options: BacktestOptions): Promise<PreparedBacktest> {
  const root = projectRoot();
  const dataGiven = options.data !== undefined;
  const file = resolve(dataGiven ? process.cwd() : root, options.data ?? config.backtest.data_file);
  const symbol = (options.symbol ?? config.data.symbol).toUpperCase();
  if (!/^[A-Z0-9]{2,20}$/.test(symbol)) throw new BacktestInputError(`--symbol '${options.symbol}' is not a Binance symbol such as BTCUSDT`);
  if (!dataGiven && symbol !== SHIPPED_DATA_SYMBOL) {
    throw new BacktestInputError(
      `Unknown symbol ${symbol} for the shipped dataset, which holds ${SHIPPED_DATA_SYMBOL} only; pass --data FILE.csv with ${symbol} bars`,
    );
  }
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

  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    throw new BacktestInputError(`Cannot read data file ${file}: ${(err as Error).message}`);
  }
  let bars: Bar[];
  try {
    bars = parseBarCsv(gunzipIfNeeded(raw).toString('utf8'), { source: file }).bars;
  } catch (err) {
    // BarCsvError's own message repeats the file name given as source; keep line and problem only.
    const detail = err instanceof BarCsvError ? `line ${err.line}: ${err.problem}` : (err as Error).message;
    throw new BacktestInputError(`Data file ${file} is not valid: ${detail}`);
  }
  if (bars.length === 0) throw new BacktestInputError(`Data file ${file} holds no bars`);

  const start = options.start !== undefined ? parseTime(options.start, '--start') : bars[0]!.openTime;
  if (start % BAR_MS !== 0) throw new BacktestInputError(`--start must be on a minute boundary (got ${iso(start)})`);
  const end = start + (trainHours + testHours) * HOUR_MS;
  const first = bars[0]!.openTime;
  const lastEnd = bars[bars.length - 1]!.openTime + BAR_MS;
  if (start < first || start >= lastEnd) {
    throw new BacktestInputError(`--start ${iso(start)} is outside the data: ${file} covers ${iso(first)} .. ${iso(lastEnd)}`);
  }
  if (end > lastEnd) {
    const available = (lastEnd - start) / HOUR_MS;
    throw new BacktestInputError(
      `Data too short: the run needs ${trainHours} h train + ${testHours} h test = ${iso(start)} .. ${iso(end)}, but ${file} covers ${iso(first)} .. ${iso(lastEnd)} (${available.toFixed(1)} h from ${options.start !== undefined ? '--start' : 'its first bar'})`,
    );
  }
  const used = bars.filter((b) => b.openTime >= start && b.openTime < end);
  const gaps = findGaps(used);
  // Missing bars at either edge of the range (a --start inside a gap, a gap reaching past the end) lie outside
  // `used`, where findGaps cannot see them.
  const leading = (used[0]?.openTime ?? end) - start;
  if (leading > 0) gaps.unshift({ from: start, count: leading / BAR_MS });
  const lastUsed = used[used.length - 1]?.openTime;
  if (lastUsed !== undefined && lastUsed < end - BAR_MS) gaps.push({ from: lastUsed + BAR_MS, count: (end - BAR_MS - lastUsed) / BAR_MS });
  if (gaps.length > 0) {
    const g = gaps[0]!;
    throw new BacktestInputError(
      `Data has ${gaps.length} gap(s) inside the needed range ${iso(start)} .. ${iso(end)}; the first: ${g.count} bar(s) missing from ${iso(g.from)}. Features need a contiguous history: choose another --start or fill the gap`,
    );
  }

  const runId = options.runId ?? newRunId();
  if (!/^[A-Za-z0-9._-]{1,80}$/.test(runId)) throw new BacktestInputError(`run id '${runId}' may only contain letters, digits, '.', '_' and '-'`);
  const outDir = options.out ? (isAbsolute(options.out) ? options.out : resolve(process.cwd(), options.out)) : resolve(root, config.backtest.output_dir, runId);
  const { trading, ...training } = trainingSpecFromConfig(config);
  const request: BacktestRequest = {
    runId,
    symbol,
    data: { kind: 'file', path: file, sha256: sha256(raw), from: start, to: end },
    start,
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
  return { request, workflowId: `backtest-${symbol}-${runId}`, bars: used };
}

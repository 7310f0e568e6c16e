/**
 * Options + configuration -> a checked PortfolioBacktestRequest: the portfolio rules for the symbols, one standalone
 * BacktestRequest per symbol. The real symbol (BTCUSDT) uses the configured data (a file or --db); every other symbol
 * trades the STAND-IN of those bars over the same range (market-data/stand-in-bars.ts; derived from the whole data
 * file, see standInBasis), stored in the bars table
 * under market 'stand-in' (equal rows already stored are fine; different ones are refused, never overwritten) and
 * read by its walk-forward as a --db series. Stand-ins get no funding (their label says so).
 */
import { join } from 'node:path';
import type { BotConfig } from '../config/schema';
import { portfolioRulesFromConfig } from '../config/portfolio-config';
import { projectRoot } from '../config/project-root';
import type { Database } from '../db/client';
import { writeBars } from '../db/repositories/bars';
import { findGaps, type Bar } from '../domain/bars';
import { readBarFile } from '../market-data/read-bar-file';
import type { PortfolioRules } from '../domain/portfolio/rules';
import { conflictSummary } from '../market-data/bar-conflicts';
import { REAL_SYMBOL, STAND_IN_MARKET, standInBars, standInLabel } from '../market-data/stand-in-bars';
import { portfolioBacktestWorkflowId, symbolRunId, type PortfolioBacktestRequest, type PortfolioSymbol } from '../contracts/portfolio-backtest';
import { describeRef } from '../activities/backtest-report';
import { buildBacktestRequest, checkBacktestOptions, type BacktestOptions, type PreparedBacktest } from './backtest-request';
import { BacktestInputError } from './backtest-input-error';

const HOUR_MS = 3_600_000;

export interface PortfolioOptions extends Omit<BacktestOptions, 'symbol'> {
  readonly symbols: readonly string[];
  /** Given with --symbols: refused (the symbols list names every traded symbol). */
  readonly symbol?: string;
}

export interface PortfolioSettings {
  readonly symbols: readonly string[];
  readonly rules: PortfolioRules;
  readonly runId: string;
  readonly outDir: string;
}

/** The checks that need no data nor server: the symbols, the portfolio rules, the real symbol's options. */
export function checkPortfolioOptions(config: BotConfig, options: PortfolioOptions): PortfolioSettings {
  if (options.symbol !== undefined)
    throw new BacktestInputError(`--symbol ${options.symbol} and --symbols: give one of them (--symbols lists every traded symbol)`);
  const symbols = options.symbols;
  if (symbols.length < 2) throw new BacktestInputError(`a portfolio backtest needs at least two symbols (got ${symbols.join(', ') || 'none'})`);
  let rules: PortfolioRules;
  try {
    rules = portfolioRulesFromConfig(config.portfolio, symbols);
  } catch (err) {
    throw new BacktestInputError((err as Error).message);
  }
  const real = checkBacktestOptions(config, { ...options, symbol: REAL_SYMBOL });
  return { symbols, rules, runId: real.runId, outDir: real.outDir };
}

/** How a symbol's data is shown: the stand-in label, or the real series' source. */
function realLabel(prepared: PreparedBacktest, config: BotConfig): string {
  const shipped = prepared.request.data.kind === 'file' && prepared.request.data.path === join(projectRoot(), config.backtest.data_file);
  return shipped ? standInLabel(REAL_SYMBOL) : `${REAL_SYMBOL}: real bars (${describeRef(prepared.request)})`;
}

/** Stores the stand-in bars once: identical rows are left as they are, different ones refuse the run (nothing written). */
export async function storeStandInBars(db: Database, symbol: string, bars: readonly Bar[]): Promise<void> {
  const series = { market: STAND_IN_MARKET, symbol };
  await db.transaction(async (tx) => {
    const written = await writeBars(tx, series, bars, 'stand-in', { replace: false });
    if (written.conflicts > 0) {
      throw new BacktestInputError(
        `${conflictSummary(series, written.conflicts, written.conflictExamples)}\nThe stored stand-in of ${symbol} was derived from other ${REAL_SYMBOL} bars (another data source, or with --db another range); it is never overwritten. Run over the same range as before, or delete those rows (delete from bars where market = '${STAND_IN_MARKET}' and symbol = '${symbol}').`,
      );
    }
  });
}

/**
 * The real bars a stand-in is derived from. A data file: all its bars, so that every run over any range of the
 * same file gets the same stand-in values for the same minute (the stored rows then never conflict). A stored
 * series, or a file with a gap: the run's own range (another range gives other stand-in values, refused on storing).
 */
async function standInBasis(real: PreparedBacktest): Promise<{ readonly bars: readonly Bar[]; readonly note: string | null }> {
  const ref = real.request.data;
  if (ref.kind !== 'file') return { bars: real.bars, note: `stand-ins derived from the run's range of ${describeRef(real.request)}` };
  const all = (await readBarFile(ref.path)).bars;
  if (findGaps(all).length > 0) return { bars: real.bars, note: `${ref.path} has gaps: stand-ins derived from the run's range only` };
  return { bars: all, note: null };
}

/** The checked settings and the real symbol's walk-forward, its data read and checked. */
export interface RealData {
  readonly settings: PortfolioSettings;
  readonly real: PreparedBacktest;
}

/** Everything that needs no stand-in: with a data file no server either, so bad input is refused before any starts. */
export async function prepareRealData(config: BotConfig, options: PortfolioOptions, deps: { readonly db?: Database } = {}): Promise<RealData> {
  const settings = checkPortfolioOptions(config, options);
  const { symbol: _one, symbols: _all, ...single } = options;
  const runId = symbolRunId(settings.runId, REAL_SYMBOL);
  const real = await buildBacktestRequest(config, { ...single, symbol: REAL_SYMBOL, runId, out: join(settings.outDir, 'symbols', REAL_SYMBOL) }, deps);
  return { settings, real };
}

export interface PreparedPortfolioBacktest {
  readonly request: PortfolioBacktestRequest;
  readonly workflowId: string;
  readonly notices: readonly string[];
}

export async function buildPortfolioBacktestRequest(
  config: BotConfig,
  options: PortfolioOptions,
  deps: { readonly db: Database },
  realData?: RealData,
): Promise<PreparedPortfolioBacktest> {
  const { settings, real } = realData ?? (await prepareRealData(config, options, deps));
  const { symbols, rules, runId, outDir } = settings;
  const out = (symbol: string): string => join(outDir, 'symbols', symbol);
  const notices = real.notices.map((n) => `${REAL_SYMBOL}: ${n}`);
  const entries: PortfolioSymbol[] = [];
  const basis = symbols.some((s) => s !== REAL_SYMBOL) ? await standInBasis(real) : null;
  if (basis?.note) notices.push(basis.note);
  const from = real.request.data.from;
  const to = real.request.data.to;
  for (const symbol of symbols) {
    if (symbol === REAL_SYMBOL) {
      entries.push({ symbol, standIn: false, dataLabel: realLabel(real, config), backtest: real.request });
      continue;
    }
    await storeStandInBars(
      deps.db,
      symbol,
      standInBars(basis!.bars, symbol).filter((b) => b.openTime >= from && b.openTime < to),
    );
    const prepared = await buildBacktestRequest(
      config,
      {
        db: true,
        market: STAND_IN_MARKET,
        symbol,
        start: String(real.request.start),
        trainHours: real.request.trainHours,
        testHours: real.request.testHours,
        retrainMinutes: real.request.retrainMinutes,
        ...(options.parallelTrainings === undefined ? {} : { parallelTrainings: options.parallelTrainings }),
        runId: symbolRunId(runId, symbol),
        out: out(symbol),
      },
      deps,
    );
    entries.push({ symbol, standIn: true, dataLabel: standInLabel(symbol, basis!.bars.length), backtest: prepared.request });
  }
  const standIns = entries.filter((e) => e.standIn).map((e) => e.symbol);
  if (standIns.length > 0) notices.push(`${standIns.join(', ')}: STAND-IN bars (market '${STAND_IN_MARKET}'), no funding applied`);
  const testFrom = real.request.start + real.request.trainHours * HOUR_MS;
  const request: PortfolioBacktestRequest = {
    runId,
    outDir,
    rules,
    baseCapital: config.execution.base_capital,
    testFrom,
    testTo: testFrom + real.request.testHours * HOUR_MS,
    symbols: entries,
    config,
  };
  return { request, workflowId: portfolioBacktestWorkflowId(runId), notices };
}

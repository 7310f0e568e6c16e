/**
 * The portfolio backtest's pure part: capital split by weight, simulatePortfolio, then the backtest's end-of-test
 * rule, model versions per segment, and the figures. Bars: the shipped BTCUSDT data and a STAND-IN of it (labelled,
 * not ETHUSDT prices); predictions: a fixed synthetic signal.
 */
import { BAR_MS } from '../../domain/bars';
import { equalWeights, type PortfolioRules } from '../../domain/portfolio';
import { replayCombination } from '../../domain/sweep/replay';
import { DEFAULT_TRADING_PARAMS, type TradingParams } from '../../domain/trading';
import { standInBars } from '../../market-data/stand-in-bars';
import { CURVE_METRICS, refusalCounts, runPortfolioBacktest, symbolMetrics, type PortfolioSeries } from '../../activities/portfolio-backtest-sim';
import { loadShippedBars } from '../helpers/shipped-data';

const BARS = 400;
const real = loadShippedBars().slice(0, 3_000);
const eth = standInBars(real, 'ETHUSDT');
/** +/- 12 bps on some minutes (phase-shifted per symbol), nothing otherwise; ends with an entry signal so a position is open at the end. */
const signal = (phase: number): number[] =>
  Array.from({ length: BARS }, (_, i) => (i >= BARS - 3 ? 0.0012 : (i + phase) % 40 < 3 ? 0.0012 : (i + phase) % 40 === 20 ? -0.0012 : 0));
/** Two models: the first half's and the second half's. */
const versions = (name: string): string[] => Array.from({ length: BARS }, (_, i) => `${name}-${i < BARS / 2 ? 1 : 2}`);

const series: PortfolioSeries[] = [
  { symbol: 'BTCUSDT', bars: real.slice(0, BARS), predictions: signal(0), modelVersion: 'btc-1', modelVersions: versions('btc') },
  { symbol: 'ETHUSDT', bars: eth.slice(0, BARS), predictions: signal(9), modelVersion: 'eth-1', modelVersions: versions('eth') },
];
const params: TradingParams = { ...DEFAULT_TRADING_PARAMS };
const paramsBy = { BTCUSDT: params, ETHUSDT: params };
const loose: PortfolioRules = { weights: equalWeights(['BTCUSDT', 'ETHUSDT']), maxPositions: 2, maxGrossExposure: null, maxDailyDrawdown: 0.99 };

test('limits that never bind: each symbol trades as its standalone replay does (end of test included), with its weight of the capital', () => {
  const run = runPortfolioBacktest({ ...loose, weights: { BTCUSDT: 3, ETHUSDT: 1 } }, series, paramsBy, 10_000);
  expect(run.capital).toEqual({ BTCUSDT: 7_500, ETHUSDT: 2_500 });
  expect(run.refusals).toEqual([]);
  for (const s of series) {
    const alone = replayCombination(
      s.bars,
      { openTime: s.bars.map((b) => b.openTime), prediction: Array.from(s.predictions), modelVersion: s.modelVersions! },
      params,
      null,
    );
    const mine = run.trades.filter((t) => t.symbol === s.symbol);
    expect(alone.trades.length).toBeGreaterThan(3);
    expect(mine.map((t) => [t.side, t.entryTime, t.exitTime, t.exitReason, t.modelVersion])).toEqual(
      alone.trades.map((t) => [t.side, t.entryTime, t.exitTime, t.exitReason, t.modelVersion]),
    );
    // The standalone replay trades the whole 10,000; here the symbol has its weight's share.
    expect(mine[0]!.qty).toBeLessThan(alone.trades[0]!.qty);
  }
  // The last bar closes what is still open, as the single-symbol backtest's last bar does.
  expect(run.trades.filter((t) => t.exitReason === 'end_of_test').map((t) => t.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
  expect(run.trades.some((t) => t.modelVersion.endsWith('-2'))).toBe(true);
  expect(run.equity[0]).toEqual({ openTime: real[0]!.openTime, equity: 10_000 });
  expect(run.equity).toHaveLength(BARS + 1);
  expect(run.equity.at(-1)!.openTime).toBe(real[BARS - 1]!.openTime + BAR_MS);
  // With every position closed, the portfolio's final equity is the capital plus every trade's net PnL.
  expect(run.equity.at(-1)!.equity).toBeCloseTo(10_000 + run.trades.reduce((s, t) => s + t.netPnl, 0), 6);
});

test('max_positions 1: refusals are recorded by reason, and never two positions at once', () => {
  const run = runPortfolioBacktest({ ...loose, maxPositions: 1 }, series, paramsBy, 10_000);
  expect(run.refusals.length).toBeGreaterThan(0);
  expect(refusalCounts(run.refusals)).toEqual({ max_positions: run.refusals.length });
  for (const t of run.trades) {
    const overlapping = run.trades.filter((u) => u !== t && u.entryTime < t.exitTime && t.entryTime < u.exitTime);
    expect(overlapping).toEqual([]);
  }
});

test('series that do not share the same minutes are refused', () => {
  const shifted = { ...series[1]!, bars: eth.slice(1, BARS + 1) };
  expect(() => runPortfolioBacktest(loose, [series[0]!, shifted], paramsBy, 10_000)).toThrow(/do not cover the same minutes/);
});

test("a symbol's figures inside the portfolio come from its trades; the curve figures are null", () => {
  const t0 = real[0]!.openTime;
  const times = Array.from({ length: 10 }, (_, i) => t0 + i * BAR_MS);
  const trade = {
    side: 'LONG',
    entryTime: t0 + BAR_MS,
    entryPrice: 100,
    exitTime: t0 + 4 * BAR_MS,
    exitPrice: 101,
    qty: 1,
    fees: 0.1,
    funding: 0,
    netPnl: 0.9,
    exitReason: 'signal',
    modelVersion: 'm',
  } as const;
  const m = symbolMetrics([trade], 1_000, times);
  expect(m.net_pnl).toBeCloseTo(0.9, 9);
  expect(m.trades).toBe(1);
  expect(m.exposure).toBeCloseTo(3 / 10, 9);
  for (const k of CURVE_METRICS) expect(m[k]).toBeNull();
});

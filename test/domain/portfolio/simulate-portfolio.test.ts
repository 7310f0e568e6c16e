/**
 * The portfolio over a merged timeline: each symbol runs the strategy's own bar step, the portfolio admits or
 * refuses its entries. Symbols: the shipped BTCUSDT bars, and ETHUSDT / SOLUSDT as TIME-SHIFTED SLICES of the same
 * real data (labelled stand-ins, not real ETH or SOL prices). Predictions are a fixed synthetic signal.
 */
import { BAR_MS, type Bar } from '../../../domain/bars';
import { equalWeights, simulatePortfolio, type PortfolioRules, type SymbolSeries } from '../../../domain/portfolio';
import { DEFAULT_TRADING_PARAMS, initialState, processBar, type Trade, type TradingParams } from '../../../domain/trading';
import { loadShippedBars } from '../../helpers/shipped-data';

const BARS = 600;
const shipped = loadShippedBars();
const START = shipped[0]!.openTime;
/** `count` real bars from `offset`, re-timed to start at START (a time-shifted slice). */
const slice = (offset: number): Bar[] => shipped.slice(offset, offset + BARS).map((b, i) => ({ ...b, openTime: START + i * BAR_MS }));
/** A synthetic signal: +/- 12 bps on some minutes (phase-shifted per symbol), no signal otherwise. */
const signal = (phase: number, scale: number): Float64Array =>
  Float64Array.from({ length: BARS }, (_, i) => ((i + phase) % 40 < 3 ? scale : (i + phase) % 40 === 20 ? -scale : 0));

const SYMBOLS: SymbolSeries[] = [
  { symbol: 'BTCUSDT', bars: slice(0), predictions: signal(0, 0.0012), modelVersion: 'm-btc' },
  { symbol: 'ETHUSDT', bars: slice(5_000), predictions: signal(0, 0.0015), modelVersion: 'm-eth' },
  { symbol: 'SOLUSDT', bars: slice(10_000), predictions: signal(7, 0.0013), modelVersion: 'm-sol' },
];
const params: TradingParams = { ...DEFAULT_TRADING_PARAMS, startingCapital: 3_000 };
const paramsBy = Object.fromEntries(SYMBOLS.map((s) => [s.symbol, params]));
const loose: PortfolioRules = { weights: equalWeights(SYMBOLS.map((s) => s.symbol)), maxPositions: 3, maxGrossExposure: 10, maxDailyDrawdown: 0.99 };

/** One symbol alone through the backtest's bar step. */
function standalone(s: SymbolSeries): Trade[] {
  let state = initialState(params, START);
  const trades: Trade[] = [];
  s.bars.forEach((bar, i) => {
    const step = processBar(state, { bar, prediction: s.predictions[i]!, modelVersion: s.modelVersion, last: false, params });
    state = step.state;
    trades.push(...step.trades);
  });
  return trades;
}

test('with limits that never bind, every symbol trades exactly as it does alone (the same engine)', () => {
  const result = simulatePortfolio(loose, SYMBOLS, paramsBy);
  expect(result.refusals).toEqual([]);
  for (const s of SYMBOLS) {
    const alone = standalone(s);
    expect(alone.length).toBeGreaterThan(3);
    expect(result.trades.filter((t) => t.symbol === s.symbol).map(({ symbol: _, ...t }) => t)).toEqual(alone);
  }
  expect(result.equity.at(-1)!.equity).toBeCloseTo(
    SYMBOLS.reduce((sum, s) => sum + result.states[s.symbol]!.lastEquity, 0),
    9,
  );
});

test('max_positions: entries of the same minute are served by absolute prediction; the rest are refused and recorded', () => {
  const result = simulatePortfolio({ ...loose, maxPositions: 1 }, SYMBOLS, paramsBy);
  expect(result.refusals.length).toBeGreaterThan(0);
  expect(new Set(result.refusals.map((r) => r.reason))).toEqual(new Set(['max_positions']));
  // BTC and ETH signal in the same minutes; ETH's larger prediction wins the first of them.
  const first = result.trades.reduce((a, b) => (b.entryTime < a.entryTime ? b : a));
  expect(first.symbol).toBe('ETHUSDT');
  expect(result.refusals[0]).toMatchObject({ symbol: 'BTCUSDT', reason: 'max_positions', time: first.entryTime - BAR_MS });
  // Never two positions at once.
  const open = (t: number) => result.trades.filter((x) => x.entryTime <= t && x.exitTime > t).length;
  for (const t of result.trades) expect(open(t.entryTime)).toBe(1);
});

test('max_exposure: an entry that would take the open notional beyond the cap is refused', () => {
  // Each entry commits its whole equity (about a third of the portfolio): a cap of 0.5 admits one position at a time.
  const result = simulatePortfolio({ ...loose, maxGrossExposure: 0.5 }, SYMBOLS, paramsBy);
  expect(result.refusals.some((r) => r.reason === 'max_exposure')).toBe(true);
  expect(result.refusals.every((r) => r.reason === 'max_exposure')).toBe(true);
});

test('the portfolio kill switch closes every position and refuses entries for the rest of the UTC day', () => {
  const result = simulatePortfolio({ ...loose, maxDailyDrawdown: 0.002 }, SYMBOLS, paramsBy);
  expect(result.killSwitches).toHaveLength(1);
  const fired = result.killSwitches[0]!;
  const after = result.trades.filter((t) => t.entryTime > fired);
  expect(after).toEqual([]);
  const closed = result.trades.filter((t) => t.exitTime > fired);
  expect(closed.length).toBeGreaterThan(0);
  expect(closed.every((t) => t.exitReason === 'kill_switch')).toBe(true);
  // The halted bots do not even ask (their own halt skips the entry); the signal goes on for hours after it fired.
  expect(result.refusals.filter((r) => r.time > fired)).toEqual([]);
  expect(fired).toBeLessThan(SYMBOLS[0]!.bars.at(-1)!.openTime - 120 * BAR_MS);
  expect(Object.values(result.states).every((s) => s.position === null && s.halted)).toBe(true);
});

test("a minute's rebalancing transfer is booked before each symbol's next bar, a symbol in a gap at its next bar", () => {
  const quiet = (s: SymbolSeries, keep: (i: number) => boolean): SymbolSeries => {
    const kept = s.bars.flatMap((b, i) => (keep(i) ? [i] : []));
    return { ...s, bars: kept.map((i) => s.bars[i]!), predictions: Float64Array.from(kept, () => 0) };
  };
  // No signal, so only the day's rebalancing moves cash: 6,000 and 2,000 become 4,000 each.
  const btc = quiet(SYMBOLS[0]!, (i) => i < 20);
  const eth = quiet(SYMBOLS[1]!, (i) => i < 20 && (i === 0 || i > 9));
  const capital = { BTCUSDT: { ...params, startingCapital: 6_000 }, ETHUSDT: { ...params, startingCapital: 2_000 } };
  const result = simulatePortfolio({ ...loose, weights: equalWeights(['BTCUSDT', 'ETHUSDT']) }, [btc, eth], capital);
  expect(result.states.BTCUSDT!.lastEquity).toBeCloseTo(4_000, 9);
  expect(result.states.ETHUSDT!.lastEquity).toBeCloseTo(4_000, 9);
  // Owed or booked, the portfolio's equity is the same at every minute.
  for (const point of result.equity) expect(point.equity).toBeCloseTo(8_000, 9);
  expect(result.trades).toEqual([]);
});

/** The portfolio rules of docs/portfolio.md, as a portfolio workflow or backtest would call them each minute. */
import { DAY_MS } from '../../../domain/bars';
import {
  allocate,
  assertPortfolioRules,
  equalWeights,
  INITIAL_PORTFOLIO,
  portfolioMinute,
  rebalanceTransfers,
  resumePortfolio,
  servingOrder,
  type BookView,
  type EntryRequest,
  type PortfolioRules,
} from '../../../domain/portfolio';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const rules: PortfolioRules = { weights: equalWeights(SYMBOLS), maxPositions: 2, maxGrossExposure: 1, maxDailyDrawdown: 0.03 };
const DAY0 = 19_000 * DAY_MS;
const flat = (symbol: string, equity: number): BookView => ({ symbol, equity, notional: 0 });
const entry = (symbol: string, prediction: number, notional: number): EntryRequest => ({
  symbol,
  side: prediction > 0 ? 'LONG' : 'SHORT',
  prediction,
  notional,
});

test('settings are checked against the traded symbols, naming what is wrong', () => {
  expect(() => assertPortfolioRules(rules, SYMBOLS)).not.toThrow();
  expect(() => assertPortfolioRules({ ...rules, weights: { BTCUSDT: 1, ETHUSDT: 1 } }, SYMBOLS)).toThrow('portfolio.weights: no weight for SOLUSDT');
  expect(() => assertPortfolioRules({ ...rules, weights: { ...rules.weights, XRPUSDT: 1 } }, SYMBOLS)).toThrow('XRPUSDT is not a traded symbol');
  expect(() => assertPortfolioRules({ ...rules, weights: { ...rules.weights, ETHUSDT: 0 } }, SYMBOLS)).toThrow('portfolio.weights.ETHUSDT must be > 0');
  expect(() => assertPortfolioRules({ ...rules, maxPositions: 0 }, SYMBOLS)).toThrow('portfolio.max_positions');
  expect(() => assertPortfolioRules(rules, ['BTCUSDT', 'BTCUSDT'])).toThrow('listed twice');
});

test('allocation follows the weights; the daily rebalancing moves cash only, summing to zero', () => {
  const weighted = { ...rules, weights: { BTCUSDT: 2, ETHUSDT: 1, SOLUSDT: 1 } };
  expect(allocate(weighted, SYMBOLS, 10_000)).toEqual({ BTCUSDT: 5_000, ETHUSDT: 2_500, SOLUSDT: 2_500 });
  const books = [flat('BTCUSDT', 3_400), { symbol: 'ETHUSDT', equity: 3_300, notional: 3_000 }, flat('SOLUSDT', 3_300)];
  const moved = rebalanceTransfers(weighted, books);
  expect(moved.BTCUSDT).toBeCloseTo(1_600, 9);
  expect(moved.ETHUSDT).toBeCloseTo(-800, 9);
  expect(Object.values(moved).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 9);
});

test('the first minute of a day rebalances and opens the day at the previous close', () => {
  const first = portfolioMinute(INITIAL_PORTFOLIO, rules, { openTime: DAY0, books: SYMBOLS.map((s) => flat(s, 3_000)), requests: [] });
  expect(first.state).toMatchObject({ day: 19_000, dayOpenEquity: 9_000, halted: false });
  expect(Object.values(first.transfers)).toEqual([0, 0, 0]);
  const later = portfolioMinute(first.state, rules, {
    openTime: DAY0 + 60_000,
    books: [flat('BTCUSDT', 3_600), flat('ETHUSDT', 2_700), flat('SOLUSDT', 2_700)],
    requests: [],
  });
  expect(later.transfers).toEqual({});
  const nextDay = portfolioMinute(later.state, rules, {
    openTime: DAY0 + DAY_MS,
    books: [flat('BTCUSDT', 3_700), flat('ETHUSDT', 2_700), flat('SOLUSDT', 2_700)],
    requests: [],
  });
  expect(nextDay.state.dayOpenEquity).toBe(9_000); // the previous minute's close, not this one's
  expect(nextDay.transfers.BTCUSDT).toBeCloseTo(3_033.33 - 3_700, 1);
});

test('entries of one minute are served by absolute prediction, then symbol, and refused with a reason at a limit', () => {
  expect(servingOrder([entry('SOLUSDT', 0.001, 1), entry('BTCUSDT', -0.001, 1), entry('ETHUSDT', 0.002, 1)]).map((r) => r.symbol)).toEqual([
    'ETHUSDT',
    'BTCUSDT',
    'SOLUSDT',
  ]);
  const start = portfolioMinute(INITIAL_PORTFOLIO, rules, { openTime: DAY0, books: SYMBOLS.map((s) => flat(s, 3_000)), requests: [] }).state;
  const books = SYMBOLS.map((s) => flat(s, 3_000));
  const positions = portfolioMinute(start, rules, {
    openTime: DAY0 + 60_000,
    books,
    requests: [entry('SOLUSDT', 0.001, 3_000), entry('BTCUSDT', -0.0012, 3_000), entry('ETHUSDT', 0.0009, 3_000)],
  });
  expect(positions.admissions).toEqual([
    { symbol: 'BTCUSDT', admitted: true },
    { symbol: 'SOLUSDT', admitted: true },
    { symbol: 'ETHUSDT', admitted: false, reason: 'max_positions' },
  ]);
  const exposure = portfolioMinute(start, rules, {
    openTime: DAY0 + 60_000,
    books: [{ symbol: 'BTCUSDT', equity: 3_000, notional: 6_000 }, flat('ETHUSDT', 3_000), flat('SOLUSDT', 3_000)],
    requests: [entry('ETHUSDT', 0.002, 3_001), entry('SOLUSDT', 0.001, 2_999)],
  });
  // 6,000 open + 3,001 would pass 1.0 x 9,000; the smaller SOL entry still fits.
  expect(exposure.admissions).toEqual([
    { symbol: 'ETHUSDT', admitted: false, reason: 'max_exposure' },
    { symbol: 'SOLUSDT', admitted: true },
  ]);
});

test('the portfolio kill switch halts every entry for the rest of the UTC day; a resume or the next day lifts it', () => {
  const start = portfolioMinute(INITIAL_PORTFOLIO, rules, { openTime: DAY0, books: SYMBOLS.map((s) => flat(s, 3_000)), requests: [] }).state;
  const down = [{ symbol: 'BTCUSDT', equity: 2_730, notional: 2_700 }, flat('ETHUSDT', 3_000), flat('SOLUSDT', 3_000)]; // 8,730 = -3 %
  const fired = portfolioMinute(start, rules, { openTime: DAY0 + 60_000, books: down, requests: [entry('ETHUSDT', 0.002, 100)] });
  expect(fired.killSwitchFired).toBe(true);
  expect(fired.admissions).toEqual([{ symbol: 'ETHUSDT', admitted: false, reason: 'portfolio_halted' }]);
  const recovered = SYMBOLS.map((s) => flat(s, 3_000));
  const still = portfolioMinute(fired.state, rules, { openTime: DAY0 + 120_000, books: recovered, requests: [entry('ETHUSDT', 0.002, 100)] });
  expect(still.killSwitchFired).toBe(false); // does not re-fire while halted
  expect(still.admissions[0]).toMatchObject({ admitted: false, reason: 'portfolio_halted' });
  expect(portfolioMinute(still.state, rules, { openTime: DAY0 + DAY_MS, books: recovered, requests: [entry('ETHUSDT', 0.002, 100)] }).admissions[0]).toEqual({
    symbol: 'ETHUSDT',
    admitted: true,
  });
  const resumed = resumePortfolio(fired.state, down);
  expect(resumed).toMatchObject({ halted: false, dayOpenEquity: 8_730 });
  expect(portfolioMinute(resumed, rules, { openTime: DAY0 + 180_000, books: down, requests: [] }).killSwitchFired).toBe(false);
});

test('a request from a symbol holding a position, or outside the portfolio, is a caller error', () => {
  const books = [{ symbol: 'BTCUSDT', equity: 3_000, notional: 3_000 }, flat('ETHUSDT', 3_000), flat('SOLUSDT', 3_000)];
  expect(() => portfolioMinute(INITIAL_PORTFOLIO, rules, { openTime: DAY0, books, requests: [entry('BTCUSDT', 0.002, 100)] })).toThrow(
    'while it holds a position',
  );
  expect(() => portfolioMinute(INITIAL_PORTFOLIO, rules, { openTime: DAY0, books, requests: [entry('XRPUSDT', 0.002, 100)] })).toThrow('not in the portfolio');
});

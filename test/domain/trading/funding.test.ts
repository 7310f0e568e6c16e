/**
 * Funding by hand (docs/strategy.md "Funding"): no fees or slippage, 10,000 capital, every entry fills at 100 for
 * qty 100. A position open when funding time F arrives pays qty x mark x rate (LONG) or receives it (SHORT), at the
 * open of the bar opening at F and before that bar's pending fill.
 */
import { applyFill, initialState, openBar, payFunding, SIMULATED, simulate, type FundingRate, type Position } from '../../../domain/trading';
import type { Bar } from '../../../domain/bars';
import { MIN, NO_COSTS, T0, bar, holding } from './fixtures';

/** Bars 0 .. n-1 opening and closing at 100, except bar 3, which opens at 101 (so the mark is visible). */
function bars(n: number): Bar[] {
  return Array.from({ length: n }, (_, i) => (i === 3 ? bar(3, 101, 100) : bar(i, 100)));
}
const at = (minute: number, rate: number, markPrice?: number): FundingRate => ({
  time: T0 + minute * MIN,
  rate,
  ...(markPrice === undefined ? {} : { markPrice }),
});
const models = (n: number) => Array<string>(n).fill('m1');
// A LONG decided at bar 0's close fills at bar 1's open; a reversal decided at bar 4's close exits at bar 5's open.
const LONG_1_TO_5 = [0.001, 0, 0, 0, -0.001, 0, 0, 0];

describe('a position open at funding time F pays qty x mark x rate at the open of the bar opening at F', () => {
  test('a LONG held across F pays 100 x 101 x 0.0001 = 1.01: cash, equity and the trade see it', () => {
    const run = simulate(bars(8), LONG_1_TO_5, models(8), NO_COSTS, T0, [at(3, 0.0001)]);
    expect(run.trades).toHaveLength(1);
    const trade = run.trades[0]!;
    expect(trade).toMatchObject({ side: 'LONG', entryTime: T0 + MIN, exitTime: T0 + 5 * MIN, exitPrice: 100 });
    expect(trade.funding).toBeCloseTo(1.01, 12);
    expect(trade.netPnl).toBeCloseTo(-1.01, 12); // price PnL 0 - fees 0 - funding 1.01
    expect(run.events).toContainEqual({ type: 'funding', time: T0 + 3 * MIN, rate: 0.0001, markPrice: 101, amount: trade.funding });
    // Equity at bar 2's close is untouched; from bar 3's close on it is 1.01 lower.
    expect(run.equity[3]).toEqual({ openTime: T0 + 3 * MIN, equity: 10_000 });
    expect(run.equity[4]!.equity).toBeCloseTo(9_998.99, 9);
    expect(run.finalState.cash).toBeCloseTo(9_998.99, 9);
  });

  test('an entry filling at F (decided at bar 2) does not pay', () => {
    const run = simulate(bars(8), [0, 0, 0.001, 0, -0.001, 0, 0, 0], models(8), NO_COSTS, T0, [at(3, 0.0001)]);
    expect(run.trades[0]).toMatchObject({ entryTime: T0 + 3 * MIN, entryPrice: 101, funding: 0 });
    expect(run.events.filter((e) => e.type === 'funding')).toEqual([]);
  });

  test('an exit filling at F (decided at bar 2) still pays: funding comes before the fill', () => {
    const run = simulate(bars(8), [0.001, 0, -0.001, 0, 0, 0, 0, 0], models(8), NO_COSTS, T0, [at(3, 0.0001)]);
    const trade = run.trades[0]!;
    expect(trade).toMatchObject({ exitTime: T0 + 3 * MIN, exitPrice: 101, exitReason: 'signal' });
    expect(trade.funding).toBeCloseTo(1.01, 12);
    expect(trade.netPnl).toBeCloseTo(100 - 1.01, 12); // price PnL 100 x (101 - 100)
    expect(run.finalState.cash).toBeCloseTo(10_098.99, 9);
  });

  test('a negative rate reverses it: the LONG receives 100 x 101 x 0.0002 = 2.02', () => {
    const run = simulate(bars(8), LONG_1_TO_5, models(8), NO_COSTS, T0, [at(3, -0.0002)]);
    expect(run.trades[0]!.funding).toBeCloseTo(-2.02, 12);
    expect(run.trades[0]!.netPnl).toBeCloseTo(2.02, 12);
  });

  test('a SHORT receives a positive rate', () => {
    const run = simulate(bars(8), [-0.001, 0, 0, 0, 0.001, 0, 0, 0], models(8), NO_COSTS, T0, [at(3, 0.0001)]);
    expect(run.trades[0]).toMatchObject({ side: 'SHORT' });
    expect(run.trades[0]!.funding).toBeCloseTo(-1.01, 12);
  });

  test("the series' mark price, when given, replaces the bar's open: 100 x 105 x 0.0001 = 1.05", () => {
    const run = simulate(bars(8), LONG_1_TO_5, models(8), NO_COSTS, T0, [at(3, 0.0001, 105)]);
    expect(run.trades[0]!.funding).toBeCloseTo(1.05, 12);
  });

  test('funding times are floored to the minute: 00:03:00.007 pays at the bar opening 00:03', () => {
    const run = simulate(bars(8), LONG_1_TO_5, models(8), NO_COSTS, T0, [{ time: T0 + 3 * MIN + 7, rate: 0.0001 }]);
    expect(run.trades[0]!.funding).toBeCloseTo(1.01, 12);
  });

  test('several funding times add up, each at its own mark', () => {
    const run = simulate(bars(8), LONG_1_TO_5, models(8), NO_COSTS, T0, [at(2, 0.0001), at(3, 0.0001, 102), at(4, -0.0003)]);
    expect(run.trades[0]!.funding).toBeCloseTo(1 + 1.02 - 3, 12);
  });

  test('funding moves cash, so the kill switch sees it: 5 % funding on the whole notional fires it', () => {
    const run = simulate(bars(8), [0.001, 0, 0, 0, 0, 0, 0, 0], models(8), NO_COSTS, T0, [at(3, 0.05)]);
    expect(run.events).toContainEqual(expect.objectContaining({ type: 'kill_switch', time: T0 + 3 * MIN }));
    expect(run.trades[0]).toMatchObject({ exitReason: 'kill_switch', exitTime: T0 + 4 * MIN });
    expect(run.trades[0]!.funding).toBeCloseTo(505, 9); // 100 x 101 x 0.05
  });
});

describe('only funding times at which a test bar opens count', () => {
  test('a funding time inside a data gap pays nothing, and neither does the bar after the gap', () => {
    const gapped = bars(8).filter((b) => b.openTime !== T0 + 3 * MIN);
    const run = simulate(gapped, [0.001, 0, 0, -0.001, 0, 0, 0], models(7), NO_COSTS, T0, [at(3, 0.0001)]);
    expect(run.trades[0]).toMatchObject({ entryTime: T0 + MIN, exitTime: T0 + 5 * MIN, funding: 0, netPnl: 0 });
  });

  test('a funding time at the last bar pays before the end-of-test close; one at the end of the test pays nothing', () => {
    const five = bars(5); // the last bar opens at 00:04; the test ends at 00:05
    const run = simulate(five, [0.001, 0, 0, 0, 0], models(5), NO_COSTS, T0, [at(4, 0.0001), at(5, 0.01)]);
    expect(run.trades[0]).toMatchObject({ exitReason: 'end_of_test', exitTime: T0 + 4 * MIN });
    expect(run.trades[0]!.funding).toBeCloseTo(1, 12); // 100 x 100 x 0.0001 at 00:04 only
  });

  test('without a series nothing is paid: every trade records 0', () => {
    const run = simulate(bars(8), LONG_1_TO_5, models(8), NO_COSTS);
    expect(run.trades.map((t) => t.funding)).toEqual([0]);
  });

  test('two funding entries in one minute are refused', () => {
    expect(() => simulate(bars(8), LONG_1_TO_5, models(8), NO_COSTS, T0, [at(3, 0.0001), { time: T0 + 3 * MIN + 500, rate: 0.0001 }])).toThrow(
      /two entries in the minute/,
    );
  });
});

describe('states stored before funding existed, and the live booking', () => {
  // A position as a running bot stored it: no funding, margin or liquidation price fields.
  const stored: Position = { side: 'LONG', qty: 100, entryPrice: 100, entryTime: T0, entryFee: 0, modelVersion: 'm0' };
  const legacy = { ...initialState(NO_COSTS, T0), position: stored };

  test('a stored position pays from 0 and its trade records what it paid', () => {
    const opened = openBar(legacy, bar(3, 101), NO_COSTS, SIMULATED, at(3, 0.0001));
    expect(opened.state.position!.funding).toBeCloseTo(1.01, 12);
    const { trade } = applyFill(opened.state, { type: 'CLOSE', reason: 'flatten', price: 101, time: T0 + 4 * MIN }, NO_COSTS);
    expect(trade!.funding).toBeCloseTo(1.01, 12);
  });

  test('a stored position closed without funding records 0', () => {
    expect(applyFill(legacy, { type: 'CLOSE', reason: 'signal', price: 100, time: T0 + MIN }, NO_COSTS).trade!.funding).toBe(0);
  });

  test('payFunding books an amount the exchange charged (live) on the cash and the open position', () => {
    const paid = payFunding(holding('SHORT', 100, 2), -0.4);
    expect(paid.cash).toBeCloseTo(10_000.4, 12);
    expect(paid.position!.funding).toBeCloseTo(-0.4, 12);
  });

  test('openBar keeps its old call shape: without funding nothing is paid', () => {
    expect(openBar(legacy, bar(3, 101), NO_COSTS, SIMULATED).state).toEqual(legacy);
  });
});

/**
 * Isolated margin and liquidation by hand (docs/strategy.md "Leverage and liquidation"), with BTCUSDT's first
 * leverage brackets (config/leverage-brackets/BTCUSDT.json), no slippage, 10,000 capital, entries at 100.
 *
 * At 50x with position fraction 0.5: notional 250,000 (bracket 2: mmr 0.5 %, cum 50), qty 2,500, margin M 5,000.
 *   LONG  LP = (250,000 - 5,000 - 50) / (2,500 x 0.995) = 98.4723618..., bankruptcy 100 - 5,000 / 2,500 = 98
 *   SHORT LP = (250,000 + 5,000 + 50) / (2,500 x 1.005) = 101.5124378..., bankruptcy 102
 * The 1 % stop (99 / 101) lies inside both, so the configuration may start.
 */
import {
  decide,
  fillAtOpen,
  initialState,
  liquidationConfigProblem,
  marginTerms,
  openBar,
  SIMULATED,
  simulate,
  type LeverageBracket,
  type TraderState,
  type TradingParams,
} from '../../../domain/trading';
import { MIN, NO_COSTS, T0, bar } from './fixtures';

const BTCUSDT_FIRST_BRACKETS: readonly LeverageBracket[] = [
  { bracket: 1, initialLeverage: 125, notionalFloor: 0, notionalCap: 50_000, maintMarginRatio: 0.004, cum: 0 },
  { bracket: 2, initialLeverage: 100, notionalFloor: 50_000, notionalCap: 600_000, maintMarginRatio: 0.005, cum: 50 },
  { bracket: 3, initialLeverage: 75, notionalFloor: 600_000, notionalCap: 3_000_000, maintMarginRatio: 0.0065, cum: 950 },
];
const X50: TradingParams = { ...NO_COSTS, leverage: 50, positionFraction: 0.5, takerFeeBps: 4, leverageBrackets: BTCUSDT_FIRST_BRACKETS };

/** Flat with an entry pending, as decided at the close of the bar before T0 + 1 minute. */
const pending = (type: 'OPEN_LONG' | 'OPEN_SHORT', params = X50, cash = params.startingCapital): TraderState => ({
  ...initialState(params, T0),
  cash,
  pending: { type, modelVersion: 'm1' },
});
const entered = (type: 'OPEN_LONG' | 'OPEN_SHORT', params = X50) => fillAtOpen(pending(type, params), bar(1, 100), params).state;

describe('margin and liquidation price at entry', () => {
  test('LONG at 50x: M = 5,000 fixed, LP 98.4724 from bracket 2, entry fee 4 bps of 250,000', () => {
    const { position, cash } = entered('OPEN_LONG');
    expect(position).toMatchObject({ side: 'LONG', qty: 2_500, entryPrice: 100, margin: 5_000, funding: 0, entryFee: 100 });
    expect(position!.liquidationPrice).toBeCloseTo(98.47236180904522, 10);
    expect(cash).toBe(9_900);
  });

  test('SHORT at 50x: LP 101.5124', () => {
    expect(entered('OPEN_SHORT').position!.liquidationPrice).toBeCloseTo(101.51243781094529, 10);
  });

  test('the bracket follows the notional: 40,000 falls in bracket 1 (mmr 0.4 %, cum 0)', () => {
    // qty 400 at 100, M = 800: LP = (40,000 - 800) / (400 x 0.996)
    expect(marginTerms('LONG', 400, 100, X50).liquidationPrice).toBeCloseTo(39_200 / 398.4, 10);
  });
});

describe('liquidation at 50x: only a bar opening at or beyond LP liquidates, at the bankruptcy price', () => {
  test('LONG: a bar opening at 98.4 closes at 98, losing exactly the margin, plus the exit fee', () => {
    const r = openBar(entered('OPEN_LONG'), bar(2, 98.4, 98.2), X50, SIMULATED);
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0]!;
    expect(t).toMatchObject({ exitReason: 'liquidation', exitTime: T0 + 2 * MIN, exitPrice: 98, qty: 2_500 });
    expect(t.fees).toBeCloseTo(100 + 98, 9); // 4 bps of 250,000 and of 2,500 x 98
    expect(t.netPnl).toBeCloseTo(-5_000 - 198, 9);
    expect(r.state.cash).toBeCloseTo(10_000 - 5_000 - 198, 9);
    expect(r.state.position).toBeNull();
  });

  test('SHORT: a bar opening at 101.6 closes at 102', () => {
    const r = openBar(entered('OPEN_SHORT'), bar(2, 101.6), X50, SIMULATED);
    expect(r.trades[0]).toMatchObject({ exitReason: 'liquidation', exitPrice: 102 });
    expect(r.trades[0]!.netPnl).toBeCloseTo(-5_000 - 100 - 102, 9);
  });

  test('a bar opening between the stop and LP is a stop-loss gap fill at its open, not a liquidation', () => {
    const r = openBar(entered('OPEN_LONG'), bar(2, 98.7, 98.6, 98.7, 98.0), X50, SIMULATED);
    expect(r.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitPrice: 98.7 });
  });

  test('inside a bar the stop-loss is reached first, even when the low goes below LP', () => {
    const r = openBar(entered('OPEN_LONG'), bar(2, 99.5, 98, 99.5, 97), X50, SIMULATED);
    expect(r.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitPrice: 99 });
  });

  test('a pending close at the liquidating open does not fill: the position is already gone', () => {
    const state = { ...entered('OPEN_LONG'), pending: { type: 'CLOSE', reason: 'signal' } as const };
    const r = openBar(state, bar(2, 98), X50, SIMULATED);
    expect(r.trades.map((t) => t.exitReason)).toEqual(['liquidation']);
    expect(r.state.pending).toBeNull();
  });

  test('funding moves cash, not the margin: LP stays where it was', () => {
    const before = entered('OPEN_LONG');
    const r = openBar(before, bar(2, 100), X50, SIMULATED, { time: T0 + 2 * MIN, rate: 0.0001 });
    expect(r.state.cash).toBeCloseTo(before.cash - 25, 9); // 2,500 x 100 x 0.0001
    expect(r.state.position).toMatchObject({ margin: 5_000, liquidationPrice: before.position!.liquidationPrice });
  });

  test('in a simulated run the trade says liquidation', () => {
    const bars = [bar(0, 100), bar(1, 100), bar(2, 97, 97), bar(3, 97)];
    const run = simulate(bars, [0.001, 0, 0, 0], ['m1', 'm1', 'm1', 'm1'], X50);
    expect(run.trades.map((t) => [t.exitReason, t.exitPrice])).toEqual([['liquidation', 98]]);
  });
});

describe('a stop-loss at or beyond the liquidation price is refused', () => {
  test('at start: 80x puts a LONG of 800,000 (bracket 3) at LP 0.99277 x entry, above the 1 % stop', () => {
    const problem = liquidationConfigProblem({ ...X50, leverage: 80, positionFraction: 1 });
    expect(problem).toMatch(/trading\.stop_loss_pct 1 % lies at or beyond the liquidation price at execution\.leverage 80/);
    expect(problem).toMatch(/a LONG of notional 800000 USDT \(bracket mmr 0\.65 %, cum 950\) liquidates 0\.7235 % below its entry/);
  });

  test('at start: 50x with the default stop may start; leverage above 1 without brackets may not', () => {
    expect(liquidationConfigProblem(X50)).toBeNull();
    expect(liquidationConfigProblem({ ...NO_COSTS, leverage: 5 })).toMatch(/needs the symbol's leverage brackets/);
    expect(liquidationConfigProblem(NO_COSTS)).toBeNull();
  });

  // 70x may start with 700 USDT (49,000 in bracket 1: LP 0.98967 x entry), but once the cash has grown to 1,500 the
  // notional 105,000 falls in bracket 2 and LP = (1 - 1/70 - 50/105,000) / 0.995 = 0.99019 x entry: above the stop.
  const X70: TradingParams = { ...NO_COSTS, leverage: 70, startingCapital: 700, leverageBrackets: BTCUSDT_FIRST_BRACKETS };

  test('per entry, at the decision: entry_skipped with reason stop_beyond_liquidation', () => {
    expect(liquidationConfigProblem(X70)).toBeNull();
    const grown = { ...initialState(X70, T0), cash: 1_500 };
    const d = decide(grown, { bar: bar(0, 100), prediction: 0.001, modelVersion: 'm1' }, X70);
    expect(d.intent).toBeNull();
    expect(d.events).toContainEqual({ type: 'entry_skipped', time: T0, side: 'LONG', reason: 'stop_beyond_liquidation' });
    // With the starting cash the same signal enters.
    expect(decide(initialState(X70, T0), { bar: bar(0, 100), prediction: 0.001, modelVersion: 'm1' }, X70).intent).toEqual({
      type: 'OPEN_LONG',
      modelVersion: 'm1',
    });
  });

  test('per entry, at the fill: intent_dropped with reason stop_beyond_liquidation', () => {
    const r = fillAtOpen(pending('OPEN_LONG', X70, 1_500), bar(1, 100), X70);
    expect(r.state.position).toBeNull();
    expect(r.events).toEqual([
      { type: 'intent_dropped', time: T0 + MIN, intent: { type: 'OPEN_LONG', modelVersion: 'm1' }, reason: 'stop_beyond_liquidation' },
    ]);
  });
});

describe('at leverage 1 nothing liquidates', () => {
  const X1: TradingParams = { ...NO_COSTS, leverageBrackets: BTCUSDT_FIRST_BRACKETS };

  test('a LONG has no liquidation price above 0; a SHORT has one near twice the entry (2 / 1.004 x 100)', () => {
    expect(entered('OPEN_LONG', X1).position!.liquidationPrice).toBeNull();
    expect(entered('OPEN_SHORT', X1).position!.liquidationPrice).toBeCloseTo(199.20318725099602, 10);
    expect(liquidationConfigProblem(X1)).toBeNull();
  });

  test('a 60 % crash under a LONG and a 50 % spike over a SHORT are stop-loss gap fills at the open', () => {
    expect(openBar(entered('OPEN_LONG', X1), bar(2, 40), X1, SIMULATED).trades[0]).toMatchObject({ exitReason: 'stop_loss', exitPrice: 40 });
    expect(openBar(entered('OPEN_SHORT', X1), bar(2, 150), X1, SIMULATED).trades[0]).toMatchObject({ exitReason: 'stop_loss', exitPrice: 150 });
  });
});

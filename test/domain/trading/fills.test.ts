import {
  DEFAULT_TRADING_PARAMS,
  applyFill,
  checkProtective,
  decide,
  equityAt,
  fillAtOpen,
  fillForIntent,
  finish,
  flatten,
  initialState,
  type TraderState,
} from '../../../domain/trading';
import { MIN, NO_COSTS, T0, bar, holding } from './fixtures';

const P = DEFAULT_TRADING_PARAMS; // 4 bps fee, 1 bp slippage, 10,000 capital

/** Flat state with `intent` pending, as decided at the close of the bar before T0 + i minutes. */
function pendingAt(intent: TraderState['pending'], params = NO_COSTS): TraderState {
  return { ...initialState(params, T0), pending: intent };
}

describe('fees and slippage by hand (defaults: 4 bps fee, 1 bp slippage)', () => {
  // Entry: buy at open 100 -> 100.01; qty = 10,000 / 100.01; fee = 4 bps of 10,000 = 4.
  const opened = fillAtOpen(pendingAt({ type: 'OPEN_LONG', modelVersion: 'm1' }, P), bar(1, 100, 100.5), P).state;

  test('entry fill', () => {
    expect(opened.position).toEqual({
      side: 'LONG',
      qty: 10_000 / 100.01,
      entryPrice: 100.01,
      entryTime: T0 + MIN,
      entryFee: 4,
      modelVersion: 'm1',
      funding: 0,
      margin: 10_000, // leverage 1: the whole notional
      liquidationPrice: null, // no leverage brackets in the parameters: none modelled
    });
    expect(opened.cash).toBeCloseTo(9996, 9);
    expect(equityAt(opened, 100.5)).toBeCloseTo(10_044.99510049, 7); // 9,996 + qty x 0.49
  });

  test('exit fill: sell at open 101 -> 100.9899, fee 4 bps of qty x 100.9899', () => {
    const { state, trade } = fillAtOpen({ ...opened, pending: { type: 'CLOSE', reason: 'signal' } }, bar(2, 101), P);
    expect(trade).toMatchObject({ side: 'LONG', exitTime: T0 + 2 * MIN, exitReason: 'signal', modelVersion: 'm1' });
    expect(trade!.exitPrice).toBeCloseTo(100.9899, 10);
    expect(trade!.fees).toBeCloseTo(4 + 4.03919208079, 9);
    expect(trade!.netPnl).toBeCloseTo(89.94100989901, 9); // 97.98020197980 - 4 - 4.03919208079
    expect(state.cash).toBeCloseTo(10_089.94100989901, 8);
    expect(state.position).toBeNull();
    expect(state.lastExitTime).toBe(T0 + 2 * MIN);
    expect(state.counters).toMatchObject({ trades: 1, wins: 1 });
    expect(state.counters.feesPaid).toBeCloseTo(8.03919208079, 9);
  });

  test('short stop-loss: sell at 200 -> 199.98, stop 201.9798, bought back at 201.9798 x 1.0001', () => {
    const short = fillAtOpen(pendingAt({ type: 'OPEN_SHORT', modelVersion: 'm1' }, P), bar(1, 200, 200), P).state;
    const { trade } = checkProtective(short, bar(2, 200, 202.5, 203, 199.5), P);
    expect(trade).toMatchObject({ side: 'SHORT', exitReason: 'stop_loss', entryPrice: 199.98 });
    expect(trade!.exitPrice).toBeCloseTo(201.99999798, 10);
    expect(trade!.netPnl).toBeCloseTo(-109.050404, 9);
  });
});

describe('sizing uses the equity at the entry fill', () => {
  test.each([
    [1, 1, 10_000],
    [0.5, 1, 5_000],
    [0.5, 2, 10_000],
    [1, 3, 30_000],
  ])('positionFraction %p x leverage %p -> notional %p', (positionFraction, leverage, notional) => {
    const params = { ...NO_COSTS, positionFraction, leverage };
    const { state } = fillAtOpen(pendingAt({ type: 'OPEN_SHORT', modelVersion: 'm1' }, params), bar(1, 250), params);
    expect(state.position!.qty * state.position!.entryPrice).toBeCloseTo(notional, 8);
  });

  test('after a loss the next entry is smaller', () => {
    const afterLoss = applyFill(holding('LONG', 100, 100), { type: 'CLOSE', reason: 'signal', price: 90, time: T0 + MIN }, NO_COSTS).state;
    expect(afterLoss.cash).toBe(9000);
    const { state } = fillAtOpen({ ...afterLoss, pending: { type: 'OPEN_LONG', modelVersion: 'm1' } }, bar(4, 90), NO_COSTS);
    expect(state.position!.qty).toBeCloseTo(100, 10); // 9,000 / 90
  });
});

describe('stop-loss and take-profit (LONG entry 100: stop 99, take 103; SHORT entry 100: stop 101, take 97)', () => {
  test.each([
    // side, [open, close, high, low], expected reason, expected fill price
    ['LONG', [100.5, 100, 101, 99.5], null, null],
    ['LONG', [100, 100, 100.5, 99], 'stop_loss', 99], // touching the level counts
    ['LONG', [100, 102, 103, 99.5], 'take_profit', 103],
    ['LONG', [100, 101, 103.5, 98.5], 'stop_loss', 99], // both touched: stop first
    ['LONG', [98, 98, 98.5, 97.5], 'stop_loss', 98], // gap below the stop: fills at the open
    ['LONG', [104, 104.5, 105, 103.5], 'take_profit', 104], // gap above the take: fills at the open
    ['LONG', [104, 100, 104, 98], 'stop_loss', 99], // opened beyond the take but also reached the stop: stop counts
    ['SHORT', [99.5, 100, 100.5, 99], null, null],
    ['SHORT', [100, 100.5, 101, 99.5], 'stop_loss', 101],
    ['SHORT', [100, 98, 100.5, 97], 'take_profit', 97],
    ['SHORT', [100, 99, 101.5, 96.5], 'stop_loss', 101],
    ['SHORT', [102, 102, 102.5, 101.5], 'stop_loss', 102],
    ['SHORT', [96, 95.5, 96.5, 95], 'take_profit', 96],
  ] as const)('%s bar %j -> %p at %p', (side, [open, close, high, low], reason, price) => {
    const { state, trade } = checkProtective(holding(side, 100, 1), bar(3, open, close, high, low), NO_COSTS);
    if (reason === null) {
      expect(trade).toBeNull();
      expect(state.position).not.toBeNull();
    } else {
      expect(trade).toMatchObject({ exitReason: reason, exitTime: T0 + 3 * MIN });
      expect(trade!.exitPrice).toBeCloseTo(price, 10);
      expect(state.position).toBeNull();
    }
  });

  test('protective fills pay slippage too: a LONG stop at 99 sells at 99 x (1 - 1 bp)', () => {
    const params = { ...NO_COSTS, slippageBps: 1 };
    const { trade } = checkProtective(holding('LONG', 100, 1, T0, params), bar(3, 100, 99, 100, 98.9), params);
    expect(trade!.exitPrice).toBeCloseTo(98.9901, 10);
  });

  test('the stop is checked in the bar in which the entry filled', () => {
    const bar1 = bar(1, 100, 99.5, 100.2, 98.9);
    const opened = fillAtOpen(pendingAt({ type: 'OPEN_LONG', modelVersion: 'm1' }), bar1, NO_COSTS);
    const { trade } = checkProtective(opened.state, bar1, NO_COSTS);
    expect(trade).toMatchObject({ exitReason: 'stop_loss', entryTime: bar1.openTime, exitTime: bar1.openTime, entryPrice: 100, exitPrice: 99 });
  });
});

describe('fillAtOpen', () => {
  test.each([
    [2, false],
    [3, true],
  ])('cooldown at the fill: entry bar opening %p minutes after the exit fills: %p', (minutes, fills) => {
    const exit = T0 + 10 * MIN;
    const state = { ...pendingAt({ type: 'OPEN_LONG', modelVersion: 'm1' }), lastExitTime: exit };
    const r = fillAtOpen(state, { ...bar(0, 100), openTime: exit + minutes * MIN }, NO_COSTS);
    expect(r.state.position !== null).toBe(fills);
    expect(r.state.pending).toBeNull();
    expect(r.events.map((e) => e.type)).toEqual(fills ? [] : ['intent_dropped']);
  });

  test('a CLOSE with nothing to close is dropped', () => {
    const r = fillAtOpen(pendingAt({ type: 'CLOSE', reason: 'signal' }), bar(1, 100), NO_COSTS);
    expect(r.state.pending).toBeNull();
    expect(r.events).toEqual([{ type: 'intent_dropped', time: T0 + MIN, intent: { type: 'CLOSE', reason: 'signal' }, reason: 'no_position' }]);
  });

  test('flatten closes at the next open with reason flatten', () => {
    const { trade } = fillAtOpen(flatten(holding('SHORT', 100, 2)), bar(5, 95), NO_COSTS);
    expect(trade).toMatchObject({ exitReason: 'flatten', exitPrice: 95, netPnl: 10 });
  });

  test('flatten when flat cancels a pending entry', () => {
    expect(flatten(pendingAt({ type: 'OPEN_LONG', modelVersion: 'm1' })).pending).toBeNull();
  });
});

describe('applyFill with execution reports (live)', () => {
  test('uses the exchange quantity and fee when given', () => {
    const intent = decide(initialState(P, T0), { bar: bar(0, 100), prediction: 0.001, modelVersion: 'm3' }, P);
    const fill = fillForIntent(intent.intent!, { price: 100.2, time: T0 + MIN, qty: 99.7, fee: 4.1 });
    const { state } = applyFill(intent.state, fill, P);
    expect(state.position).toMatchObject({ side: 'LONG', qty: 99.7, entryPrice: 100.2, entryTime: T0 + MIN, entryFee: 4.1, modelVersion: 'm3', funding: 0 });
    expect(state.position!.margin).toBeCloseTo(99.7 * 100.2, 9);
    expect(state.cash).toBeCloseTo(9995.9, 10);
    expect(state.pending).toBeNull();
  });

  test.each([
    ['open while a position is open', holding('LONG', 100, 1), { type: 'OPEN', side: 'SHORT', modelVersion: 'm1', price: 100, time: T0 }, /already open/],
    ['close while flat', initialState(P, T0), { type: 'CLOSE', reason: 'signal', price: 100, time: T0 }, /no open position/],
    ['a zero price', initialState(P, T0), { type: 'OPEN', side: 'LONG', modelVersion: 'm1', price: 0, time: T0 }, /invalid price/],
    ['a negative fee', holding('LONG', 100, 1), { type: 'CLOSE', reason: 'flatten', price: 100, time: T0, fee: -1 }, /invalid fee/],
  ] as const)('refuses %s', (_name, state, fill, message) => {
    expect(() => applyFill(state, fill, P)).toThrow(message);
  });
});

describe('finish (last test bar)', () => {
  test('closes at the close with slippage and fee, exit time the bar open, and records equity after the exit', () => {
    const state = { ...holding('LONG', 100, 10, T0, P), pending: { type: 'CLOSE', reason: 'signal' } as const };
    const last = bar(9, 101, 102);
    const { state: end, trade } = finish(state, last, P);
    const exitPrice = 102 * (1 - 0.0001);
    expect(trade).toMatchObject({ exitReason: 'end_of_test', exitTime: last.openTime, qty: 10 });
    expect(trade!.exitPrice).toBeCloseTo(101.9898, 10);
    expect(trade!.netPnl).toBeCloseTo(10 * (exitPrice - 100) - 10 * exitPrice * 0.0004, 10);
    expect(end.lastEquity).toBeCloseTo(10_000 + trade!.netPnl, 9);
    expect(end.pending).toBeNull();
  });

  test('a flat trader only records the equity and drops a pending entry', () => {
    const { state, trade } = finish(pendingAt({ type: 'OPEN_SHORT', modelVersion: 'm1' }, P), bar(3, 50), P);
    expect(trade).toBeNull();
    expect(state.pending).toBeNull();
    expect(state.lastEquity).toBe(10_000);
  });
});

import { DAY_MS, type Bar } from '../../../domain/bars';
import {
  DEFAULT_TRADING_PARAMS,
  flatten,
  initialState,
  lastStep,
  pause,
  performanceMetrics,
  simulate,
  stepBar,
  type TraderState,
} from '../../../domain/trading';
import { loadShippedBars } from '../../helpers/shipped-data';
import { MIN, NO_COSTS, T0, bar } from './fixtures';

/** Bars from [open, close] pairs (high/low span them), one per minute from `t0`. */
function series(pairs: readonly (readonly [number, number])[], t0 = T0): Bar[] {
  return pairs.map(([o, c], i) => bar(i, o, c, Math.max(o, c), Math.min(o, c), t0));
}

describe('simulate: the backtest timeline', () => {
  const bars = series([
    [100, 100],
    [100, 101],
    [101, 102],
    [102, 101],
    [101, 101],
    [101, 100],
  ]);
  const predictions = [0.001, 0, -0.001, 0.001, 0, 0];
  const run = simulate(bars, predictions, Array(6).fill('m1'), NO_COSTS);

  test('an order decided at a close fills at the next open; the reversal exit too', () => {
    expect(run.trades).toEqual([
      {
        side: 'LONG',
        entryTime: T0 + MIN,
        entryPrice: 100,
        exitTime: T0 + 3 * MIN,
        exitPrice: 102,
        qty: 100,
        fees: 0,
        funding: 0,
        netPnl: 200,
        exitReason: 'signal',
        modelVersion: 'm1',
      },
    ]);
  });

  test('the equity curve: starting capital at T0, then each bar close stamped with its close time', () => {
    expect(run.equity).toEqual([
      { openTime: T0, equity: 10_000 },
      { openTime: T0 + MIN, equity: 10_000 },
      { openTime: T0 + 2 * MIN, equity: 10_100 },
      { openTime: T0 + 3 * MIN, equity: 10_200 },
      { openTime: T0 + 4 * MIN, equity: 10_200 },
      { openTime: T0 + 5 * MIN, equity: 10_200 },
      { openTime: T0 + 6 * MIN, equity: 10_200 },
    ]);
  });

  test('the entry signalled one minute after the exit is skipped by the cooldown', () => {
    expect(run.events).toContainEqual({ type: 'entry_skipped', time: T0 + 3 * MIN, side: 'LONG', reason: 'cooldown' });
  });

  test('refuses inconsistent inputs', () => {
    expect(() => simulate([], [], [], NO_COSTS)).toThrow(/no bars/);
    expect(() => simulate(bars, [0], Array(6).fill('m1'), NO_COSTS)).toThrow(/6 bars but 1 predictions/);
    expect(() => simulate([bars[1]!, bars[0]!], [0, 0], ['m1', 'm1'], NO_COSTS)).toThrow(/bar 1 .* is not after bar 0/);
  });
});

describe('simulate: end of test', () => {
  test('an open position closes at the last close with reason end_of_test, costs included', () => {
    const bars = series([
      [100, 100],
      [100, 100.5],
      [100.5, 101],
      [101, 101.5],
    ]);
    const run = simulate(bars, [0.001, 0, 0, 0], Array(4).fill('m1'), DEFAULT_TRADING_PARAMS);
    const trade = run.trades[0]!;
    expect(run.trades).toHaveLength(1);
    expect(trade).toMatchObject({ exitReason: 'end_of_test', exitTime: T0 + 3 * MIN, entryPrice: 100.01 });
    expect(trade.exitPrice).toBeCloseTo(101.48985, 10);
    expect(run.finalState.position).toBeNull();
    expect(run.equity.at(-1)!.equity).toBeCloseTo(10_000 + trade.netPnl, 9);
  });

  test('the last bar makes no decision: an entry decided before it is closed at its close', () => {
    const bars = series([
      [100, 100],
      [100, 100],
      [100, 102],
    ]);
    const run = simulate(bars, [0, 0.001, 0.001], Array(3).fill('m1'), NO_COSTS);
    expect(run.trades).toEqual([
      expect.objectContaining({ entryTime: T0 + 2 * MIN, exitTime: T0 + 2 * MIN, entryPrice: 100, exitPrice: 102, exitReason: 'end_of_test' }),
    ]);
  });
});

describe('simulate: models', () => {
  test('a model swap leaves the open position and its version alone; later trades carry the new version', () => {
    const bars = series(Array.from({ length: 9 }, () => [100, 100] as const));
    const predictions = [0.001, 0.002, -0.001, 0, 0, -0.001, 0, 0, 0];
    const versions = ['m1', 'm2', 'm2', 'm2', 'm2', 'm2', 'm2', 'm2', 'm2'];
    const run = simulate(bars, predictions, versions, NO_COSTS);
    expect(run.trades.map((t) => [t.side, t.entryTime, t.exitTime, t.modelVersion, t.exitReason])).toEqual([
      ['LONG', T0 + MIN, T0 + 3 * MIN, 'm1', 'signal'],
      ['SHORT', T0 + 6 * MIN, T0 + 8 * MIN, 'm2', 'end_of_test'],
    ]);
  });

  // Bar 1 has a prediction but no model version: it is not a model's prediction and is ignored too.
  test('bars without a model take no entries and no signal exits, but a stop still fires', () => {
    const bars = series([
      [100, 100],
      [100, 100],
      [100, 100],
      [100, 98.5],
      [98.5, 98.5],
    ]);
    const run = simulate(bars, [0.001, -0.01, Number.NaN, null, 0.01], ['m1', null, null, null, null], NO_COSTS);
    expect(run.trades).toEqual([expect.objectContaining({ exitReason: 'stop_loss', exitTime: T0 + 3 * MIN, exitPrice: 99 })]);
  });
});

describe('operators between bars (stepBar)', () => {
  const flatBars = series(Array.from({ length: 8 }, () => [100, 100] as const));
  /** Decides a LONG at bar 0 and fills it at bar 1's open. */
  function longAfterBar1(): TraderState {
    let state = initialState(NO_COSTS, T0);
    state = stepBar(state, { bar: flatBars[0]!, prediction: 0.001, modelVersion: 'm1' }, NO_COSTS).state;
    return stepBar(state, { bar: flatBars[1]!, prediction: 0, modelVersion: 'm1' }, NO_COSTS).state;
  }

  test('pause blocks new entries while the stop-loss still protects the open position', () => {
    let state = pause(longAfterBar1());
    const crash = stepBar(state, { bar: bar(2, 100, 98, 100, 98), prediction: 0.01, modelVersion: 'm1' }, NO_COSTS);
    expect(crash.trades).toEqual([expect.objectContaining({ exitReason: 'stop_loss', exitPrice: 99 })]);
    state = crash.state;
    for (let i = 3; i < 7; i++) {
      const step = stepBar(state, { bar: flatBars[i]!, prediction: 0.01, modelVersion: 'm1' }, NO_COSTS);
      expect(step.intent).toBeNull();
      state = step.state;
    }
    expect(state.position).toBeNull();
  });

  test('flatten closes at the next fill with reason flatten', () => {
    const step = stepBar(flatten(longAfterBar1()), { bar: flatBars[2]!, prediction: 0.01, modelVersion: 'm1' }, NO_COSTS);
    expect(step.trades).toEqual([expect.objectContaining({ exitReason: 'flatten', exitTime: T0 + 2 * MIN })]);
    expect(step.intent).toBeNull(); // cooldown
  });
});

test('kill switch across a UTC midnight: closes, blocks entries until the new day, then trades again', () => {
  const t0 = T0 + DAY_MS - 10 * MIN; // 23:50
  const pairs: [number, number][] = Array.from({ length: 14 }, () => [97, 97]);
  pairs.splice(0, 6, [100, 100], [100, 100], [100, 99], [99, 98.5], [98.5, 98], [98, 96.9]);
  const bars = series(pairs, t0);
  const params = { ...NO_COSTS, stopLossFraction: 0.05 }; // let the day's loss reach 3 % before the stop
  const run = simulate(bars, Array(14).fill(0.001), Array(14).fill('m1'), params);
  expect(run.trades.map((t) => [t.entryTime - t0, t.exitTime - t0, t.exitReason])).toEqual([
    [1 * MIN, 6 * MIN, 'kill_switch'], // equity 9,690 at 23:55's close; closes at 23:56's open
    [11 * MIN, 13 * MIN, 'end_of_test'], // first entry decided at 00:00's close fills at 00:01
  ]);
  const halted = run.events.filter((e) => e.type === 'entry_skipped' && e.reason === 'halted').map((e) => e.time - t0);
  expect(halted).toEqual([6, 7, 8, 9].map((m) => m * MIN));
});

describe('on real bars with a deterministic toy model', () => {
  const bars = loadShippedBars().slice(0, 2 * 1440);
  // Momentum over 3 minutes, halved: crosses the 8 bps threshold often enough to trade.
  const predictions = bars.map((b, i) => (i < 3 ? null : (b.close / bars[i - 3]!.close - 1) * 0.5));
  const versions = bars.map((b) => `m${Math.floor((b.openTime - bars[0]!.openTime) / (60 * MIN))}`);
  const run = simulate(bars, predictions, versions, DEFAULT_TRADING_PARAMS);

  test('the books balance and the rules hold on every trade', () => {
    expect(run.trades.length).toBeGreaterThan(20);
    expect(run.equity).toHaveLength(bars.length + 1);
    const sumPnl = run.trades.reduce((s, t) => s + t.netPnl, 0);
    expect(run.equity.at(-1)!.equity).toBeCloseTo(10_000 + sumPnl, 6);
    expect(run.finalState.counters.trades).toBe(run.trades.length);
    for (let i = 0; i < run.trades.length; i++) {
      const t = run.trades[i]!;
      if (i > 0) expect(t.entryTime - run.trades[i - 1]!.exitTime).toBeGreaterThanOrEqual(3 * MIN);
      expect(t.exitTime).toBeGreaterThanOrEqual(t.entryTime);
      if (t.exitReason === 'stop_loss') expect(t.netPnl).toBeLessThan(0);
      if (t.exitReason === 'take_profit') expect(t.netPnl).toBeGreaterThan(0);
    }
    const metrics = performanceMetrics(
      run.equity.map((p) => p.equity),
      run.trades,
    );
    expect(Object.values(metrics).every(Number.isFinite)).toBe(true);
    expect(metrics.trades).toBe(run.trades.length);
  });

  test('is deterministic: the same inputs give deep-equal outputs', () => {
    expect(simulate(bars, predictions, versions, DEFAULT_TRADING_PARAMS)).toEqual(run);
  });

  test('a JSON round trip of the state mid-run continues identically', () => {
    let state = initialState(DEFAULT_TRADING_PARAMS, bars[0]!.openTime);
    const trades = [];
    const last = bars.length - 1;
    for (let i = 0; i < last; i++) {
      // Serialise at every hour, as a workflow's continue-as-new would.
      if (i % 60 === 0) state = JSON.parse(JSON.stringify(state)) as TraderState;
      const step = stepBar(state, { bar: bars[i]!, prediction: predictions[i] ?? null, modelVersion: versions[i]! }, DEFAULT_TRADING_PARAMS);
      trades.push(...step.trades);
      state = step.state;
    }
    const end = lastStep(state, bars[last]!, DEFAULT_TRADING_PARAMS);
    trades.push(...end.trades);
    expect(trades).toEqual(run.trades);
    expect(end.state).toEqual(run.finalState);
  });
});

import { DAY_MS } from '../../../domain/bars';
import { applyFill, decide, initialState, pause, resume, type TraderState } from '../../../domain/trading';
import { MIN, NO_COSTS, T0, bar, holding } from './fixtures';

const flat = initialState(NO_COSTS, T0);

describe('decide: entries', () => {
  // Thresholds are strict: a prediction equal to +-8 bps does not enter.
  test.each([
    [0.0008, null],
    [0.000800001, 'OPEN_LONG'],
    [-0.0008, null],
    [-0.000800001, 'OPEN_SHORT'],
    [0, null],
    [0.05, 'OPEN_LONG'],
  ])('prediction %p -> %p', (prediction, expected) => {
    const { intent, state } = decide(flat, { bar: bar(0, 100), prediction, modelVersion: 'm1' }, NO_COSTS);
    expect(intent?.type ?? null).toBe(expected);
    expect(state.pending).toEqual(intent);
  });

  test('an entry intent carries the version of the model that predicted it', () => {
    const { intent } = decide(flat, { bar: bar(0, 100), prediction: 0.002, modelVersion: 'm7' }, NO_COSTS);
    expect(intent).toEqual({ type: 'OPEN_LONG', modelVersion: 'm7' });
  });

  test.each([
    ['null prediction', null, 'm1'],
    ['NaN prediction', Number.NaN, 'm1'],
    ['no model version', 0.002, null],
  ])('no entry without a model (%s)', (_name, prediction, modelVersion) => {
    expect(decide(flat, { bar: bar(0, 100), prediction, modelVersion }, NO_COSTS).intent).toBeNull();
  });

  test('refuses bars that do not move forward in time', () => {
    const { state } = decide(flat, { bar: bar(5, 100), prediction: 0, modelVersion: 'm1' }, NO_COSTS);
    expect(() => decide(state, { bar: bar(5, 100), prediction: 0, modelVersion: 'm1' }, NO_COSTS)).toThrow(/not after the last decided bar/);
  });
});

describe('decide: exits on signal reversal', () => {
  test.each([
    ['LONG', -0.00045, null],
    ['LONG', -0.000450001, 'signal'],
    ['LONG', 0.002, null], // same direction: hold, never add
    ['SHORT', 0.00045, null],
    ['SHORT', 0.000450001, 'signal'],
    ['SHORT', -0.002, null],
  ] as const)('%s with prediction %p -> close reason %p', (side, prediction, reason) => {
    const { intent } = decide(holding(side, 100, 1), { bar: bar(1, 100), prediction, modelVersion: 'm1' }, NO_COSTS);
    expect(intent).toEqual(reason === null ? null : { type: 'CLOSE', reason });
  });

  test('a reversal closes only: the opposite entry waits for a later decision', () => {
    const { intent } = decide(holding('LONG', 100, 1), { bar: bar(1, 100), prediction: -0.01, modelVersion: 'm1' }, NO_COSTS);
    expect(intent).toEqual({ type: 'CLOSE', reason: 'signal' });
  });

  test('no signal exit without a prediction', () => {
    expect(decide(holding('LONG', 100, 1), { bar: bar(1, 100), prediction: Number.NaN, modelVersion: null }, NO_COSTS).intent).toBeNull();
  });
});

describe('decide: cooldown', () => {
  // The position exited in the bar opening at `exit`; an entry decided at a close fills in the next bar.
  const exit = T0 + 10 * MIN;
  const afterExit: TraderState = { ...flat, lastExitTime: exit, lastBarTime: exit };

  test.each([
    ['fill bar opens 2 minutes after the exit', 1, null],
    ['fill bar opens exactly 3 minutes after the exit', 2, 'OPEN_LONG'],
  ])('%s', (_name, decideBarOffset, expected) => {
    const decideBar = bar(10 + decideBarOffset, 100);
    const { intent, events } = decide(afterExit, { bar: decideBar, prediction: 0.002, modelVersion: 'm1' }, NO_COSTS);
    expect(intent?.type ?? null).toBe(expected);
    if (expected === null) expect(events).toContainEqual({ type: 'entry_skipped', time: decideBar.openTime, side: 'LONG', reason: 'cooldown' });
  });

  test('a zero cooldown allows an entry decided at the close of the exit bar', () => {
    const params = { ...NO_COSTS, cooldownMinutes: 0 };
    const { state } = decide({ ...flat, lastExitTime: exit }, { bar: bar(10, 100), prediction: 0.002, modelVersion: 'm1' }, params);
    expect(state.pending?.type).toBe('OPEN_LONG');
  });
});

describe('decide: kill switch', () => {
  // LONG 100 units from 100 with 10,000 of equity: each 1.00 of price is 1 % of the day's opening equity.
  const long = holding('LONG', 100, 100);

  test.each([
    [97.01, false], // equity 9,701: down 2.99 %
    [97, true], // equity 9,700: down exactly 3 %
    [95, true],
  ])('close at %p fires: %p', (close, fires) => {
    const { state, intent, events } = decide(long, { bar: bar(1, 100, close), prediction: 0.002, modelVersion: 'm1' }, NO_COSTS);
    expect(state.halted).toBe(fires);
    expect(intent).toEqual(fires ? { type: 'CLOSE', reason: 'kill_switch' } : null);
    expect(events.some((e) => e.type === 'kill_switch')).toBe(fires);
  });

  /** Halted and flat again, as after the kill-switch close filled at 97. */
  function haltedFlat(): TraderState {
    const fired = decide(long, { bar: bar(1, 100, 97), prediction: 0, modelVersion: 'm1' }, NO_COSTS).state;
    return applyFill(fired, { type: 'CLOSE', reason: 'kill_switch', price: 97, time: T0 + 2 * MIN }, NO_COSTS).state;
  }

  test('blocks entries for the rest of the UTC day, even after equity recovers', () => {
    let state = haltedFlat();
    for (const i of [2, 600, 1439]) {
      const r = decide(state, { bar: bar(i, 120), prediction: 0.002, modelVersion: 'm1' }, NO_COSTS);
      expect(r.intent).toBeNull();
      expect(r.events).toContainEqual({ type: 'entry_skipped', time: T0 + i * MIN, side: 'LONG', reason: 'halted' });
      state = r.state;
    }
    // The first bar of the next UTC day lifts the halt and may enter.
    const nextDay = decide(state, { bar: bar(1440, 120), prediction: 0.002, modelVersion: 'm1' }, NO_COSTS);
    expect(nextDay.state.halted).toBe(false);
    expect(nextDay.intent?.type).toBe('OPEN_LONG');
    expect(nextDay.events).toEqual([
      { type: 'day_started', time: T0 + DAY_MS, day: nextDay.state.day, openingEquity: 9700 },
      { type: 'halt_expired', time: T0 + DAY_MS, day: nextDay.state.day },
    ]);
  });

  test('a halted state with a position still open keeps asking to close it', () => {
    const fired = decide(long, { bar: bar(1, 100, 96), prediction: 0, modelVersion: 'm1' }, NO_COSTS).state;
    const again = decide({ ...fired, pending: null }, { bar: bar(2, 100, 99), prediction: 0.002, modelVersion: 'm1' }, NO_COSTS);
    expect(again.intent).toEqual({ type: 'CLOSE', reason: 'kill_switch' });
  });

  test("each UTC day's reference is the equity at the previous day's last close", () => {
    // Day 1 ends at 98 (equity 9,800: -2 %, no fire). Day 2's threshold is 9,800 x 0.97 = 9,506.
    let state = decide(long, { bar: bar(1439, 98), prediction: 0, modelVersion: 'm1' }, NO_COSTS).state;
    expect(state.halted).toBe(false);
    const day2 = decide(state, { bar: bar(1440, 98, 96.07), prediction: 0, modelVersion: 'm1' }, NO_COSTS);
    expect(day2.state.dayOpenEquity).toBe(9800);
    expect(day2.state.halted).toBe(false); // 9,607: below day 1's 9,700 threshold but only -1.97 % today
    state = day2.state;
    const fire = decide(state, { bar: bar(1441, 96, 95.06), prediction: 0, modelVersion: 'm1' }, NO_COSTS);
    expect(fire.state.halted).toBe(true); // 9,506
  });

  test("an operator's resume lifts the halt and re-arms the switch from the current equity", () => {
    const resumed = resume(haltedFlat());
    expect(resumed.halted).toBe(false);
    expect(resumed.dayOpenEquity).toBe(9700);
    // The kill-switch exit filled at T0+2min: bar 4's close is the first decision the cooldown lets enter.
    const r = decide(resumed, { bar: bar(4, 97), prediction: 0.002, modelVersion: 'm1' }, NO_COSTS);
    expect(r.intent?.type).toBe('OPEN_LONG');
    expect(r.state.halted).toBe(false);
  });
});

describe('decide: pause', () => {
  test('blocks entries', () => {
    const r = decide(pause(flat), { bar: bar(0, 100), prediction: 0.002, modelVersion: 'm1' }, NO_COSTS);
    expect(r.intent).toBeNull();
    expect(r.events).toContainEqual({ type: 'entry_skipped', time: T0, side: 'LONG', reason: 'paused' });
    expect(decide(resume(pause(flat)), { bar: bar(0, 100), prediction: 0.002, modelVersion: 'm1' }, NO_COSTS).intent?.type).toBe('OPEN_LONG');
  });

  test('still lets an open position exit on a signal reversal', () => {
    const r = decide(pause(holding('LONG', 100, 1)), { bar: bar(1, 100), prediction: -0.001, modelVersion: 'm1' }, NO_COSTS);
    expect(r.intent).toEqual({ type: 'CLOSE', reason: 'signal' });
  });
});

test('equity is marked at the close: cash plus the position at the close price', () => {
  const { state } = decide(holding('SHORT', 100, 10), { bar: bar(1, 100, 98.5), prediction: 0, modelVersion: 'm1' }, NO_COSTS);
  expect(state.lastEquity).toBeCloseTo(10_015, 9);
});

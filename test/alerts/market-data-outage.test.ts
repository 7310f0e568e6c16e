/** The outage rule of MarketDataWorkflow's watch: once per outage, then restored at the first new bar. */
import { observeBars, watchIntervalMs } from '../../workflows/market-data-outage';
import type { BarWatchState } from '../../contracts/market-data';

const MIN = 60_000;
const LIMIT = 5 * MIN;

test('no new bar for the threshold raises unreachable once; the next new bar raises restored with the length', () => {
  let state: BarWatchState | null = null;
  const polls: [number, number | null | undefined][] = [
    [0, 1000], // first look: the baseline
    [2 * MIN, 1000 + MIN], // a new bar
    [4 * MIN, 1000 + MIN],
    [6 * MIN, 1000 + MIN],
    [6.5 * MIN, undefined], // the poll itself failed: no new bar either
    [7.5 * MIN, 1000 + MIN], // 5.5 min without a bar
    [8 * MIN, undefined], // still down: nothing more
    [9 * MIN, 1000 + MIN],
    [20 * MIN, 1000 + 12 * MIN], // back
    [21 * MIN, 1000 + 13 * MIN],
  ];
  const alerts = polls.flatMap(([now, last]) => {
    const step = observeBars(state, last, now, LIMIT);
    state = step.state;
    return step.alert === null ? [] : [{ now, ...step.alert }];
  });
  expect(alerts).toEqual([
    { now: 7.5 * MIN, kind: 'unreachable', since: 2 * MIN, minutes: 5.5, lastBar: 1000 + MIN },
    { now: 20 * MIN, kind: 'restored', since: 2 * MIN, minutes: 18, lastBar: 1000 + 12 * MIN },
  ]);
  expect(state).toEqual({ lastBar: 1000 + 13 * MIN, advancedAt: 21 * MIN, alerted: false });
});

test('an empty table counts as no bar; an outage carried over continue-as-new is not raised again', () => {
  const empty = observeBars(null, null, 0, LIMIT);
  expect(observeBars(empty.state, null, LIMIT, LIMIT).alert).toMatchObject({ kind: 'unreachable', lastBar: null });
  const carried: BarWatchState = { lastBar: 5, advancedAt: 0, alerted: true };
  expect(observeBars(carried, 5, 60 * MIN, LIMIT)).toEqual({ state: carried, alert: null });
  expect(observeBars(carried, 6, 61 * MIN, LIMIT).alert).toMatchObject({ kind: 'restored', since: 0, minutes: 61 });
});

test('polls twice per threshold, between 30 s and 5 min apart', () => {
  expect(watchIntervalMs(5 * MIN)).toBe(2.5 * MIN);
  expect(watchIntervalMs(MIN)).toBe(30_000);
  expect(watchIntervalMs(60 * MIN)).toBe(5 * MIN);
});

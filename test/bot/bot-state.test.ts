/** The bot's state transitions without Temporal: what TradingBotWorkflow remembers bar by bar and across runs. */
import type { BarArrival, BotInput } from '../../contracts/bot';
import { readTradingParams, stepBar } from '../../domain/trading';
import {
  adopted,
  applyCommand,
  applyCommands,
  barProcessed,
  botStatus,
  carriedState,
  championSwapped,
  entriesHeld,
  initialBotState,
  isDone,
  isModelVersion,
  measurementDue,
  reconciled,
  reconciliationDue,
  reconciliationFailed,
  startShadow,
} from '../../workflows/trading-bot-state';
import { barTime, botInput } from '../workflows/fixtures/bot-input';

const retraining: NonNullable<BotInput['retraining']> = {
  shadowBars: 3,
  measureEveryBars: 2,
  psiWindowBars: 60,
  psiThreshold: 0.25,
  sharpeThreshold: -1,
  sharpeWindowBars: 3,
  minIntervalBars: 30,
  retrainArgs: {} as NonNullable<BotInput['retraining']>['retrainArgs'],
};
const input = botInput({ retraining });

function bar(n: number, close = 100 + n) {
  return { openTime: barTime(n), open: close, high: close + 1, low: close - 1, close, volume: 1 };
}
function arrival(n: number, extra: Partial<BarArrival> = {}): BarArrival {
  return { bar: bar(n), prediction: 0, challengerPrediction: null, barsBehind: 0, handedAt: null, ...extra };
}
/** Processes bar n through the engine and the state module, as the workflow does. */
function process(state: ReturnType<typeof initialBotState>, n: number, extra: Partial<BarArrival> = {}) {
  const a = arrival(n, extra);
  const step = stepBar(state.trader, { bar: a.bar!, prediction: a.prediction, modelVersion: state.champion }, readTradingParams(input.trading));
  return barProcessed(input, state, a.bar!, a, step, false);
}

test('a new bot starts flat with its champion, after startAfter; continue-as-new carries all but run-local fields', () => {
  const state = initialBotState(input);
  expect(botStatus(input, state)).toMatchObject({ position: null, modelVersion: 'model-v1', barsProcessed: 0, equity: 10_000, stopping: false });
  const carried = carriedState({ ...state, pendingChampion: 'model-v2', barsThisRun: 7 });
  expect(carried).not.toHaveProperty('pendingChampion');
  expect(carried).not.toHaveProperty('barsThisRun');
  expect(initialBotState({ ...input, carried })).toEqual({ ...state, pendingChampion: null, barsThisRun: 0 });
});

test('bars count, the equity window stays bounded, and only on-time challenger predictions advance the shadow', () => {
  let state = startShadow(initialBotState(input), 'model-v2', 2);
  state = process(state, 1, { challengerPrediction: 0.001, barsBehind: 1 }).state; // late: does not count
  expect(state.challenger).toEqual({ version: 'model-v2', barsLeft: 2 });
  state = process(state, 2, { challengerPrediction: 0.001 }).state;
  expect(state.challenger).toEqual({ version: 'model-v2', barsLeft: 1 });
  state = process(state, 3, { challengerPrediction: 0.001 }).state;
  expect(state.challenger).toBeNull();
  state = process(state, 4).state;
  expect(state).toMatchObject({ barsProcessed: 4, barsThisRun: 4, lastBarTime: barTime(4) });
  expect(state.equityWindow).toHaveLength(3);
});

test('the decision reason says why: a stale bar, then the model', () => {
  const state = initialBotState(input);
  expect(process(state, 1, { barsBehind: input.staleAfterBars }).reason).toBe('stale_bar');
  expect(process(state, 1).reason).toBe('model');
  expect(process(state, 1, { prediction: null }).reason).toBe('no_prediction');
});

test('operator commands, champion swaps and the end of the bot', () => {
  let state = applyCommand(initialBotState(input), 'pause');
  expect(state.trader.paused).toBe(true);
  state = applyCommand(state, 'resume');
  expect(state.trader.paused).toBe(false);
  state = startShadow(state, 'model-v2', 3);
  state = championSwapped(state, 'model-v2');
  expect(state).toMatchObject({ champion: 'model-v2', challenger: null });
  expect(isDone(input, state)).toBe(false);
  expect(isDone(input, applyCommand(state, 'stop'))).toBe(true);
  expect(isDone({ ...input, maxBars: 0 }, state)).toBe(true);
});

test('signals carry only plausible model versions; drift is measured every measureEveryBars bars', () => {
  expect(isModelVersion('BTCUSDT-20230304T0000-82557cd6')).toBe(true);
  expect(isModelVersion('')).toBe(false);
  expect(isModelVersion('a b')).toBe(false);
  expect(isModelVersion(42)).toBe(false);
  const state = initialBotState(input);
  expect(measurementDue(input, process(state, 1).state)).toBeNull();
  expect(measurementDue(input, process(process(state, 1).state, 2).state)).not.toBeNull();
  expect(measurementDue(botInput(), state)).toBeNull();
});

describe('live reconciliation', () => {
  const live = botInput({ mode: 'live', reconcileEveryBars: 3 });
  const snapshot = {
    time: 0,
    position: { side: 'LONG' as const, qty: 0.5, entryPrice: 101 },
    protective: null,
    walletBalance: 900,
    funding: { amount: 0, through: 5 },
  };

  test('holds entries until the exchange has been compared, then every N bars', () => {
    const state = initialBotState(live);
    expect(state.reconciliation?.status).toBe('unchecked');
    expect(entriesHeld(state)).toBe(true);
    expect(reconciliationDue(live, state)).toBe(true);
    const ok = reconciled(state, { status: 'ok', differences: [], funding: 0, baseline: { wallet: 900, cash: 10_000 }, balanceGap: 0 }, 5);
    expect(ok.notable).toBe(true);
    expect(entriesHeld(ok.state)).toBe(false);
    expect(reconciliationDue(live, { ...ok.state, barsProcessed: 4 })).toBe(false);
    expect(reconciliationDue(live, { ...ok.state, barsProcessed: 6 })).toBe(true);
    expect(initialBotState(input).reconciliation).toBeNull();
  });

  test('an unreadable exchange holds entries and says why', () => {
    const failed = reconciliationFailed(initialBotState(live), 'the exchange could not be read: ECONNREFUSED');
    expect(failed.state.reconciliation).toMatchObject({ status: 'unreadable', error: expect.stringContaining('ECONNREFUSED') });
    expect(entriesHeld(failed.state)).toBe(true);
  });

  test('flatten while unreconciled adopts the exchange position first, then closes it', () => {
    const waiting = applyCommand(initialBotState(live), 'flatten');
    expect(waiting.reconciliation?.resolving).toBe('flatten');
    const after = adopted(waiting, { snapshot, protective: null });
    expect(after.trader.position).toMatchObject({ side: 'LONG', qty: 0.5, modelVersion: 'adopted' });
    expect(after.trader.pending).toEqual({ type: 'CLOSE', reason: 'flatten' });
    expect(after.reconciliation).toMatchObject({ status: 'ok', resolving: null, adoptions: 1, baseline: { wallet: 900 } });
  });

  test('commands that arrive while a bar is processed are applied again on its result', () => {
    const state = initialBotState(input);
    const next = process(state, 1).state;
    expect(applyCommands(next, ['pause']).trader.paused).toBe(true);
    expect(applyCommands(next, ['pause', 'resume']).trader.paused).toBe(false);
  });
});

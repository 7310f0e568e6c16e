/** The bot's state transitions without Temporal: what TradingBotWorkflow remembers bar by bar and across runs. */
import type { BarArrival, BotInput } from '../../contracts/bot';
import { readTradingParams, stepBar } from '../../domain/trading';
import {
  applyCommand,
  barProcessed,
  botStatus,
  carriedState,
  championSwapped,
  initialBotState,
  isDone,
  isModelVersion,
  measurementDue,
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

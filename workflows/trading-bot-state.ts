/**
 * The state of TradingBotWorkflow and its transitions, as plain functions (the entity pattern of
 * temporalio/samples-typescript): the workflow file holds the handlers, activity calls and continue-as-new, and
 * every decision about what the bot remembers lives here, unit-tested without Temporal (test/bot/bot-state.test.ts).
 */
import { BAR_MS } from '../domain/bars';
import {
  adoptPosition,
  bookCash,
  decisionAction,
  decisionReason,
  flatten,
  initialState,
  payFunding,
  pause,
  readTradingParams,
  resume,
  type BarStepResult,
  type DecisionAction,
  type DecisionReason,
  type ReconcileResult,
  type TraderState,
} from '../domain/trading';
import { INITIAL_RECONCILIATION, type AdoptResult, type ReconciliationState } from '../contracts/reconciliation';
import { rollingSharpeOf } from '../model/retrain-triggers';
import type { EntryRefusal } from '../domain/portfolio/bot-side';
import type { BarArrival, BarSummary, BotCarried, BotInput, BotStatus, OperatorCommand } from '../contracts/bot';

/** Everything a run remembers: what continue-as-new carries, plus a swap waiting for the next bar. */
export interface BotState extends BotCarried {
  /** A champion swap asked for (setChampion), applied through the registry before the next bar. */
  readonly pendingChampion: string | null;
  /** Bars of this run (continue-as-new after input.barsPerRun). */
  readonly barsThisRun: number;
  /** Live mode's reconciliation with the exchange; null in paper mode. */
  readonly reconciliation: ReconciliationState | null;
}

export function initialBotState(input: BotInput): BotState {
  const carried: BotCarried = input.carried ?? {
    trader: initialState(readTradingParams(input.trading), input.startAfter + BAR_MS),
    lastBarTime: input.startAfter,
    champion: input.championVersion,
    barsProcessed: 0,
    tradesClosed: 0,
    lastBar: null,
    stopRequested: false,
    protective: null,
    challenger: null,
    equityWindow: [],
    lastTriggerAt: null,
    retrainsTriggered: 0,
    lastDrift: null,
    rollingSharpe: null,
  };
  const reconciliation = input.mode === 'live' ? (carried.reconciliation ?? INITIAL_RECONCILIATION) : null;
  return { ...carried, reconciliation, pendingChampion: null, barsThisRun: 0 };
}

/** What the next run starts from (handlers have finished, so nothing is lost). */
export function carriedState(state: BotState): BotCarried {
  const { pendingChampion: _pending, barsThisRun: _bars, ...carried } = state;
  return carried;
}

export function botStatus(input: BotInput, state: BotState, awaitingBar = false): BotStatus {
  const { trader } = state;
  const p = trader.position;
  const r = state.reconciliation;
  return {
    symbol: input.symbol,
    mode: input.mode,
    position: p ? { side: p.side, qty: p.qty, entryPrice: p.entryPrice, entryTime: p.entryTime, modelVersion: p.modelVersion } : null,
    pending: trader.pending ? (trader.pending.type === 'CLOSE' ? `CLOSE (${trader.pending.reason})` : trader.pending.type) : null,
    equity: trader.lastEquity,
    pnlToday: trader.lastEquity - trader.dayOpenEquity,
    dayOpenEquity: trader.dayOpenEquity,
    modelVersion: state.champion,
    paused: trader.paused,
    halted: trader.halted,
    lastBar: state.lastBar,
    barsProcessed: state.barsProcessed,
    tradesClosed: state.tradesClosed,
    stopping: state.stopRequested,
    awaitingBar,
    challenger: state.challenger,
    lastDrift: state.lastDrift,
    rollingSharpe: state.rollingSharpe,
    retrainsTriggered: state.retrainsTriggered,
    reconciliation: r === null ? null : { status: r.status, checkedAt: r.checkedAt, differences: r.differences, error: r.error, resolving: r.resolving },
  };
}

/**
 * An operator command; `stop` only marks the bot (the workflow also cancels its bar wait). `adopt` (live) and a
 * `flatten` while the exchange disagrees wait for the workflow to read the exchange: the position to close is the
 * exchange's, not the bot's.
 */
export function applyCommand(state: BotState, command: OperatorCommand): BotState {
  const r = state.reconciliation;
  if (command === 'pause') return { ...state, trader: pause(state.trader) };
  if (command === 'resume') return { ...state, trader: resume(state.trader) };
  if (command === 'adopt') return r === null ? state : { ...state, reconciliation: { ...r, resolving: r.resolving ?? 'adopt' } };
  if (command === 'flatten') {
    if (r !== null && entriesHeld(state)) return { ...state, reconciliation: { ...r, resolving: 'flatten' } };
    return { ...state, trader: flatten(state.trader) };
  }
  return { ...state, stopRequested: true };
}

/** Live mode: no entries or signal exits until the exchange has been read and agrees (or an operator adopted it). */
export function entriesHeld(state: BotState): boolean {
  const status = state.reconciliation?.status;
  return status === 'unchecked' || status === 'mismatch' || status === 'unreadable';
}

/** Whether the exchange is compared after this bar (and before the first one). */
export function reconciliationDue(input: BotInput, state: BotState): boolean {
  const r = state.reconciliation;
  if (r === null) return false;
  if (r.status === 'unchecked' || r.status === 'unreadable' || r.checkedAt === null) return true;
  return state.barsProcessed % (input.reconcileEveryBars ?? 5) === 0;
}

export interface Reconciled {
  readonly state: BotState;
  /** A new finding (status or differing fields changed, or an explained difference): record it and alert. */
  readonly notable: boolean;
}

/** Books a comparison: explained funding on the cash, the new status and baseline. */
export function reconciled(state: BotState, result: ReconcileResult, fundingThrough: number): Reconciled {
  const r = state.reconciliation;
  if (r === null) return { state, notable: false };
  const fields = (ds: ReconcileResult['differences']) => ds.map((d) => d.field).join(',');
  const notable = result.status === 'explained' || result.status !== r.status || fields(result.differences) !== fields(r.differences);
  const next: ReconciliationState = {
    ...r,
    status: result.status,
    checkedAt: state.lastBarTime,
    differences: result.status === 'ok' ? [] : result.differences,
    error: null,
    baseline: result.baseline,
    fundingThrough,
    balanceGap: result.balanceGap,
  };
  return { state: { ...state, trader: fundingBooked(state.trader, result.funding), reconciliation: next }, notable };
}

/** Funding the exchange booked (income: negative = paid) on the cash, the open position's trade and the equity. */
function fundingBooked(trader: TraderState, income: number): TraderState {
  if (income === 0) return trader;
  const paid = payFunding(trader, -income);
  return { ...paid, lastEquity: paid.lastEquity + income };
}

/** The exchange could not be read: entries stay held, and the next bar tries again. */
export function reconciliationFailed(state: BotState, error: string): Reconciled {
  const r = state.reconciliation;
  if (r === null) return { state, notable: false };
  return { state: { ...state, reconciliation: { ...r, status: 'unreadable', error, checkedAt: state.lastBarTime } }, notable: r.status !== 'unreadable' };
}

/**
 * An operator's adopt: the exchange's position (with the protective orders just placed for it) and the unexplained
 * balance change become the bot's, the kill switch's day reference moving with it; a pending flatten then closes it.
 */
export function adopted(state: BotState, result: AdoptResult): BotState {
  const r = state.reconciliation;
  if (r === null) return state;
  const { snapshot } = result;
  let trader = adoptPosition(state.trader, snapshot.position, state.lastBarTime + BAR_MS);
  trader = fundingBooked(trader, snapshot.funding.amount);
  // What the wallet shows beyond the bot's own bookings since the baseline: the gap as it stands now.
  const gap = r.baseline === null ? 0 : snapshot.walletBalance - (r.baseline.wallet + (trader.cash - r.baseline.cash));
  trader = bookCash(trader, gap, true);
  if (r.resolving === 'flatten') trader = flatten(trader);
  const reconciliation: ReconciliationState = {
    ...r,
    status: 'ok',
    checkedAt: state.lastBarTime,
    differences: [],
    error: null,
    baseline: { wallet: snapshot.walletBalance, cash: trader.cash },
    fundingThrough: snapshot.funding.through,
    balanceGap: 0,
    adoptions: r.adoptions + 1,
    resolving: null,
  };
  return { ...state, trader, protective: result.protective, reconciliation };
}

const MODEL_VERSION = /^[A-Za-z0-9._:-]{1,120}$/;

/** Signals carry whatever a sender typed: only a plausible registry version is acted on. */
export function isModelVersion(version: unknown): version is string {
  return typeof version === 'string' && MODEL_VERSION.test(version);
}

export function startShadow(state: BotState, version: string, shadowBars: number): BotState {
  return { ...state, challenger: { version, barsLeft: shadowBars } };
}

export function endShadow(state: BotState): BotState {
  return { ...state, challenger: null };
}

/** The registry confirmed `version` as champion: trade it from this bar on; the open position is kept. */
export function championSwapped(state: BotState, version: string): BotState {
  return { ...state, champion: version, challenger: state.challenger?.version === version ? null : state.challenger };
}

export function isDone(input: BotInput, state: BotState): boolean {
  return state.stopRequested || (input.maxBars !== undefined && state.barsProcessed >= input.maxBars);
}

/** Late-bar policy: on a stale bar (newer bars already stored) no new position is opened; exits still act. */
export function isStale(input: BotInput, arrival: BarArrival): boolean {
  return arrival.barsBehind >= input.staleAfterBars;
}

export interface BarOutcome {
  readonly state: BotState;
  /** What the bot did and why (recorded with the decision). */
  readonly action: DecisionAction;
  readonly reason: DecisionReason;
}

/** Books a processed bar: the engine's step, counters, the shadow's progress and the rolling-Sharpe window. */
export function barProcessed(
  input: BotInput,
  state: BotState,
  bar: { readonly openTime: number; readonly close: number },
  arrival: BarArrival,
  step: BarStepResult,
  orderFailed: boolean,
  portfolioRefusal: EntryRefusal | null = null,
): BarOutcome {
  const before = state.trader;
  const trader = step.state;
  const stale = isStale(input, arrival);
  const reason = decisionReason({
    portfolioRefusal,
    orderFailed,
    unreconciled: entriesHeld(state),
    stale,
    killSwitchFired: before.halted !== trader.halted && trader.halted,
    paused: trader.paused,
    halted: trader.halted,
    hasPrediction: arrival.prediction !== null,
  });
  const action = decisionAction(step.intent);
  const lastBar: BarSummary = { openTime: bar.openTime, close: bar.close, prediction: arrival.prediction, stale, action };
  let challenger = state.challenger;
  // Only bars newer than the challenger's training count towards its shadow (a lagging bot replays older ones).
  if (challenger && arrival.challengerPrediction !== null && arrival.barsBehind === 0) {
    challenger = challenger.barsLeft > 1 ? { ...challenger, barsLeft: challenger.barsLeft - 1 } : null;
  }
  let equityWindow = state.equityWindow;
  const window = input.retraining?.sharpeWindowBars;
  if (window !== undefined) {
    const grown = [...equityWindow, trader.lastEquity];
    equityWindow = grown.length > window ? grown.slice(-window) : grown;
  }
  return {
    state: {
      ...state,
      trader,
      lastBarTime: bar.openTime,
      barsProcessed: state.barsProcessed + 1,
      barsThisRun: state.barsThisRun + 1,
      tradesClosed: state.tradesClosed + step.trades.length,
      lastBar,
      challenger,
      equityWindow,
    },
    action,
    reason,
  };
}

/** Whether drift and the rolling Sharpe are measured after this bar; the Sharpe is computed here. */
export function measurementDue(input: BotInput, state: BotState): BotState | null {
  const r = input.retraining;
  if (!r || state.barsProcessed % r.measureEveryBars !== 0) return null;
  return { ...state, rollingSharpe: rollingSharpeOf(state.equityWindow, r.sharpeWindowBars) };
}

/** Commands that arrived while a step computed a new state from an older one are applied again on the result. */
export function applyCommands(state: BotState, commands: readonly OperatorCommand[]): BotState {
  return commands.reduce(applyCommand, state);
}

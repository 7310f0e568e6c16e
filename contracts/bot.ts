/**
 * The contract of TradingBotWorkflow with its activities, clients and operators: its input, carried state and
 * status, the activity inputs and outputs, its signals, queries and update, and its workflow id. Plain JSON data.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Bar } from '../domain/bars';
import type { ExchangeSettings } from '../domain/exchange-settings';
import type {
  DecisionAction,
  DecisionReason,
  FundingRate,
  OrderIntent,
  ProtectiveExitReason,
  Side,
  Trade,
  TraderState,
  StoredTradingParams,
} from '../domain/trading';
import type { RetrainArgs } from './retrain';
import type { TradingMode } from '../domain/trading-mode';
import type { ProtectiveOrderIds } from '../domain/client-order-id';
import type { ReconciliationState, ReconciliationStatusName } from './reconciliation';
import type { Difference } from '../domain/trading';
import type { PortfolioVerdict } from '../domain/portfolio/bot-side';

export type { TradingMode };

export interface BotInput {
  readonly symbol: string;
  readonly mode: TradingMode;
  readonly exchange: ExchangeSettings;
  readonly trading: StoredTradingParams;
  /** Bars of history the live features are computed over (config data.history_hours x 60). */
  readonly historyMinutes: number;
  /** The model traded at start (registry version). */
  readonly championVersion: string;
  /** Open time of the last bar already handled: the bot processes every bar after it, in order, none skipped. */
  readonly startAfter: number;
  /** How long one wait for the next bar may block before the workflow loops (and may continue-as-new). */
  readonly barWaitMs: number;
  /** A bar is stale when this many newer bars are already stored when it is processed: no new entries on it. */
  readonly staleAfterBars: number;
  /** Heartbeat timeout of the bar wait (how fast a lost worker is noticed). */
  readonly heartbeatTimeoutMs: number;
  /** Stop after this many bars (demos, tests); unbounded when absent. */
  readonly maxBars?: number;
  /** Continue-as-new after this many bars, so the history stays far below Temporal's limits. */
  readonly barsPerRun: number;
  /** Shadow mode, drift and performance monitoring, triggered retrains; absent = none of them. */
  readonly retraining?: BotRetraining;
  /** Live mode: compare with the exchange every this many bars (config execution.reconcile_every_bars; default 5). */
  readonly reconcileEveryBars?: number;
  /** A bot of a portfolio asks its PortfolioWorkflow before every entry (docs/portfolio.md); absent: a lone bot. */
  readonly portfolio?: BotPortfolioLink;
  /** State carried over continue-as-new. */
  readonly carried?: BotCarried;
}

export interface BotPortfolioLink {
  readonly workflowId: string;
  /** How long the bot waits for a minute's verdict before refusing its entry (portfolio_unavailable). */
  readonly verdictTimeoutMs: number;
}

export interface BotRetraining {
  /** Bars a challenger predicts beside the champion (config retraining.shadow_mode_minutes). */
  readonly shadowBars: number;
  /** Drift and Sharpe are measured every this many bars. */
  readonly measureEveryBars: number;
  readonly psiWindowBars: number;
  readonly psiThreshold: number;
  readonly sharpeThreshold: number;
  readonly sharpeWindowBars: number;
  readonly minIntervalBars: number;
  /** RetrainWorkflow's input besides symbol, reason, detail and bot (contracts/retrain.ts). */
  readonly retrainArgs: RetrainArgs;
}

export interface BotCarried {
  readonly trader: TraderState;
  readonly lastBarTime: number;
  readonly champion: string;
  readonly barsProcessed: number;
  readonly tradesClosed: number;
  readonly lastBar: BarSummary | null;
  readonly stopRequested: boolean;
  /** Client ids of the exchange's protective orders of the open position (live mode). */
  readonly protective: { readonly sl: string; readonly tp: string } | null;
  readonly challenger: { readonly version: string; readonly barsLeft: number } | null;
  /** Recent equity at bar closes, for the rolling Sharpe. */
  readonly equityWindow: readonly number[];
  /** barsProcessed when the last retrain was triggered. */
  readonly lastTriggerAt: number | null;
  readonly retrainsTriggered: number;
  readonly lastDrift: { readonly feature: string; readonly psi: number } | null;
  readonly rollingSharpe: number | null;
  /** Live mode's reconciliation with the exchange (absent in runs started before it existed, and in paper mode). */
  readonly reconciliation?: ReconciliationState | null;
  /** Portfolio verdicts received and not booked yet (a bot of a portfolio). */
  readonly portfolioInbox?: readonly PortfolioVerdict[];
}

export interface BarSummary {
  readonly openTime: number;
  readonly close: number;
  readonly prediction: number | null;
  readonly stale: boolean;
  readonly action: DecisionAction;
}

export interface BotStatus {
  readonly symbol: string;
  readonly mode: TradingMode;
  readonly position: {
    readonly side: Side;
    readonly qty: number;
    readonly entryPrice: number;
    readonly entryTime: number;
    readonly modelVersion: string;
  } | null;
  readonly pending: string | null;
  readonly equity: number;
  readonly pnlToday: number;
  readonly dayOpenEquity: number;
  readonly modelVersion: string;
  readonly paused: boolean;
  readonly halted: boolean;
  readonly lastBar: BarSummary | null;
  readonly barsProcessed: number;
  readonly tradesClosed: number;
  readonly stopping: boolean;
  /** True while the bot waits for its next bar: the last bar's step (orders, records, reconciliation) is complete. */
  readonly awaitingBar: boolean;
  /** The model in shadow mode, if any, and its bars left. */
  readonly challenger: { readonly version: string; readonly barsLeft: number } | null;
  readonly lastDrift: { readonly feature: string; readonly psi: number } | null;
  readonly rollingSharpe: number | null;
  readonly retrainsTriggered: number;
  /** Live mode: how the exchange compares with the bot (null in paper mode). */
  readonly reconciliation: {
    readonly status: ReconciliationStatusName;
    readonly checkedAt: number | null;
    readonly differences: readonly Difference[];
    readonly error: string | null;
    readonly resolving: 'adopt' | 'flatten' | null;
  } | null;
}

/** What the bar-wait activity returns: the bar with the model's prediction, or nothing yet. */
export interface BarArrival {
  readonly bar: Bar | null;
  /** Champion's prediction at the bar's close (null when the features are not warm yet). */
  readonly prediction: number | null;
  /** The shadow model's prediction, when one is in shadow mode. */
  readonly challengerPrediction: number | null;
  /** Newer bars already stored when this one was handed over (lateness, in bars). */
  readonly barsBehind: number;
  /** When the activity found the bar (Unix ms), for the bar-to-decision latency. */
  readonly handedAt: number | null;
  /** Paper mode: the funding settled in the bar's minute, or null (absent in runs recorded before funding). */
  readonly funding?: FundingRate | null;
}

export interface RecordBarInput {
  readonly workflowId: string;
  readonly symbol: string;
  readonly mode: TradingMode;
  readonly bar: Bar;
  readonly modelVersion: string;
  readonly prediction: number | null;
  readonly action: DecisionAction;
  readonly reason: DecisionReason;
  /** Newer bars already stored when this one was handed over (stale_bar when >= the bot's staleAfterBars). */
  readonly barsBehind: number;
  readonly trader: TraderState;
  readonly trades: readonly Trade[];
  /** When the bar was handed to the workflow (Unix ms), to measure the bar-to-decision latency. */
  readonly handedAt: number | null;
}

export type { ProtectiveOrderIds };

// ---- activity inputs and outputs ------------------------------------------------------------------------

export interface AwaitBarInput {
  readonly symbol: string;
  readonly openTime: number;
  readonly modelVersion: string;
  /** A model in shadow mode: predicted and recorded beside the champion, never traded. */
  readonly challengerVersion?: string | null;
  readonly historyMinutes: number;
  readonly waitMs: number;
  /** Paper mode: where the settled funding of the bar's minute is looked up (the exchange's funding-rate history). */
  readonly fundingFrom?: ExchangeSettings;
}

export interface MeasureInput {
  readonly symbol: string;
  readonly modelVersion: string;
  /** The bar the measurement belongs to (its open time). */
  readonly openTime: number;
  readonly psiWindowBars: number;
  /** Computed by the workflow from its equity curve (null when not meaningful). */
  readonly sharpe: number | null;
  readonly sharpeWindowBars: number;
}

export interface ExecuteIntentInput {
  readonly workflowId: string;
  readonly symbol: string;
  readonly exchange: ExchangeSettings;
  /** Open time of the bar at whose close the intent was decided (part of the client order ids). */
  readonly decisionBarTime: number;
  readonly intent: OrderIntent;
  /** The open position a CLOSE closes (side and quantity), with its protective order ids. */
  readonly position: { readonly side: Side; readonly qty: number; readonly protective: ProtectiveOrderIds | null } | null;
  readonly trading: StoredTradingParams;
}

export interface LiveFill {
  readonly price: number;
  readonly qty: number;
  readonly fee: number;
  readonly time: number;
  readonly clientOrderId: string;
  /** Protective orders placed after an entry. */
  readonly protective: ProtectiveOrderIds | null;
}

export interface ProtectiveCheckInput {
  readonly symbol: string;
  readonly exchange: ExchangeSettings;
  readonly protective: ProtectiveOrderIds;
}

export interface ProtectiveHit {
  readonly reason: ProtectiveExitReason;
  readonly price: number;
  readonly fee: number;
  readonly time: number;
}

// ---- workflow id and messages ---------------------------------------------------------------------------

/** One bot per symbol and mode. */
export function botWorkflowId(symbol: string, mode: TradingMode): string {
  return `bot-${symbol}-${mode}`;
}

/** adopt (live): the exchange's position and balance become the bot's, its protective orders placed again. */
export const OPERATOR_COMMANDS = ['pause', 'resume', 'flatten', 'stop', 'adopt'] as const;
export type OperatorCommand = (typeof OPERATOR_COMMANDS)[number];

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const flattenSignal = defineSignal('flatten');
export const stopSignal = defineSignal('stop');
export const adoptSignal = defineSignal('adopt');
/** Swap the traded model (promotion, rollback); the open position is kept as it is (strategy.md). */
export const setChampionSignal = defineSignal<[string]>('setChampion');
/** Start predicting with a challenger beside the champion (shadow mode), never trading on it. */
export const startShadowSignal = defineSignal<[string]>('startShadow');
/** End shadow mode early (a retrain that gave up or was cancelled names its challenger). */
export const endShadowSignal = defineSignal<[string]>('endShadow');
export const statusQuery = defineQuery<BotStatus>('status');
/** An operator command applied at once, answered with the resulting status (e.g. `npm run bot -- pause`). */
export const operateUpdate = defineUpdate<BotStatus, [OperatorCommand]>('operate');

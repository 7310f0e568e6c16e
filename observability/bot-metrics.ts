/**
 * The bot's own Prometheus metrics, in one registry per process (served by metrics-server.ts beside the Temporal
 * SDK's). The activities update them: recordBar after each bar is recorded, finishRetrainEvent when a retrain ends;
 * setReconciliationState is for the reconciliation of exchange and bot state.
 *
 * Gauges describe the bar last recorded by THIS process: with several trading workers, each reports the bots whose
 * bars it recorded; pick the freshest by bot_last_bar_timestamp_seconds. Counters restart at zero with the process
 * (use rate()/increase()). A recordBar retried after it succeeded (the worker died before reporting) counts twice.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RetrainOutcome, RetrainReason } from '../contracts/retrain';
import type { DecisionAction, DecisionReason, Trade, TraderState } from '../domain/trading';
import type { TradingMode } from '../domain/trading-mode';

export const botRegistry = new Registry();

const BOT = ['symbol', 'mode'] as const;
const registers = [botRegistry];

const equity = new Gauge({
  name: 'bot_equity',
  help: 'Equity at the last bar close: cash plus the open position marked at the close (quote currency, USDT)',
  labelNames: BOT,
  registers,
});
const cash = new Gauge({ name: 'bot_cash', help: 'Wallet balance at the last bar close (quote currency)', labelNames: BOT, registers });
const pnlToday = new Gauge({
  name: 'bot_pnl_today',
  help: 'Equity at the last bar close minus equity at the start of the UTC day (quote currency)',
  labelNames: BOT,
  registers,
});
const positionSide = new Gauge({ name: 'bot_position_side', help: 'Open position: 1 long, -1 short, 0 flat', labelNames: BOT, registers });
const positionQty = new Gauge({
  name: 'bot_position_qty',
  help: 'Open position quantity in base-asset units, signed: positive long, negative short, 0 flat',
  labelNames: BOT,
  registers,
});
const halted = new Gauge({ name: 'bot_halted', help: '1 when the daily-drawdown kill switch holds entries off, else 0', labelNames: BOT, registers });
const paused = new Gauge({ name: 'bot_paused', help: '1 when an operator paused entries, else 0', labelNames: BOT, registers });
const lastBar = new Gauge({
  name: 'bot_last_bar_timestamp_seconds',
  help: 'Open time of the last bar the bot recorded (Unix seconds): alert when it stops advancing',
  labelNames: BOT,
  registers,
});
const barsBehind = new Gauge({
  name: 'bot_bars_behind',
  help: 'Newer bars already stored when the last recorded bar was handed to the bot (lateness)',
  labelNames: BOT,
  registers,
});
const latency = new Histogram({
  name: 'bot_bar_to_decision_seconds',
  help: 'From the bar-wait activity finding the stored bar to its decision being recorded (predict, decide, record)',
  labelNames: BOT,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});
const decisions = new Counter({
  name: 'bot_decisions_total',
  help: 'Bar decisions recorded, by action and reason (domain/trading/decision-record.ts)',
  labelNames: [...BOT, 'action', 'reason'] as const,
  registers,
});
const ordersRefused = new Counter({
  name: 'bot_orders_refused_total',
  help: 'Orders the exchange refused or that failed (decision reason order_failed; the intent was dropped), by intended action',
  labelNames: [...BOT, 'action'] as const,
  registers,
});
const tradesClosed = new Counter({
  name: 'bot_trades_closed_total',
  help: 'Round trips closed, by exit reason',
  labelNames: [...BOT, 'exit_reason'] as const,
  registers,
});
const retrains = new Counter({
  name: 'bot_retrains_total',
  help: 'Retrains finished, by trigger reason and outcome (promoted, rejected, gated, failed)',
  labelNames: ['symbol', 'reason', 'outcome'] as const,
  registers,
});

export const RECONCILIATION_STATES = ['ok', 'mismatch', 'unknown'] as const;
export type ReconciliationState = (typeof RECONCILIATION_STATES)[number];

const reconciliation = new Gauge({
  name: 'bot_reconciliation_state',
  help: "Last reconciliation of the exchange's position and orders with the bot's state: 1 on the current state, 0 on the others",
  labelNames: [...BOT, 'state'] as const,
  registers,
});

export interface BarMetricsInput {
  readonly symbol: string;
  readonly mode: TradingMode;
  readonly openTime: number;
  readonly action: DecisionAction;
  readonly reason: DecisionReason;
  readonly barsBehind: number;
  readonly trader: TraderState;
  readonly trades: readonly Trade[];
  /** Bar found to decision recorded (ms); null when the bar was not handed over by the bar wait. */
  readonly latencyMs: number | null;
}

/** After a bar's decision, equity and trades are stored (recordBar). */
export function recordBarMetrics(input: BarMetricsInput): void {
  const bot = { symbol: input.symbol, mode: input.mode };
  const t = input.trader;
  equity.set(bot, t.lastEquity);
  cash.set(bot, t.cash);
  pnlToday.set(bot, t.lastEquity - t.dayOpenEquity);
  const side = t.position === null ? 0 : t.position.side === 'LONG' ? 1 : -1;
  positionSide.set(bot, side);
  positionQty.set(bot, side * (t.position?.qty ?? 0));
  halted.set(bot, t.halted ? 1 : 0);
  paused.set(bot, t.paused ? 1 : 0);
  lastBar.set(bot, input.openTime / 1000);
  barsBehind.set(bot, input.barsBehind);
  if (input.latencyMs !== null) latency.observe(bot, Math.max(0, input.latencyMs) / 1000);
  decisions.inc({ ...bot, action: input.action, reason: input.reason });
  if (input.reason === 'order_failed') ordersRefused.inc({ ...bot, action: input.action });
  for (const trade of input.trades) tradesClosed.inc({ ...bot, exit_reason: trade.exitReason });
}

/** When a retrain's outcome is recorded (finishRetrainEvent). */
export function recordRetrainOutcome(symbol: string, reason: RetrainReason, outcome: RetrainOutcome): void {
  retrains.inc({ symbol, reason, outcome });
}

/**
 * The outcome of a reconciliation of the exchange's account with the bot's state, for alerting
 * (`bot_reconciliation_state{state="mismatch"} == 1`). Call it from the reconciliation activity after each check:
 * 'ok' when position and protective orders match, 'mismatch' when they do not, 'unknown' when the check could not
 * run (exchange unreachable). Exactly one state of the symbol and mode is 1 afterwards.
 */
export function setReconciliationState(symbol: string, mode: TradingMode, state: ReconciliationState): void {
  for (const s of RECONCILIATION_STATES) reconciliation.set({ symbol, mode, state: s }, s === state ? 1 : 0);
}

/** Tests: every metric back to empty. */
export function resetBotMetrics(): void {
  botRegistry.resetMetrics();
}

/**
 * The trading bot's alerts (contracts/alerts.ts): what it tells operators, built from the bar's outcome and the
 * operator's commands, sent in the background (workflows/alerting.ts: bounded, never failing the bot). Each event's
 * id comes from the bot's own data (bar, entry and exit times, the run), so a replay or retry sends the same key.
 */
import { workflowInfo } from '@temporalio/workflow';
import { alertEvent, type AlertSettings } from '../contracts/alerts';
import type { BotInput } from '../contracts/bot';
import type { BarStepResult, TraderState, TradingParams } from '../domain/trading';
import { backgroundAlerter } from './alerting';

export interface BarAlertInput {
  readonly barOpenTime: number;
  readonly before: TraderState;
  readonly step: BarStepResult;
  /** The order's failure (refused or not sent), when it failed. */
  readonly orderError: string | null;
  readonly intent: string | null;
}

export function createBotAlerts(input: BotInput, params: TradingParams, settings: AlertSettings | null) {
  const alerts = backgroundAlerter(settings);
  const info = workflowInfo();
  const bot = { symbol: input.symbol, mode: input.mode };
  const origin = (id: string | number) => ({ workflowId: info.workflowId, id, at: Date.now() });
  return {
    /** Once per bot, not per continue-as-new run. */
    started(modelVersion: string): void {
      if (info.continuedFromExecutionRunId === undefined) alerts.send(alertEvent('bot_started', origin(info.firstExecutionRunId), { ...bot, modelVersion }));
    },
    stopped(reason: string): void {
      alerts.send(alertEvent('bot_stopped', origin(info.firstExecutionRunId), { ...bot, reason }));
    },
    paused(): void {
      alerts.send(alertEvent('bot_paused', origin(Date.now()), { ...bot, reason: 'operator' }));
    },
    resumed(): void {
      alerts.send(alertEvent('bot_resumed', origin(Date.now()), bot));
    },
    bar({ barOpenTime, before, step, orderError, intent }: BarAlertInput): void {
      for (const trade of step.trades) alerts.send(alertEvent('position_closed', origin(trade.exitTime), { ...bot, ...trade }));
      const opened = step.state.position;
      if (opened !== null && (before.position === null || before.position.entryTime !== opened.entryTime)) {
        alerts.send(alertEvent('position_opened', origin(opened.entryTime), { ...bot, ...opened }));
      }
      for (const e of step.events) {
        if (e.type !== 'kill_switch') continue;
        const fields = { equity: e.equity, dayOpenEquity: e.dayOpenEquity, drawdownPct: e.drawdown * 100, limitPct: params.maxDailyDrawdownFraction * 100 };
        alerts.send(alertEvent('kill_switch', origin(step.state.haltedDay ?? barOpenTime), { ...bot, ...fields }));
      }
      if (orderError !== null)
        alerts.send(alertEvent('order_failed', origin(barOpenTime), { ...bot, intent: intent ?? '-', error: orderError, refused: true }));
    },
    reconciliation(kind: 'mismatch' | 'resolved', barTime: number, detail: string): void {
      const event = kind === 'mismatch' ? 'reconciliation_mismatch' : 'reconciliation_resolved';
      alerts.send(alertEvent(event, origin(barTime), { ...bot, detail }));
    },
    settled: () => alerts.settled(),
  };
}

export type BotAlerts = ReturnType<typeof createBotAlerts>;

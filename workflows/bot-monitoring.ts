/**
 * The bot's model monitoring: drift (PSI) and the rolling Sharpe every few bars (activity), and a trigger starts
 * RetrainWorkflow (one per symbol at a time, abandoned by the bot so it outlives a continue-as-new).
 */
import { log, ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { BotInput } from '../contracts/bot';
import { retrainWorkflowId } from '../contracts/retrain';
import { TASK_QUEUES } from '../contracts/task-queues';
import type { MonitoringActivities } from '../activities/monitoring-activities';
import { retrainTrigger } from '../model/retrain-triggers';
import { RetrainWorkflow } from './retrain-workflow';
import { measurementDue, type BotState } from './trading-bot-state';

/** Measures after the bar at `openTime` when due; returns the state with the measurement and any trigger booked. */
export function createMonitor(input: BotInput, workflowId: string): (state: BotState, openTime: number) => Promise<BotState> {
  const retraining = input.retraining;
  const { measureDrift } = proxyActivities<MonitoringActivities>({
    taskQueue: TASK_QUEUES.trading,
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 3 },
  });
  return async (from, openTime) => {
    const measured = measurementDue(input, from);
    if (!retraining || measured === null) return from;
    let state = measured;
    let drift;
    try {
      drift = await measureDrift({
        symbol: input.symbol,
        modelVersion: state.champion,
        openTime,
        psiWindowBars: retraining.psiWindowBars,
        sharpe: state.rollingSharpe,
        sharpeWindowBars: retraining.sharpeWindowBars,
      });
    } catch (err) {
      // Monitoring must never stop trading: this measurement is skipped, the next one comes in a few bars.
      log.warn('drift measurement failed', { error: err instanceof Error ? err.message : String(err) });
      return state;
    }
    state = { ...state, lastDrift: drift };
    const sinceTrigger = state.lastTriggerAt === null ? null : state.barsProcessed - state.lastTriggerAt;
    const trigger = retrainTrigger(retraining, { maxPsi: drift, sharpe: state.rollingSharpe }, sinceTrigger);
    if (!trigger || state.challenger) return state;
    // The interval counts from every trigger, also one skipped because a retrain is already running: a busy
    // symbol is not asked again at every measurement.
    state = { ...state, lastTriggerAt: state.barsProcessed };
    const detail = trigger.reason === 'drift' ? { feature: trigger.feature, psi: trigger.psi } : { sharpe: trigger.sharpe };
    try {
      await startChild(RetrainWorkflow, {
        workflowId: retrainWorkflowId(input.symbol),
        taskQueue: TASK_QUEUES.trading,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ ...retraining.retrainArgs, symbol: input.symbol, reason: trigger.reason, detail, botWorkflowId: workflowId }],
      });
      state = { ...state, retrainsTriggered: state.retrainsTriggered + 1 };
      log.info('retrain triggered', { reason: trigger.reason, ...detail });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      log.info('retrain trigger skipped: a retrain of this symbol is already running', { reason: trigger.reason });
    }
    return state;
  };
}

/**
 * The periodic retrain of a symbol as a Temporal Schedule `retrain-<SYMBOL>` (config training.train_freq_minutes).
 *
 * Each action starts ScheduledRetrainWorkflow, which runs RetrainWorkflow (reason 'scheduled') as a child under
 * the per-symbol id `retrain-<SYMBOL>`: a Schedule appends the action time to the ids it starts, so starting
 * RetrainWorkflow directly could not share that id with the bot's triggered retrains (see
 * workflows/scheduled-retrain-workflow.ts). Overlap policy BUFFER_ONE: a retrain whose candidate goes to shadow
 * lasts at least shadow + horizon bars (5 + 10 with the shipped settings, so about 16 minutes with training and the
 * swap), longer than the 15-minute interval; the tick that falls inside it starts the next retrain as soon as it
 * ends (on the then newest window) instead of being dropped, and at most one waits, so nothing piles up. Catch-up
 * window 1 minute: after an outage only a recent action is made up.
 */
import { ScheduledRetrainWorkflow } from '../workflows/scheduled-retrain-workflow';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleHandle,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import { SEARCH_ATTRIBUTE_KEYS } from '../contracts/search-attributes';
import { TASK_QUEUES } from '../contracts/task-queues';
import type { RetrainInput } from '../contracts/retrain';
import type { RetrainArgs } from '../contracts/retrain';

/** An accelerated demo never retrains more often than this. */
export const MIN_RETRAIN_INTERVAL_MS = 5_000;
export const DEFAULT_CATCHUP_WINDOW_MS = 60_000;

export function retrainScheduleId(symbol: string): string {
  return `retrain-${symbol}`;
}

/** Prefix of the launcher workflows' ids (the Schedule appends the action time). */
export function scheduledRetrainWorkflowIdPrefix(symbol: string): string {
  return `retrain-scheduled-${symbol}`;
}

/**
 * The schedule's interval: `everyMinutes` of market time, divided by the replay `speed` of an accelerated
 * demo, in whole seconds (Temporal rounds intervals to seconds), at least MIN_RETRAIN_INTERVAL_MS.
 */
export function retrainIntervalMs(everyMinutes: number, speed = 1): number {
  if (!(everyMinutes > 0)) throw new Error(`the retrain interval must be positive (got ${everyMinutes} minutes)`);
  if (!(speed > 0)) throw new Error(`speed must be positive (got ${speed})`);
  return Math.max(MIN_RETRAIN_INTERVAL_MS, Math.round((everyMinutes * 60) / speed) * 1000);
}

/**
 * Where in the interval a symbol's retrain falls: a whole second from its name, so the schedules of a portfolio's
 * symbols spread over the interval instead of all training in the same second (and delaying every bar decided then).
 */
export function retrainOffsetMs(symbol: string, everyMinutes: number, speed = 1): number {
  const seconds = retrainIntervalMs(everyMinutes, speed) / 1000;
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193) >>> 0;
  return (h % seconds) * 1000;
}

export interface RetrainScheduleOptions {
  readonly symbol: string;
  /** The bot that shadows candidates and takes promotions (e.g. bot-BTCUSDT-paper). */
  readonly botWorkflowId: string;
  /** config training.train_freq_minutes. */
  readonly everyMinutes: number;
  /** Replay speed of the market (1 live); divides the interval. */
  readonly speed?: number;
  /** Training, shadow and gate settings (app/retrain-input.ts retrainArgsFromConfig). */
  readonly args: RetrainArgs;
  /** true/false pauses/resumes; undefined leaves an existing schedule's state as an operator left it (new: active). */
  readonly paused?: boolean;
  readonly catchupWindowMs?: number;
}

type LauncherAction = ScheduleOptionsStartWorkflowAction<typeof ScheduledRetrainWorkflow>;

function scheduleParts(options: RetrainScheduleOptions): {
  spec: ScheduleSpec;
  action: LauncherAction;
  policies: { overlap: ScheduleOverlapPolicy; catchupWindow: number };
} {
  const input: RetrainInput = { ...options.args, symbol: options.symbol, reason: 'scheduled', botWorkflowId: options.botWorkflowId };
  return {
    spec: {
      intervals: [
        { every: retrainIntervalMs(options.everyMinutes, options.speed), offset: retrainOffsetMs(options.symbol, options.everyMinutes, options.speed) },
      ],
    },
    action: {
      type: 'startWorkflow',
      workflowType: ScheduledRetrainWorkflow,
      workflowId: scheduledRetrainWorkflowIdPrefix(options.symbol),
      taskQueue: TASK_QUEUES.trading,
      args: [input],
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.Symbol, value: options.symbol }],
    },
    policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: options.catchupWindowMs ?? DEFAULT_CATCHUP_WINDOW_MS },
  };
}

/** Creates the symbol's retrain schedule, or brings an existing one to these settings. */
export async function ensureRetrainSchedule(client: Client, options: RetrainScheduleOptions): Promise<ScheduleHandle> {
  const scheduleId = retrainScheduleId(options.symbol);
  const parts = scheduleParts(options);
  try {
    return await client.schedule.create({ scheduleId, ...parts, state: { paused: options.paused ?? false } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  await handle.update((previous) => ({
    ...parts,
    state: {
      paused: options.paused ?? previous.state.paused,
      ...(options.paused === undefined && previous.state.note !== undefined ? { note: previous.state.note } : {}),
    },
  }));
  return handle;
}

/** Stops taking actions (a running retrain finishes); false when the symbol has no schedule. */
export async function pauseRetrainSchedule(client: Client, symbol: string, note = 'paused by an operator'): Promise<boolean> {
  return ifExists(() => client.schedule.getHandle(retrainScheduleId(symbol)).pause(note));
}

export async function resumeRetrainSchedule(client: Client, symbol: string, note = 'resumed by an operator'): Promise<boolean> {
  return ifExists(() => client.schedule.getHandle(retrainScheduleId(symbol)).unpause(note));
}

/** Deletes the schedule (a running retrain finishes); false when there was none. */
export async function deleteRetrainSchedule(client: Client, symbol: string): Promise<boolean> {
  return ifExists(() => client.schedule.getHandle(retrainScheduleId(symbol)).delete());
}

async function ifExists(call: () => Promise<void>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

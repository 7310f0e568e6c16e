/**
 * Task queues separate the kinds of work so each can be scaled on its own hosts:
 * CPU-heavy LightGBM training must never delay a bar's decision.
 */
export const TASK_QUEUES = {
  /** Streaming klines from the exchange and backfilling gaps (long-running, heartbeating activities). */
  marketData: 'market-data',
  /** Workflows (bot, retrain, backtest) and their light activities: features, prediction, execution, records. */
  trading: 'trading',
  /** LightGBM training: few slots per host. */
  training: 'training',
} as const;

export type TaskQueue = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];

/**
 * MarketDataWorkflow: keeps one symbol's bars table complete and current by running the long-lived `streamBars`
 * activity on the `market-data` task queue. The activity heartbeats; if its worker dies or it fails, Temporal
 * retries it without limit (backoff up to a minute), and the retry catches up the missed bars. A session ends
 * after `sessionHours`, then the workflow continues as new, so its history stays a few events long however long
 * it runs. The `stop` signal cancels the activity (which closes its connections) and completes the workflow.
 * Beside the session, when alerts are on, a watch (market-data-watch.ts) alerts once per outage: no new bar
 * stored for alerts.min_unreachable_minutes, then again when bars are back.
 */
import { marketDataStatusQuery, stopMarketDataSignal, type MarketDataStatus, type MarketDataWorkflowInput } from '../contracts/market-data';
import {
  ActivityCancellationType,
  CancellationScope,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { MarketDataActivities, StreamBarsResult } from '../activities/market-data-activities';
import { SEARCH_ATTRIBUTE_KEYS } from '../contracts/search-attributes';
import { TASK_QUEUES } from '../contracts/task-queues';
import { watchBars } from './market-data-watch';

const { streamBars } = proxyActivities<MarketDataActivities>({
  taskQueue: TASK_QUEUES.marketData,
  // A stuck worker is noticed within 30 s; the activity heartbeats every second or two.
  heartbeatTimeout: '30 seconds',
  // A session returns after sessionHours (<= 23 h); this is only the backstop.
  startToCloseTimeout: '1 day',
  // Report cancelled only once the activity has really stopped (its WebSocket closed).
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  // Market data must always come back: unlimited attempts (bad input is raised as non-retryable).
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: Number.POSITIVE_INFINITY },
});

export async function MarketDataWorkflow(input: MarketDataWorkflowInput): Promise<MarketDataStatus> {
  let stopRequested = false;
  let lastSession: StreamBarsResult | null = null;
  const sessionsCompleted = input.sessionsCompleted ?? 0;
  const status = (): MarketDataStatus => ({
    symbol: input.symbol,
    exchange: input.exchange,
    historyHours: input.historyHours,
    sessionsCompleted: sessionsCompleted + (lastSession === null ? 0 : 1),
    lastSession,
    stopRequested,
  });
  const session = new CancellationScope();
  const watch = new CancellationScope();
  let barWatch = input.barWatch;
  setHandler(marketDataStatusQuery, status);
  setHandler(stopMarketDataSignal, () => {
    stopRequested = true;
    session.cancel();
    watch.cancel();
  });
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTE_KEYS.Symbol, value: input.symbol },
    { key: SEARCH_ATTRIBUTE_KEYS.WorkflowKind, value: 'market-data' },
  ]);

  if (stopRequested) return status(); // stopped before the first session started
  // The watch never fails the workflow (alerts are best effort); it ends with the session.
  const watching = watch
    .run(() => watchBars(input.symbol, barWatch, (state) => (barWatch = state)))
    .catch((err: unknown) => {
      if (!isCancellation(err)) log.warn('market-data outage watch failed', { error: err instanceof Error ? err.message : String(err) });
    });
  try {
    lastSession = await session.run(() =>
      streamBars({ symbol: input.symbol, exchange: input.exchange, historyHours: input.historyHours, sessionHours: input.sessionHours }),
    );
  } catch (err) {
    if (stopRequested && isCancellation(err)) return status();
    throw err;
  } finally {
    watch.cancel();
    await watching;
  }
  if (stopRequested) return status();
  return continueAsNew<typeof MarketDataWorkflow>({ ...input, sessionsCompleted: sessionsCompleted + 1, ...(barWatch ? { barWatch } : {}) });
}

/**
 * MarketDataWorkflow's outage watch: beside the streamBars session, polls the newest stored bar (a local
 * activity on the trading worker) and raises market_data_unreachable / market_data_restored by the rule of
 * market-data-outage.ts. Runs only when those alerts are enabled (activity alertSettings, once per run); the
 * state is handed to the next run across continue-as-new, so an outage spanning sessions alerts once.
 */
import { isCancellation, proxyLocalActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { RegistryActivities } from '../activities/registry-activities';
import { alertEvent } from '../contracts/alerts';
import type { BarWatchState } from '../contracts/market-data';
import { alerter, readAlertSettings } from './alerting';
import { observeBars, watchIntervalMs, type OutageAlert } from './market-data-outage';

// Local: a poll costs one marker event in the history, not three.
const { storedBarRange } = proxyLocalActivities<RegistryActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
});

/** The newest stored bar's open time; undefined when the poll failed (the database may be what is down). */
async function newestBar(symbol: string): Promise<number | null | undefined> {
  try {
    return (await storedBarRange(symbol))?.last ?? null;
  } catch (err) {
    if (isCancellation(err)) throw err;
    return undefined;
  }
}

/** Watches until cancelled; `onState` receives every new state (the workflow carries the last one). */
export async function watchBars(symbol: string, initial: BarWatchState | undefined, onState: (state: BarWatchState) => void): Promise<void> {
  const settings = await readAlertSettings();
  if (settings === null || !settings.kinds.some((k) => k === 'market_data_unreachable' || k === 'market_data_restored')) return;
  const minMs = settings.minUnreachableMinutes * 60_000;
  const alert = alerter();
  const { workflowId } = workflowInfo();
  const send = (a: OutageAlert) =>
    alert(
      alertEvent(
        a.kind === 'unreachable' ? 'market_data_unreachable' : 'market_data_restored',
        { workflowId, id: a.since, at: Date.now() },
        { symbol, since: a.since, minutes: a.minutes, lastBarOpenTime: a.lastBar },
      ),
    );
  let state: BarWatchState | null = initial ?? null;
  for (;;) {
    const step = observeBars(state, await newestBar(symbol), Date.now(), minMs);
    if (step.alert !== null) await send(step.alert);
    state = step.state;
    onState(state);
    await sleep(watchIntervalMs(minMs));
  }
}

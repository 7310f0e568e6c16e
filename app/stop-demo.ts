/**
 * What `npm run demo` leaves behind when it ends: nothing, unless --keep. Its bot and market-data workflows are
 * asked to stop (and terminated if they do not finish in time, e.g. with no worker left), and the retrain schedule
 * is deleted, while this process's workers still run to process the stop signals.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { botWorkflowId, stopSignal } from '../contracts/bot';
import { marketDataWorkflowId, stopMarketDataSignal } from '../contracts/market-data';
import { deleteRetrainSchedule } from './retrain-schedule';

async function stopWorkflow(client: Client, workflowId: string, signal: () => Promise<void>, waitMs: number): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return `${workflowId} not running`;
    await signal();
    const ended = await Promise.race([
      handle.result().then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), waitMs).unref()),
    ]);
    if (ended) return `${workflowId} stopped`;
    await handle.terminate('the demo stopped and its stop signal was not processed in time');
    return `${workflowId} terminated`;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return `${workflowId} not found`;
    throw err;
  }
}

/** Stops the demo's workflows and schedule; returns one line per thing, for the shutdown message. */
export async function stopDemoWorkflows(client: Client, symbol: string, waitMs = 10_000): Promise<string[]> {
  const bot = botWorkflowId(symbol, 'paper');
  const stream = marketDataWorkflowId(symbol);
  const lines = await Promise.all([
    stopWorkflow(client, bot, () => client.workflow.getHandle(bot).signal(stopSignal), waitMs),
    stopWorkflow(client, stream, () => client.workflow.getHandle(stream).signal(stopMarketDataSignal), waitMs),
  ]);
  lines.push((await deleteRetrainSchedule(client, symbol)) ? `schedule retrain-${symbol} deleted` : `no schedule retrain-${symbol}`);
  return lines;
}

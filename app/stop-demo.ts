/**
 * What `npm run demo` leaves behind when it ends: nothing, unless --keep. Its bot and market-data workflows are
 * asked to stop (and terminated if they do not finish in time, e.g. with no worker left), and the retrain schedule
 * is deleted, while this process's workers still run to process the stop signals. Every call is bounded, so a
 * demo stopped while Temporal is away still exits within seconds (and says what it could not stop).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { botWorkflowId, stopSignal, type TradingMode } from '../contracts/bot';
import { marketDataWorkflowId, stopMarketDataSignal } from '../contracts/market-data';
import { portfolioWorkflowId, stopPortfolioSignal } from '../contracts/portfolio';
import { deleteRetrainSchedule } from './retrain-schedule';

/** How long one call to Temporal may take on the way out. */
const CALL_DEADLINE_MS = 5_000;

export interface StoppedThing {
  /** A workflow id or `schedule retrain-<SYMBOL>`. */
  readonly name: string;
  /** True when it no longer runs in Temporal (stopped, terminated, deleted, or was not there). */
  readonly gone: boolean;
  /** One line for the shutdown message. */
  readonly line: string;
}

function bounded<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + CALL_DEADLINE_MS, fn);
}

async function stopWorkflow(client: Client, workflowId: string, signal: () => Promise<void>, waitMs: number): Promise<StoppedThing> {
  const handle = client.workflow.getHandle(workflowId);
  const result = (gone: boolean, what: string) => ({ name: workflowId, gone, line: `${workflowId} ${what}` });
  try {
    if ((await bounded(client, () => handle.describe())).status.name !== 'RUNNING') return result(true, 'not running');
    await bounded(client, signal);
    const ended = await Promise.race([
      handle.result().then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), waitMs).unref()),
    ]);
    if (ended) return result(true, 'stopped');
    await bounded(client, () => handle.terminate('the demo stopped and its stop signal was not processed in time'));
    return result(true, 'terminated');
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return result(true, 'not found');
    return result(false, `could not be stopped: ${(err as Error).message}`);
  }
}

/** Stops the demo's workflows and schedule; one entry per thing, for the shutdown message. */
export async function stopDemoWorkflows(client: Client, symbol: string, mode: TradingMode = 'paper', waitMs = 10_000): Promise<StoppedThing[]> {
  const bot = botWorkflowId(symbol, mode);
  const stream = marketDataWorkflowId(symbol);
  const things = await Promise.all([
    stopWorkflow(client, bot, () => client.workflow.getHandle(bot).signal(stopSignal), waitMs),
    stopWorkflow(client, stream, () => client.workflow.getHandle(stream).signal(stopMarketDataSignal), waitMs),
  ]);
  const schedule = `schedule retrain-${symbol}`;
  try {
    const deleted = await bounded(client, () => deleteRetrainSchedule(client, symbol));
    things.push({ name: schedule, gone: true, line: deleted ? `${schedule} deleted` : `no ${schedule}` });
  } catch (err) {
    things.push({ name: schedule, gone: false, line: `${schedule} could not be deleted: ${(err as Error).message}` });
  }
  return things;
}

/**
 * Stops every symbol's bot, market data and schedule (all at once, each bounded), then, for several symbols, the
 * portfolio they asked (after the bots, so none is left waiting for a verdict that cannot come).
 */
export async function stopDeploymentWorkflows(
  client: Client,
  symbols: readonly string[],
  mode: TradingMode = 'paper',
  waitMs = 10_000,
): Promise<StoppedThing[]> {
  const things = (await Promise.all(symbols.map((s) => stopDemoWorkflows(client, s, mode, waitMs)))).flat();
  if (symbols.length > 1) {
    const id = portfolioWorkflowId(mode);
    things.push(await stopWorkflow(client, id, () => client.workflow.getHandle(id).signal(stopPortfolioSignal), waitMs));
  }
  return things;
}

/** Every workflow and schedule of a deployment, as `stays running in Temporal` lists them. */
export function deploymentWorkflowNames(symbols: readonly string[], mode: TradingMode = 'paper'): string[] {
  return [...symbols.flatMap((s) => demoWorkflowNames(s, mode)), ...(symbols.length > 1 ? [portfolioWorkflowId(mode)] : [])];
}

/** The demo's workflows and schedule, as `stays running in Temporal` lists them. */
export function demoWorkflowNames(symbol: string, mode: TradingMode = 'paper'): string[] {
  return [botWorkflowId(symbol, mode), marketDataWorkflowId(symbol), `schedule retrain-${symbol}`];
}

/** The one line that says what this command leaves running in Temporal. */
export function staysInTemporalLine(names: readonly string[], why: string): string {
  return names.length === 0 ? `stays running in Temporal: nothing (${why})` : `stays running in Temporal: ${names.join(', ')} (${why})`;
}

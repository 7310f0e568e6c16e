/**
 * The bots as Temporal knows them: TradingBotWorkflow executions found by search attributes (WorkflowKind, Symbol,
 * TradingMode), the running ones asked for their `status`, with their stop-loss / take-profit levels computed from
 * the trading parameters of their start input (read once per run from the first history event).
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { botWorkflowId, statusQuery, type BotStatus, type TradingMode } from '../contracts/bot';
import { protectiveLevels, readTradingParams, type StoredTradingParams, type TradingParams } from '../domain/trading';

export type BotState = 'trading' | 'paused' | 'halted' | 'stopping' | 'stopped';

export interface BotSummary {
  readonly workflowId: string;
  readonly runId: string;
  readonly symbol: string;
  readonly mode: TradingMode;
  readonly state: BotState;
  /** Temporal's execution status, e.g. RUNNING, COMPLETED, TERMINATED. */
  readonly execution: string;
  readonly status: BotStatus | null;
  /** Why the status is missing for a running bot (no worker answering, ...). */
  readonly statusError: string | null;
  readonly levels: { readonly stop: number; readonly take: number } | null;
  /** Equity minus the starting capital of its trading parameters (null when unknown). */
  readonly pnlTotal: number | null;
}

const ANSWER_MS = 5_000;
const BOT_ID = /^bot-([A-Z0-9]{2,20})-(paper|live)$/;

/** Only the fields the dashboard needs of a stored BotInput; the rest passes through unchecked. */
const startInputSchema = z.object({
  trading: z.looseObject({ startingCapital: z.number() }),
});

const paramsCache = new Map<string, TradingParams | null>();

async function startParams(client: Client, namespace: string, workflowId: string, runId: string): Promise<TradingParams | null> {
  const cached = paramsCache.get(runId);
  if (cached !== undefined) return cached;
  const page = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId, runId }, maximumPageSize: 1 });
  const payload = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  let params: TradingParams | null = null;
  if (payload?.data) {
    const parsed = startInputSchema.safeParse(JSON.parse(Buffer.from(payload.data).toString('utf8')));
    if (parsed.success) params = readTradingParams(parsed.data.trading as unknown as StoredTradingParams);
  }
  paramsCache.set(runId, params);
  return params;
}

function stateOf(execution: string, status: BotStatus | null): BotState {
  if (execution !== 'RUNNING') return 'stopped';
  if (status === null) return 'trading';
  if (status.stopping) return 'stopping';
  if (status.halted) return 'halted';
  return status.paused ? 'paused' : 'trading';
}

/** Visibility query of the bots, optionally of one symbol and mode (values are validated before they get here). */
export function botsQuery(filter: { symbol?: string; mode?: TradingMode } = {}): string {
  // Continued-as-new runs are a long-running bot's past: without this filter every poll would walk all of them.
  return [
    `WorkflowKind = "trading" AND ExecutionStatus != "ContinuedAsNew"`,
    filter.symbol ? `Symbol = "${filter.symbol}"` : '',
    filter.mode ? `TradingMode = "${filter.mode}"` : '',
  ]
    .filter(Boolean)
    .join(' AND ');
}

export async function botSummary(client: Client, namespace: string, workflowId: string, runId: string, execution: string): Promise<BotSummary | null> {
  const id = BOT_ID.exec(workflowId);
  if (id === null) return null;
  const [, symbol, mode] = id as unknown as [string, string, TradingMode];
  let status: BotStatus | null = null;
  let statusError: string | null = null;
  const handle = client.workflow.getHandle(workflowId, runId);
  try {
    if (execution === 'RUNNING') status = await client.withDeadline(Date.now() + ANSWER_MS, () => handle.query(statusQuery));
    else if (execution === 'COMPLETED') status = (await handle.result()) as BotStatus;
  } catch (err) {
    statusError = `no status: ${err instanceof Error ? err.message : String(err)}`;
  }
  const params = await startParams(client, namespace, workflowId, runId).catch(() => null);
  return {
    workflowId,
    runId,
    symbol,
    mode,
    state: stateOf(execution, status),
    execution,
    status,
    statusError,
    levels: status?.position && params ? protectiveLevels(status.position, params) : null,
    pnlTotal: status && params ? status.equity - params.startingCapital : null,
  };
}

/** Every bot's newest run, running ones first; continued-as-new runs are folded into their workflow id. */
export async function listBots(client: Client, namespace: string, filter: { symbol?: string; mode?: TradingMode } = {}): Promise<BotSummary[]> {
  const newest = new Map<string, { runId: string; execution: string; start: number }>();
  for await (const wf of client.workflow.list({ query: botsQuery(filter), pageSize: 100 })) {
    const start = wf.startTime.getTime();
    const seen = newest.get(wf.workflowId);
    if (seen === undefined || start > seen.start) newest.set(wf.workflowId, { runId: wf.runId, execution: wf.status.name, start });
    if (newest.size >= 50) break;
  }
  const bots = await Promise.all([...newest].map(([id, r]) => botSummary(client, namespace, id, r.runId, r.execution)));
  return bots.filter((b): b is BotSummary => b !== null).sort((a, b) => Number(b.execution === 'RUNNING') - Number(a.execution === 'RUNNING'));
}

/** One bot by symbol and mode (its newest run), or null when Temporal has none. */
export async function findBot(client: Client, namespace: string, symbol: string, mode: TradingMode): Promise<BotSummary | null> {
  const id = botWorkflowId(symbol, mode);
  return (await listBots(client, namespace, { symbol, mode })).find((b) => b.workflowId === id) ?? null;
}

/**
 * Alert events: what workflows tell operators (activities/alert-activities.ts sends them, alerts/ formats them).
 * Plain JSON data, importable by workflow code. Every event carries an idempotency key built from the caller's own
 * ids (`<workflowId>:<kind>:<id>`), so a retried activity or a replayed workflow sends the same key again and a
 * receiver that honours it (and the sender's own memory) never shows an event twice.
 */
import type { RetrainReason } from './retrain';
import type { TradingMode } from '../domain/trading-mode';
import type { Position, Trade } from '../domain/trading/state';

export const ALERT_KINDS = [
  'bot_started',
  'bot_stopped',
  'bot_paused',
  'bot_resumed',
  'position_opened',
  'position_closed',
  'kill_switch',
  'order_failed',
  'reconciliation_mismatch',
  'reconciliation_resolved',
  'retrain_triggered',
  'retrain_promoted',
  'retrain_rejected',
  'market_data_unreachable',
  'market_data_restored',
  'test',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** The bot an event is about. */
export interface BotScope {
  readonly symbol: string;
  readonly mode: TradingMode;
}

/** The fields of each kind of event (besides kind, key, workflowId and at, which every event has). */
export interface AlertFields {
  readonly bot_started: BotScope & { readonly modelVersion: string };
  readonly bot_stopped: BotScope & { readonly reason: string };
  readonly bot_paused: BotScope & { readonly reason: string };
  readonly bot_resumed: BotScope;
  /** The position as the trader state holds it (spread `...state.trader.position`). */
  readonly position_opened: BotScope & Position;
  /** The round trip as recorded in trades (spread `...trade`): netPnl is the PnL after both fees. */
  readonly position_closed: BotScope & Trade;
  readonly kill_switch: BotScope & {
    readonly equity: number;
    readonly dayOpenEquity: number;
    /** How far equity is below the day's opening equity, and the configured limit (execution.max_daily_drawdown_pct). */
    readonly drawdownPct: number;
    readonly limitPct: number;
  };
  readonly order_failed: BotScope & {
    /** What was to be done, e.g. OPEN_LONG or CLOSE. */
    readonly intent: string;
    readonly error: string;
    /** True when the exchange refused the order (margin, minimum notional...), false when sending it failed. */
    readonly refused: boolean;
  };
  readonly reconciliation_mismatch: BotScope & { readonly detail: string };
  readonly reconciliation_resolved: BotScope & { readonly detail: string };
  readonly retrain_triggered: {
    readonly symbol: string;
    readonly reason: Extract<RetrainReason, 'drift' | 'performance'>;
    readonly feature?: string;
    readonly psi?: number;
    readonly sharpe?: number;
  };
  readonly retrain_promoted: {
    readonly symbol: string;
    readonly reason: RetrainReason;
    readonly version: string;
    readonly previousChampion: string | null;
  };
  readonly retrain_rejected: {
    readonly symbol: string;
    readonly reason: RetrainReason;
    /** Null when the retrain failed before a candidate was trained. */
    readonly version: string | null;
    readonly outcome: 'rejected' | 'gated' | 'failed';
    readonly why: string;
  };
  readonly market_data_unreachable: {
    readonly symbol: string;
    /** Workflow time of the last new bar seen (the outage's start), and minutes since then. */
    readonly since: number;
    readonly minutes: number;
    readonly lastBarOpenTime: number | null;
  };
  readonly market_data_restored: {
    readonly symbol: string;
    readonly since: number;
    /** Length of the outage. */
    readonly minutes: number;
    readonly lastBarOpenTime: number | null;
  };
  readonly test: { readonly message: string };
}

interface AlertEnvelope<K extends AlertKind> {
  readonly kind: K;
  /** `<workflowId>:<kind>:<id>`: the same for every attempt to send this event. */
  readonly key: string;
  readonly workflowId: string;
  /** When it happened (workflow time, Unix ms). */
  readonly at: number;
}

export type AlertEventOf<K extends AlertKind> = AlertEnvelope<K> & AlertFields[K];
export type AlertEvent = { readonly [K in AlertKind]: AlertEventOf<K> }[AlertKind];

/** Who raises an event: the workflow, an id unique among its events of one kind, and the (workflow) time. */
export interface AlertOrigin {
  readonly workflowId: string;
  /** E.g. the bar's open time, the retrain's first run id, the outage's start. */
  readonly id: string | number;
  readonly at: number;
}

export function alertKey(workflowId: string, kind: AlertKind, id: string | number): string {
  return `${workflowId}:${kind}:${id}`;
}

/** Builds an event with its idempotency key; deterministic (no clock, no randomness), so usable in workflows. */
export function alertEvent<K extends AlertKind>(kind: K, origin: AlertOrigin, fields: AlertFields[K]): AlertEventOf<K> {
  // The envelope last, so no field can overwrite it.
  return { ...fields, kind, key: alertKey(origin.workflowId, kind, origin.id), workflowId: origin.workflowId, at: origin.at };
}

/** What sendAlert reports when it returns (a failing target makes the attempt fail instead, to be retried). */
export interface SendAlertResult {
  readonly key: string;
  readonly status: 'delivered' | 'disabled' | 'filtered';
  /** Per target: sent now, already sent by an earlier attempt, or printed (dry run). */
  readonly targets: readonly { readonly target: string; readonly status: 'sent' | 'already-sent' | 'printed' }[];
}

/** What workflows need to know of the alert configuration (activity alertSettings). */
export interface AlertSettings {
  readonly enabled: boolean;
  /** Kinds that are sent (alerts.events, or all); empty when disabled. */
  readonly kinds: readonly AlertKind[];
  /** alerts.min_unreachable_minutes: no new bar for this long is an outage. */
  readonly minUnreachableMinutes: number;
}

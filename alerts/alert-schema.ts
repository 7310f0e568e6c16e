/**
 * The zod schema of an alert event at the activity boundary: a workflow (of any deployed version) hands sendAlert
 * plain JSON, checked here before anything is formatted or sent. Unknown fields are dropped.
 */
import { z } from 'zod';
import type { AlertEvent, AlertKind } from '../contracts/alerts';
import { TRADING_MODES } from '../domain/trading-mode';
import { EXIT_REASONS, SIDES } from '../domain/trading/state';

const finite = z.number().finite();
const time = z.number().int().nonnegative();
const text = z.string().max(4000);
const envelope = {
  key: z.string().min(1).max(300),
  workflowId: z.string().min(1).max(200),
  at: time,
};
const bot = { ...envelope, symbol: z.string().min(1).max(40), mode: z.enum(TRADING_MODES) };
const side = z.enum(SIDES);
// contracts/retrain.ts RETRAIN_REASONS (the type checks below keep them equal).
const retrainReason = z.enum(['scheduled', 'drift', 'performance', 'manual']);
const kind = <K extends AlertKind>(k: K) => z.literal(k);

export const alertEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: kind('bot_started'), ...bot, modelVersion: z.string() }),
  z.object({ kind: kind('bot_stopped'), ...bot, reason: text }),
  z.object({ kind: kind('bot_paused'), ...bot, reason: text }),
  z.object({ kind: kind('bot_resumed'), ...bot }),
  z.object({
    kind: kind('position_opened'),
    ...bot,
    side,
    qty: finite,
    entryPrice: finite,
    entryTime: time,
    entryFee: finite,
    modelVersion: z.string(),
  }),
  z.object({
    kind: kind('position_closed'),
    ...bot,
    side,
    qty: finite,
    entryTime: time,
    entryPrice: finite,
    exitTime: time,
    exitPrice: finite,
    fees: finite,
    // Absent in events of workflows deployed before funding existed.
    funding: finite.default(0),
    netPnl: finite,
    exitReason: z.enum(EXIT_REASONS),
    modelVersion: z.string(),
  }),
  z.object({ kind: kind('kill_switch'), ...bot, equity: finite, dayOpenEquity: finite, drawdownPct: finite, limitPct: finite }),
  z.object({ kind: kind('order_failed'), ...bot, intent: z.string(), error: text, refused: z.boolean() }),
  z.object({ kind: kind('reconciliation_mismatch'), ...bot, detail: text }),
  z.object({ kind: kind('reconciliation_resolved'), ...bot, detail: text }),
  z.object({
    kind: kind('retrain_triggered'),
    ...envelope,
    symbol: z.string(),
    reason: z.enum(['drift', 'performance']),
    feature: z.string().optional(),
    psi: finite.optional(),
    sharpe: finite.optional(),
  }),
  z.object({
    kind: kind('retrain_promoted'),
    ...envelope,
    symbol: z.string(),
    reason: retrainReason,
    version: z.string(),
    previousChampion: z.string().nullable(),
  }),
  z.object({
    kind: kind('retrain_rejected'),
    ...envelope,
    symbol: z.string(),
    reason: retrainReason,
    version: z.string().nullable(),
    outcome: z.enum(['rejected', 'gated', 'failed']),
    why: text,
  }),
  z.object({ kind: kind('market_data_unreachable'), ...envelope, symbol: z.string(), since: time, minutes: finite, lastBarOpenTime: time.nullable() }),
  z.object({ kind: kind('market_data_restored'), ...envelope, symbol: z.string(), since: time, minutes: finite, lastBarOpenTime: time.nullable() }),
  z.object({ kind: kind('test'), ...envelope, message: text }),
]);

// The schema and contracts/alerts.ts must describe the same events: each assignment fails to compile otherwise.
type Parsed = z.infer<typeof alertEventSchema>;
const _schemaCoversEvents = (e: AlertEvent): Parsed => e;
const _eventsCoverSchema = (e: Parsed): AlertEvent => e;
void _schemaCoversEvents;
void _eventsCoverSchema;

/** Parses an event; the message names each bad field (for a non-retryable activity failure). */
export function parseAlertEvent(raw: unknown): AlertEvent {
  const result = alertEventSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
  throw new Error(`invalid alert event: ${problems.join('; ')}`);
}

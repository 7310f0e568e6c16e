/**
 * Alert events (the union, its constructor and idempotency key live in contracts/alerts.ts so workflows can build
 * them) and the one line of text a person reads for each.
 */
import type { AlertEvent, AlertEventOf, AlertKind } from '../contracts/alerts';

export { ALERT_KINDS, alertEvent, alertKey, type AlertEvent, type AlertEventOf, type AlertKind, type AlertOrigin } from '../contracts/alerts';
export { alertEventSchema, parseAlertEvent } from './alert-schema';

/** Up to 8 significant digits, no exponent for ordinary prices and sizes. */
const num = (x: number): string => String(Number(x.toPrecision(8)));
const money = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(2)} USDT`;
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(2)} %`;
/** UTC minute, e.g. 2023-03-04 12:03 UTC. */
const minute = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const mins = (x: number): string => `${Math.round(x)} min`;

type Formatters = { readonly [K in AlertKind]: (e: AlertEventOf<K>) => string };

const bot = (e: { readonly symbol: string; readonly mode: string }) => `[${e.symbol} ${e.mode}]`;

const FORMAT: Formatters = {
  bot_started: (e) => `${bot(e)} bot started with model ${e.modelVersion}`,
  bot_stopped: (e) => `${bot(e)} bot stopped: ${e.reason}`,
  bot_paused: (e) => `${bot(e)} bot paused: ${e.reason}`,
  bot_resumed: (e) => `${bot(e)} bot resumed`,
  position_opened: (e) => `${bot(e)} opened ${e.side} ${num(e.qty)} @ ${num(e.entryPrice)} (model ${e.modelVersion})`,
  position_closed: (e) => {
    const notional = e.entryPrice * e.qty;
    const ofNotional = notional > 0 ? ` (${pct((e.netPnl / notional) * 100)})` : '';
    return `${bot(e)} closed ${e.side} ${num(e.qty)} @ ${num(e.entryPrice)} -> ${num(e.exitPrice)} (${e.exitReason}): PnL ${money(e.netPnl)}${ofNotional}`;
  },
  kill_switch: (e) =>
    `${bot(e)} KILL SWITCH: equity ${e.equity.toFixed(2)} is ${e.drawdownPct.toFixed(2)} % below the day's opening ${e.dayOpenEquity.toFixed(2)} ` +
    `(limit ${num(e.limitPct)} %); no entries until the next UTC day`,
  order_failed: (e) => `${bot(e)} order ${e.intent} ${e.refused ? 'refused' : 'failed'}: ${e.error}`,
  reconciliation_mismatch: (e) => `${bot(e)} reconciliation mismatch: ${e.detail}`,
  reconciliation_resolved: (e) => `${bot(e)} reconciliation resolved: ${e.detail}`,
  retrain_triggered: (e) => {
    const why =
      e.reason === 'drift'
        ? `PSI ${e.psi === undefined ? 'n/a' : num(e.psi)}${e.feature ? ` of ${e.feature}` : ''}`
        : `rolling Sharpe ${e.sharpe === undefined ? 'n/a' : num(e.sharpe)}`;
    return `[${e.symbol}] retrain triggered by ${e.reason}: ${why}`;
  },
  retrain_promoted: (e) => `[${e.symbol}] retrain (${e.reason}) promoted ${e.version}${e.previousChampion ? ` (was ${e.previousChampion})` : ''}`,
  retrain_rejected: (e) => `[${e.symbol}] retrain (${e.reason}) ${e.outcome}${e.version ? ` ${e.version}` : ''}: ${e.why}`,
  market_data_unreachable: (e) =>
    `[${e.symbol}] market data unreachable: no new bar for ${mins(e.minutes)}` +
    `${e.lastBarOpenTime === null ? '' : ` (last bar ${minute(e.lastBarOpenTime)})`}; exchange, stream or database down`,
  market_data_restored: (e) =>
    `[${e.symbol}] market data back after ${mins(e.minutes)}${e.lastBarOpenTime === null ? '' : ` (last bar ${minute(e.lastBarOpenTime)})`}`,
  test: (e) => `test alert: ${e.message}`,
};

/** One line for people (chat messages, dry-run output). */
export function alertText(event: AlertEvent): string {
  // The mapped type pairs each kind with its formatter; TypeScript cannot follow the pairing through the index.
  const format = FORMAT[event.kind] as (e: AlertEvent) => string;
  return format(event);
}

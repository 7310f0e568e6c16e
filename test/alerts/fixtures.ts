/** One event of every kind, as the workflows build them. */
import { alertEvent, type AlertEvent, type AlertKind } from '../../contracts/alerts';

export const WF = 'bot-BTCUSDT-paper';
export const BAR = Date.UTC(2024, 2, 1, 12, 7);
const bot = { symbol: 'BTCUSDT', mode: 'paper' } as const;
const at = BAR + 60_000;
const origin = (id: string | number = BAR) => ({ workflowId: WF, id, at });

export const SAMPLES: { readonly [K in AlertKind]: AlertEvent & { readonly kind: K } } = {
  bot_started: alertEvent('bot_started', origin('run-1'), { ...bot, modelVersion: 'BTCUSDT-20240301T1200-abc' }),
  bot_stopped: alertEvent('bot_stopped', origin(), { ...bot, reason: 'operator stop' }),
  bot_paused: alertEvent('bot_paused', origin(), { ...bot, reason: 'operator pause' }),
  bot_resumed: alertEvent('bot_resumed', origin(), bot),
  position_opened: alertEvent('position_opened', origin(), {
    ...bot,
    side: 'LONG',
    qty: 0.4987,
    entryPrice: 20051.3,
    entryTime: BAR,
    entryFee: 4,
    modelVersion: 'm1',
  }),
  position_closed: alertEvent('position_closed', origin(), {
    ...bot,
    side: 'SHORT',
    qty: 0.5,
    entryTime: BAR - 600_000,
    entryPrice: 20000,
    exitTime: BAR,
    exitPrice: 19800,
    fees: 8,
    funding: 0,
    netPnl: 92,
    exitReason: 'take_profit',
    modelVersion: 'm1',
  }),
  kill_switch: alertEvent('kill_switch', origin(), { ...bot, equity: 9690, dayOpenEquity: 10000, drawdownPct: 3.1, limitPct: 3 }),
  order_failed: alertEvent('order_failed', origin(), { ...bot, intent: 'OPEN_LONG', error: 'Margin is insufficient.', refused: true }),
  reconciliation_mismatch: alertEvent('reconciliation_mismatch', origin(), { ...bot, detail: 'exchange LONG 0.5, bot flat' }),
  reconciliation_resolved: alertEvent('reconciliation_resolved', origin(), { ...bot, detail: 'position adopted' }),
  retrain_triggered: alertEvent(
    'retrain_triggered',
    { workflowId: 'retrain-BTCUSDT', id: 'run-9', at },
    { symbol: 'BTCUSDT', reason: 'drift', feature: 'std60', psi: 0.31 },
  ),
  retrain_promoted: alertEvent(
    'retrain_promoted',
    { workflowId: 'retrain-BTCUSDT', id: 'run-9', at },
    { symbol: 'BTCUSDT', reason: 'drift', version: 'm2', previousChampion: 'm1' },
  ),
  retrain_rejected: alertEvent(
    'retrain_rejected',
    { workflowId: 'retrain-BTCUSDT', id: 'run-9', at },
    { symbol: 'BTCUSDT', reason: 'scheduled', version: 'm2', outcome: 'gated', why: 'validation gates failed: directional accuracy 0.48 < 0.5' },
  ),
  market_data_unreachable: alertEvent(
    'market_data_unreachable',
    { workflowId: 'market-data-BTCUSDT', id: at, at: at + 360_000 },
    { symbol: 'BTCUSDT', since: at, minutes: 6, lastBarOpenTime: BAR },
  ),
  market_data_restored: alertEvent(
    'market_data_restored',
    { workflowId: 'market-data-BTCUSDT', id: at, at: at + 840_000 },
    { symbol: 'BTCUSDT', since: at, minutes: 14, lastBarOpenTime: BAR + 840_000 },
  ),
  test: alertEvent('test', { workflowId: 'alerts-cli', id: 1, at }, { message: 'hello' }),
};

export const ALL_SAMPLES: readonly AlertEvent[] = Object.values(SAMPLES);

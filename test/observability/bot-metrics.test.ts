import { DEFAULT_TRADING_PARAMS, initialState, type Trade, type TraderState } from '../../domain/trading';
import { botRegistry, recordBarMetrics, recordRetrainOutcome, resetBotMetrics, setReconciliationState } from '../../observability/bot-metrics';
import { metricsConfig, sdkBindAddress } from '../../observability/metrics-config';

const BOT = 'symbol="BTCUSDT",mode="paper"';
const OPEN_TIME = Date.UTC(2025, 0, 2, 3, 4);

function trader(overrides: Partial<TraderState> = {}): TraderState {
  const base = initialState(DEFAULT_TRADING_PARAMS, OPEN_TIME);
  return { ...base, ...overrides };
}

const trade: Trade = {
  side: 'LONG',
  entryTime: OPEN_TIME - 600_000,
  entryPrice: 100,
  exitTime: OPEN_TIME,
  exitPrice: 101,
  qty: 2,
  fees: 0.1,
  funding: 0,
  netPnl: 1.9,
  exitReason: 'take_profit',
  modelVersion: 'v1',
};

beforeEach(() => resetBotMetrics());

async function text(): Promise<string> {
  return botRegistry.metrics();
}

test('a recorded bar sets the equity, PnL-today and position gauges, observes the latency and counts the decision and trades', async () => {
  const t = trader({
    lastEquity: 10_150,
    cash: 9_900,
    dayOpenEquity: 10_000,
    position: { side: 'SHORT', qty: 0.25, entryPrice: 100, entryTime: OPEN_TIME, entryFee: 0.01, modelVersion: 'v1' },
  });
  recordBarMetrics({
    symbol: 'BTCUSDT',
    mode: 'paper',
    openTime: OPEN_TIME,
    action: 'open_short',
    reason: 'model',
    barsBehind: 0,
    trader: t,
    trades: [trade],
    latencyMs: 42,
  });
  const out = await text();
  expect(out).toContain('# TYPE bot_equity gauge');
  expect(out).toContain(`bot_equity{${BOT}} 10150`);
  expect(out).toContain(`bot_cash{${BOT}} 9900`);
  expect(out).toContain(`bot_pnl_today{${BOT}} 150`);
  expect(out).toContain(`bot_position_side{${BOT}} -1`);
  expect(out).toContain(`bot_position_qty{${BOT}} -0.25`);
  expect(out).toContain(`bot_halted{${BOT}} 0`);
  expect(out).toContain(`bot_last_bar_timestamp_seconds{${BOT}} ${OPEN_TIME / 1000}`);
  expect(out).toContain('# TYPE bot_bar_to_decision_seconds histogram');
  expect(out).toContain(`bot_bar_to_decision_seconds_bucket{le="0.025",${BOT}} 0`);
  expect(out).toContain(`bot_bar_to_decision_seconds_bucket{le="0.05",${BOT}} 1`);
  expect(out).toContain(`bot_bar_to_decision_seconds_count{${BOT}} 1`);
  expect(out).toContain(`bot_bar_to_decision_seconds_sum{${BOT}} 0.042`);
  expect(out).toContain(`bot_decisions_total{${BOT},action="open_short",reason="model"} 1`);
  expect(out).toContain(`bot_trades_closed_total{${BOT},exit_reason="take_profit"} 1`);
  expect(out).not.toContain('bot_orders_refused_total{');
});

test('flat is side 0 and qty 0; a bar without a hand-over time observes no latency', async () => {
  recordBarMetrics({
    symbol: 'BTCUSDT',
    mode: 'paper',
    openTime: OPEN_TIME,
    action: 'hold',
    reason: 'paused',
    barsBehind: 3,
    trader: trader({ paused: true }),
    trades: [],
    latencyMs: null,
  });
  const out = await text();
  expect(out).toContain(`bot_position_side{${BOT}} 0`);
  expect(out).toContain(`bot_position_qty{${BOT}} 0`);
  expect(out).toContain(`bot_paused{${BOT}} 1`);
  expect(out).toContain(`bot_bars_behind{${BOT}} 3`);
  expect(out).not.toContain('bot_bar_to_decision_seconds_count{');
});

test('a refused order (decision reason order_failed) counts by the intended action', async () => {
  for (let i = 0; i < 2; i++) {
    recordBarMetrics({
      symbol: 'ETHUSDT',
      mode: 'live',
      openTime: OPEN_TIME + i * 60_000,
      action: 'open_long',
      reason: 'order_failed',
      barsBehind: 0,
      trader: trader(),
      trades: [],
      latencyMs: 5,
    });
  }
  const out = await text();
  expect(out).toContain('bot_orders_refused_total{symbol="ETHUSDT",mode="live",action="open_long"} 2');
  expect(out).toContain('bot_decisions_total{symbol="ETHUSDT",mode="live",action="open_long",reason="order_failed"} 2');
});

test('retrains count by symbol, reason and outcome', async () => {
  recordRetrainOutcome('BTCUSDT', 'drift', 'promoted');
  recordRetrainOutcome('BTCUSDT', 'drift', 'rejected');
  recordRetrainOutcome('BTCUSDT', 'scheduled', 'failed');
  recordRetrainOutcome('BTCUSDT', 'drift', 'rejected');
  const out = await text();
  expect(out).toContain('bot_retrains_total{symbol="BTCUSDT",reason="drift",outcome="promoted"} 1');
  expect(out).toContain('bot_retrains_total{symbol="BTCUSDT",reason="drift",outcome="rejected"} 2');
  expect(out).toContain('bot_retrains_total{symbol="BTCUSDT",reason="scheduled",outcome="failed"} 1');
});

test('the reconciliation state is one-hot over ok / mismatch / unknown', async () => {
  setReconciliationState('BTCUSDT', 'live', 'mismatch');
  let out = await text();
  expect(out).toContain('bot_reconciliation_state{symbol="BTCUSDT",mode="live",state="mismatch"} 1');
  expect(out).toContain('bot_reconciliation_state{symbol="BTCUSDT",mode="live",state="ok"} 0');
  setReconciliationState('BTCUSDT', 'live', 'ok');
  out = await text();
  expect(out).toContain('bot_reconciliation_state{symbol="BTCUSDT",mode="live",state="ok"} 1');
  expect(out).toContain('bot_reconciliation_state{symbol="BTCUSDT",mode="live",state="mismatch"} 0');
  expect(out).toContain('bot_reconciliation_state{symbol="BTCUSDT",mode="live",state="unknown"} 0');
});

describe('metricsConfig', () => {
  test('off unless METRICS_PORT is set; loopback by default; the SDK exporter on the next port unless METRICS_SDK_PORT', () => {
    expect(metricsConfig({})).toBeNull();
    expect(metricsConfig({ METRICS_PORT: '' })).toBeNull();
    const config = metricsConfig({ METRICS_PORT: '9464' })!;
    expect(config).toEqual({ host: '127.0.0.1', port: 9464, sdkPort: 9465 });
    expect(sdkBindAddress(config)).toBe('127.0.0.1:9465');
    expect(metricsConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_SDK_PORT: '9999' })).toEqual({ host: '0.0.0.0', port: 9464, sdkPort: 9999 });
  });

  test('bad ports are refused with the variable named', () => {
    expect(() => metricsConfig({ METRICS_PORT: 'x' })).toThrow(/METRICS_PORT must be a TCP port/);
    expect(() => metricsConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    expect(() => metricsConfig({ METRICS_PORT: '9464', METRICS_SDK_PORT: '9464' })).toThrow(/must differ/);
    expect(() => metricsConfig({ METRICS_PORT: '65535' })).toThrow(/METRICS_SDK_PORT/);
  });
});

/**
 * Live mode against the local Binance-compatible exchange (real ccxt, real Temporal and PostgreSQL): orders carry
 * the bot's deterministic client ids, protective orders sit on the exchange while a position is open, a lost
 * answer does not duplicate an order, and flatten closes the position on the exchange.
 */
import { WorkflowHandle } from '@temporalio/client';
import { startBot } from '../../app/start-bot';
import { loadConfig } from '../../config/load-config';
import type { BotConfig } from '../../config/schema';
import { orders } from '../../db/schema';
import { parseClientOrderId } from '../../domain/client-order-id';
import { configureCcxtForLocal } from '../../local-exchange/ccxt-config';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { createRestClient, type RestClient } from '../../binance/exchange-client';
import type { BotStatus } from '../../contracts/bot';
import type { TradingBotWorkflow } from '../../workflows/trading-bot-workflow';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(240_000);

let runtime: TestRuntime;
let exchange: LocalExchange;
let rest: RestClient;
let bot: WorkflowHandle<typeof TradingBotWorkflow>;
const SYMBOL = 'BTC/USDT:USDT';

const status = () => bot.query<BotStatus>('status');

/** Releases one bar and waits until the bot has finished its step on it (decided, recorded, reconciled when due). */
async function nextBar(): Promise<BotStatus> {
  const before = (await status()).barsProcessed;
  exchange.advance(1);
  return waitFor('the bot to process the bar', async () => {
    const s = await status();
    return s.barsProcessed > before && s.awaitingBar ? s : undefined;
  });
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  exchange = await LocalExchange.start({ bars: loadShippedBars(), startIndex: 4320, speed: 0, port: 0 });
  const settings = { kind: 'local' as const, baseUrl: exchange.baseUrl, apiKey: exchange.apiKey, apiSecret: exchange.apiSecret };
  rest = configureCcxtForLocal(createRestClient(settings), exchange.baseUrl);
  const shipped = loadConfig();
  // Thresholds low enough for this model to trade within a few bars (its predictions sit around -2 bp).
  const config: BotConfig = { ...shipped, trading: { ...shipped.trading, entry_threshold_bps: 1.2, exit_threshold_bps: 5 } };
  bot = await startBot(runtime.client, runtime.database.db, {
    config,
    symbol: 'BTCUSDT',
    mode: 'live',
    exchange: settings,
    barWaitMs: 3_000,
    heartbeatTimeoutMs: 5_000,
  });
});

afterAll(async () => {
  await bot?.signal('stop').catch(() => undefined);
  await rest?.close();
  await runtime?.stop();
  await exchange?.stop();
});

test('an entry is a market order with the bot client id, protected by reduce-only stop and take-profit orders', async () => {
  const inPosition = await waitFor(
    'an entry',
    async () => {
      const s = await nextBar();
      return s.position ? s : undefined;
    },
    120_000,
  );
  const [position] = (await rest.fetchPositions([SYMBOL])).filter((p) => Math.abs(p.contracts ?? 0) > 0);
  expect(position?.side).toBe(inPosition.position!.side.toLowerCase());
  expect(position?.contracts).toBeCloseTo(inPosition.position!.qty, 9);

  const protective = await rest.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true });
  expect(protective).toHaveLength(2);
  for (const o of protective) {
    expect(o.reduceOnly).toBe(true);
    const id = parseClientOrderId(o.clientOrderId!);
    expect(id?.purpose).toMatch(/^(sl|tp)$/);
  }
  const rows = await runtime.database.db.select().from(orders);
  const entry = rows.find((r) => parseClientOrderId(r.clientOrderId)?.purpose === 'open');
  expect(entry).toMatchObject({ mode: 'live', status: 'closed', reduceOnly: false });
  expect(entry!.filledQty).toBeCloseTo(inPosition.position!.qty, 9);
});

test('flatten closes the position on the exchange and cancels the protective orders', async () => {
  const updated = await bot.executeUpdate('operate', { args: ['flatten'] });
  expect((updated as BotStatus).pending).toBe('CLOSE (flatten)');
  const s = await nextBar();
  expect(s.position).toBeNull();
  const open = (await rest.fetchPositions([SYMBOL])).filter((p) => Math.abs(p.contracts ?? 0) > 0);
  expect(open).toHaveLength(0);
  expect(await rest.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).toHaveLength(0);
  const rows = await runtime.database.db.select().from(orders);
  expect(rows.some((r) => parseClientOrderId(r.clientOrderId)?.purpose === 'flatten' && r.reduceOnly)).toBe(true);
  // Every order the exchange knows is one the bot sent with its own id, each exactly once.
  const sent = await rest.fetchOrders(SYMBOL);
  const ids = sent.map((o) => o.clientOrderId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids) expect(parseClientOrderId(id!)).not.toBeNull();
});

/**
 * Reconciliation in live mode against the local exchange (real ccxt, Temporal and PostgreSQL): everything done
 * "by hand" below goes through a second ccxt client on the bot's own account, as an operator in Binance's UI would.
 * A difference the bot cannot explain halts entries and is recorded until `adopt` or `flatten`; funding is
 * explained and applied; a stop-loss that fills while the workers are down is booked when they come back.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../app/local-runtime';
import { startBot } from '../../app/start-bot';
import { createRestClient, type RestClient } from '../../binance/exchange-client';
import { loadConfig } from '../../config/load-config';
import type { BotConfig } from '../../config/schema';
import { botWorkflowId, type BotStatus } from '../../contracts/bot';
import { decisions, reconciliationEvents, trades } from '../../db/schema';
import { parseClientOrderId } from '../../domain/client-order-id';
import { configureCcxtForLocal } from '../../local-exchange/ccxt-config';
import { LocalExchange } from '../../local-exchange/local-exchange';
import type { TradingBotWorkflow } from '../../workflows/trading-bot-workflow';
import { freePorts } from '../helpers/free-ports';
import { loadShippedBars } from '../helpers/shipped-data';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(300_000);

const SYMBOL = 'BTC/USDT:USDT';
// From this bar on, the shipped data rises by 1 % within 90 bars (and does not fall 3 % first): a SHORT's
// stop-loss fills while the workers are down.
const START_INDEX = 5750;

let dataDir: string;
let runtimeOptions: LocalRuntimeOptions;
let runtime: LocalRuntime;
/** The servers, started by the first runtime: a runtime started after it reuses them and leaves them running. */
let servers: LocalRuntime['infra'];
let exchange: LocalExchange;
let rest: RestClient;
let bot: WorkflowHandle<typeof TradingBotWorkflow>;

const status = () => bot.query<BotStatus>('status');
const reconciliation = async () => (await status()).reconciliation!;
const operate = (command: 'adopt' | 'flatten') => bot.executeUpdate('operate', { args: [command] });
const exchangePosition = async () => (await rest.fetchPositions([SYMBOL])).find((p) => Math.abs(p.contracts ?? 0) > 0);

/**
 * Releases one bar and waits until the bot has finished its step (decided, recorded and reconciled, when due): a
 * change made by hand before that could land between the check's reads of the exchange.
 */
async function nextBar(): Promise<BotStatus> {
  const before = (await status()).barsProcessed;
  exchange.advance(1);
  return waitFor('the bot to process the bar', async () => {
    const s = await status();
    return s.barsProcessed > before && s.awaitingBar ? s : undefined;
  });
}

/** Bars until the reconciliation reaches `wanted` (at most a few check intervals). */
async function barsUntil(wanted: string, maxBars = 8): Promise<BotStatus> {
  for (let i = 0; i < maxBars; i++) {
    const s = await nextBar();
    if (s.reconciliation?.status === wanted) return s;
  }
  throw new Error(`reconciliation did not become ${wanted}: ${JSON.stringify(await reconciliation())}`);
}

const events = () =>
  runtime.database.db
    .select()
    .from(reconciliationEvents)
    .where(and(eq(reconciliationEvents.symbol, 'BTCUSDT'), eq(reconciliationEvents.mode, 'live')));

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lgbm-bot-recon-'));
  chmodSync(dataDir, 0o755);
  const [temporalPort, uiPort, pgPort] = (await freePorts(3)) as [number, number, number];
  const env = { BOT_DATA_DIR: dataDir };
  runtimeOptions = { trainingSlots: 2, infra: { temporal: { port: temporalPort, uiPort, env }, postgres: { port: pgPort, env } } };
  runtime = await startLocalRuntime(runtimeOptions);
  servers = runtime.infra;
  exchange = await LocalExchange.start({ bars: loadShippedBars(), startIndex: START_INDEX, speed: 0, port: 0 });
  const settings = { kind: 'local' as const, baseUrl: exchange.baseUrl, apiKey: exchange.apiKey, apiSecret: exchange.apiSecret };
  rest = configureCcxtForLocal(createRestClient(settings, { apiKey: exchange.apiKey, secret: exchange.apiSecret }), exchange.baseUrl);
  // A position opened by hand before the bot starts (in isolated margin: a live start refuses one in cross).
  await rest.setMarginMode('isolated', SYMBOL);
  await rest.createOrder(SYMBOL, 'market', 'sell', 0.01);
  const shipped = loadConfig();
  // The bot never enters by itself here: every position is the hand's, adopted.
  const config: BotConfig = {
    ...shipped,
    trading: { ...shipped.trading, entry_threshold_bps: 5000, exit_threshold_bps: 5000 },
    execution: { ...shipped.execution, reconcile_every_bars: 2 },
  };
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
  await servers?.stop();
  await exchange?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a position the bot did not open halts its entries until the operator adopts it', async () => {
  const found = await waitFor('the check at start', async () => ((await reconciliation()).status === 'mismatch' ? reconciliation() : undefined));
  expect(found.differences).toEqual([expect.objectContaining({ field: 'position', bot: 'flat', exchange: 'SHORT 0.01', explained: false })]);
  await nextBar();
  const held = await runtime.database.db.select().from(decisions).where(eq(decisions.mode, 'live'));
  expect(held.length).toBeGreaterThan(0);
  expect(held.every((d) => d.reason === 'unreconciled' && d.action === 'hold')).toBe(true);
  expect(await events()).toEqual([expect.objectContaining({ kind: 'check', status: 'mismatch' })]);
  await waitFor('the search attribute', async () => {
    for await (const w of runtime.client.workflow.list({ query: `Reconciliation = 'mismatch'` }))
      if (w.workflowId === botWorkflowId('BTCUSDT', 'live')) return true;
    return undefined;
  });

  await operate('adopt');
  const s = await nextBar();
  expect(s.reconciliation).toMatchObject({ status: 'ok', differences: [], resolving: null });
  const onExchange = await exchangePosition();
  expect(s.position).toMatchObject({ side: 'SHORT', qty: 0.01, modelVersion: 'adopted' });
  expect(s.position!.entryPrice).toBeCloseTo(onExchange!.entryPrice!, 6);
  const protective = await rest.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true });
  expect(protective.map((o) => parseClientOrderId(o.clientOrderId!)).map((id) => `${id?.purpose}${id?.attempt}`)).toEqual(
    expect.arrayContaining(['sl1', 'tp1']),
  );
  expect((await events()).map((e) => e.kind)).toContain('adopt');
});

test('a protective order cancelled by hand is a mismatch; adopt places it again', async () => {
  const [sl] = (await rest.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).filter(
    (o) => parseClientOrderId(o.clientOrderId!)?.purpose === 'sl',
  );
  await rest.cancelOrder('', SYMBOL, { clientOrderId: sl!.clientOrderId, trigger: true });
  const s = await barsUntil('mismatch');
  expect(s.reconciliation!.differences).toEqual([expect.objectContaining({ field: 'stop_loss_order', exchange: 'canceled' })]);
  await operate('adopt');
  expect((await nextBar()).reconciliation!.status).toBe('ok');
  const ids = (await rest.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).map((o) => parseClientOrderId(o.clientOrderId!));
  expect(ids.map((id) => `${id?.purpose}${id?.attempt}`).sort()).toEqual(['sl2', 'tp2']);
});

test('funding is explained and applied; a transfer is not, until adopted', async () => {
  exchange.bookIncome('FUNDING_FEE', -1.5);
  await barsUntil('explained');
  expect(await events()).toContainEqual(
    expect.objectContaining({ status: 'explained', differences: [expect.objectContaining({ field: 'funding', exchange: '-1.5', explained: true })] }),
  );
  await barsUntil('ok');

  exchange.bookIncome('TRANSFER', -250);
  const s = await barsUntil('mismatch');
  expect(s.reconciliation!.differences).toEqual([expect.objectContaining({ field: 'balance', explained: false })]);
  await operate('adopt');
  const after = await nextBar();
  expect(after.reconciliation!.status).toBe('ok');
  // The adopted change moved the bot's equity and its kill-switch reference alike: no drawdown, no halt.
  expect(after.equity).toBeLessThan(s.equity - 240);
  expect(after.halted).toBe(false);
  for (let i = 0; i < 3; i++) expect((await nextBar()).reconciliation!.status).toBe('ok');
});

test('a stop-loss that fills while the workers are down is booked when they come back', async () => {
  const before = await status();
  expect(before.position?.side).toBe('SHORT');
  await runtime.stop({ keepInfra: true });
  let released = 0;
  while ((await exchangePosition()) !== undefined && released < 150) released += exchange.advance(10).length;
  expect(await exchangePosition()).toBeUndefined();
  runtime = await startLocalRuntime(runtimeOptions);
  bot = runtime.client.workflow.getHandle(botWorkflowId('BTCUSDT', 'live'));
  const caughtUp = await waitFor(
    'the bot to catch up',
    async () => {
      const s = await status();
      return s.barsProcessed >= before.barsProcessed + released ? s : undefined;
    },
    180_000,
    500,
  );
  expect(caughtUp.position).toBeNull();
  const booked = await runtime.database.db.select().from(trades).where(eq(trades.mode, 'live'));
  expect(booked).toEqual([expect.objectContaining({ side: 'SHORT', exitReason: 'stop_loss' })]);
  expect((await barsUntil('ok', 3)).reconciliation!.differences).toEqual([]);
});

test('a position closed by hand is a mismatch; flatten leaves bot and exchange flat', async () => {
  await rest.createOrder(SYMBOL, 'market', 'buy', 0.01);
  await barsUntil('mismatch');
  await operate('adopt');
  expect((await nextBar()).position?.side).toBe('LONG');
  await rest.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { reduceOnly: true });
  const s = await barsUntil('mismatch');
  expect(s.reconciliation!.differences.map((d) => d.field)).toContain('position');
  const flattened = (await operate('flatten')) as BotStatus;
  expect(flattened.reconciliation!.resolving).toBe('flatten');
  const after = await nextBar();
  expect(after.position).toBeNull();
  expect(after.reconciliation!.status).toBe('ok');
  expect(await exchangePosition()).toBeUndefined();
});

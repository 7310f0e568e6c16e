/**
 * After a live-mode run whose keys come from the worker's environment (recognisable fake keys, accepted by the local
 * exchange), neither key appears in any workflow history, in Temporal's own database and log, in any row of the
 * bot's database, or in this process's output (where the workers' and workflows' logs go).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { startBot } from '../../app/start-bot';
import { loadConfig } from '../../config/load-config';
import type { BotConfig } from '../../config/schema';
import type { BotStatus } from '../../contracts/bot';
import { orders } from '../../db/schema';
import { LocalExchange } from '../../local-exchange/local-exchange';
import type { TradingBotWorkflow } from '../../workflows/trading-bot-workflow';
import { loadShippedBars } from '../helpers/shipped-data';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(240_000);

const API_KEY = 'FAKEKEYscanMe7f3a9c1e5b2d8046aa17';
const API_SECRET = 'FAKESECRETscanMe0b6e2f9d4c8a1357bb';
const NEEDLES = [API_KEY, API_SECRET, Buffer.from(API_KEY).toString('base64').slice(0, 24), Buffer.from(API_SECRET).toString('base64').slice(0, 24)];

let runtime: TestRuntime;
let exchange: LocalExchange;
let bot: WorkflowHandle<typeof TradingBotWorkflow>;
const output: string[] = [];
const saved = { key: process.env.BINANCE_API_KEY, secret: process.env.BINANCE_API_SECRET };

/** Which needles a text contains. */
const found = (text: string): string[] => NEEDLES.filter((n) => text.includes(n));

/** Every byte array in a decoded history (payload data), as UTF-8, beside its JSON. */
function historyText(value: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
    else if (typeof v === 'string') parts.push(v);
  };
  walk(value);
  return parts.join('\n');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

beforeAll(async () => {
  process.env.BINANCE_API_KEY = API_KEY;
  process.env.BINANCE_API_SECRET = API_SECRET;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return write(chunk);
    });
  }
  runtime = await startTestRuntime();
  exchange = await LocalExchange.start({ bars: loadShippedBars(), startIndex: 4320, speed: 0, port: 0, apiKey: API_KEY, apiSecret: API_SECRET });
  const shipped = loadConfig();
  const config: BotConfig = { ...shipped, trading: { ...shipped.trading, entry_threshold_bps: 1.2, exit_threshold_bps: 5 } };
  // No keys in the settings: the execution activities read them from the environment.
  const settings = { kind: 'local' as const, baseUrl: exchange.baseUrl };
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
  await runtime?.stop();
  await exchange?.stop();
  jest.restoreAllMocks();
  if (saved.key === undefined) delete process.env.BINANCE_API_KEY;
  else process.env.BINANCE_API_KEY = saved.key;
  if (saved.secret === undefined) delete process.env.BINANCE_API_SECRET;
  else process.env.BINANCE_API_SECRET = saved.secret;
});

test('the scanner finds a planted key (so a clean scan means something)', () => {
  expect(found(`{"data":"${API_KEY}"}`)).toEqual([API_KEY]);
  expect(found(historyText({ payload: new Uint8Array(Buffer.from(`x${API_SECRET}x`)) }))).toContain(API_SECRET);
});

test('after a live run with signed orders, no key is in histories, Temporal files, database rows or logs', async () => {
  // Trade until the exchange has signed orders of the bot (an entry with its protective orders), then flatten.
  await waitFor(
    'a live entry',
    async () => {
      const before = (await bot.query<BotStatus>('status')).barsProcessed;
      exchange.advance(1);
      const s = await waitFor('the bar', async () => {
        const now = await bot.query<BotStatus>('status');
        return now.barsProcessed > before ? now : undefined;
      });
      return s.position ? s : undefined;
    },
    150_000,
  );
  await bot.executeUpdate('operate', { args: ['flatten'] });
  exchange.advance(1);
  await waitFor('the flatten', async () => ((await bot.query<BotStatus>('status')).position === null ? true : undefined));
  expect((await runtime.database.db.select().from(orders)).length).toBeGreaterThanOrEqual(4);

  const leaks: string[] = [];
  for await (const w of runtime.client.workflow.list()) {
    const history = await runtime.client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
    for (const n of found(historyText(history))) leaks.push(`history of ${w.workflowId}: ${n}`);
  }
  // Temporal's SQLite database and server log, and the embedded PostgreSQL's files.
  for (const file of filesUnder(runtime.dataDir).filter((f) => existsSync(f))) {
    const bytes = readFileSync(file);
    for (const n of NEEDLES) if (bytes.includes(n)) leaks.push(`${file}: ${n}`);
  }
  const sql = runtime.database.sql;
  const tables = await sql<{ table_name: string }[]>`select table_name from information_schema.tables where table_schema = 'public'`;
  expect(tables.length).toBeGreaterThan(5);
  for (const { table_name } of tables) {
    const [row] = await sql<{ text: string | null }[]>`select string_agg(t::text, E'\n') as text from ${sql(table_name)} t`;
    for (const n of found(row?.text ?? '')) leaks.push(`table ${table_name}: ${n}`);
  }
  expect(output.join('').length).toBeGreaterThan(0);
  for (const n of found(output.join(''))) leaks.push(`process output: ${n}`);
  expect(leaks).toEqual([]);
});

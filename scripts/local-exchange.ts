/**
 * Runs the local Binance USD-M futures exchange (local-exchange/local-exchange.ts) on a bar file, for the offline demo
 * and manual testing with the real ccxt client.
 *
 *   npx tsx scripts/local-exchange.ts [--port 8090] [--speed 60] [--data FILE] [--start-index N] [--symbols A,B] ...
 *
 * With --symbols it lists several symbols on one clock and one wallet: BTCUSDT replays the bar file, every other
 * symbol a STAND-IN derived from it (market-data/stand-in-bars.ts), labelled as such.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseFundingCsv } from '../domain/funding-csv';
import { DEMO_API_KEY, DEMO_API_SECRET, LocalExchange } from '../local-exchange/local-exchange';
import type { MarketOptions } from '../local-exchange/local-exchange-options';
import { DEFAULT_BAR_FILE, readBarFile } from '../market-data/read-bar-file';
import { REAL_SYMBOL, standInBars, standInLabel } from '../market-data/stand-in-bars';
import { numberOption, parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npx tsx scripts/local-exchange.ts [options]

A local Binance USD-M futures exchange replaying a bar file; point ccxt at it with
local-exchange/ccxt-config.ts (configureCcxtForLocal). Its clock is the replayed market's.

  --port N            HTTP and WebSocket port (default 8090; 0 = any free port)
  --host H            interface to listen on (default 127.0.0.1)
  --speed X           replay speed: 1 = one bar per 60 s, 60 = one bar a second (default 60);
                      0 = manual, bars advance only through POST /__admin/advance
  --data FILE         bar file, plain or .gz (default: ${DEFAULT_BAR_FILE})
  --funding FILE      funding rates served by /fapi/v1/fundingRate (funding_time,funding_rate[,mark_price]);
                      default: a seeded SYNTHETIC 8-hourly series over the bars (with --symbols: BTCUSDT's)
  --symbols A,B,C     list several symbols (default BTCUSDT alone): BTCUSDT replays the bar file, the others
                      STAND-IN series derived from it (its returns, rotated and at another price level), with
                      filters scaled to their price level and synthetic funding
  --start-index N     bars before N are history at start (default 4320 = 72 h, the bot's history window)
  --api-key K         accepted API key (default ${DEMO_API_KEY})
  --api-secret S      accepted API secret (default ${DEMO_API_SECRET})
  --balance USDT      starting wallet balance (default 10000)
  --fee-bps N         taker fee in basis points (default 4)
  --slippage-bps N    fill slippage in basis points (default 0)
  --leverage N        initial leverage (default 20, Binance's default)
  --partial-bars      also publish an in-progress kline (x: false) after each closed bar
  --quiet             do not log orders and replay events
  --help              this text`;

const argsSchema = z.object({
  port: z.number().int().min(0).max(65_535).default(8090),
  host: z.string().min(1).default('127.0.0.1'),
  speed: z.number().min(0).max(100_000).default(60),
  data: z.string().min(1).default(DEFAULT_BAR_FILE),
  funding: z.string().min(1).optional(),
  symbols: z
    .array(z.string().regex(/^[A-Z0-9]{2,20}USDT$/, 'each symbol is a USDT perpetual like ETHUSDT'))
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'a symbol is listed twice')
    .optional(),
  startIndex: z.number().int().min(0).default(4320),
  apiKey: z.string().min(1).default(DEMO_API_KEY),
  apiSecret: z.string().min(1).default(DEMO_API_SECRET),
  balance: z.number().min(0).default(10_000),
  feeBps: z.number().min(0).max(100).default(4),
  slippageBps: z.number().min(0).max(1000).default(0),
  leverage: z.number().int().min(1).max(125).default(20),
  partialBars: z.boolean().default(false),
  quiet: z.boolean().default(false),
});

const iso = (ms: number) => new Date(ms).toISOString();

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), {
    port: { type: 'string' },
    host: { type: 'string' },
    speed: { type: 'string' },
    data: { type: 'string' },
    funding: { type: 'string' },
    symbols: { type: 'string' },
    'start-index': { type: 'string' },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
    balance: { type: 'string' },
    'fee-bps': { type: 'string' },
    'slippage-bps': { type: 'string' },
    leverage: { type: 'string' },
    'partial-bars': { type: 'boolean' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const checked = argsSchema.safeParse({
    port: numberOption('port', values.port),
    host: values.host,
    speed: numberOption('speed', values.speed),
    data: values.data,
    funding: values.funding,
    symbols: values.symbols?.split(',').map((x) => x.trim().toUpperCase()),
    startIndex: numberOption('start-index', values['start-index']),
    apiKey: values['api-key'],
    apiSecret: values['api-secret'],
    balance: numberOption('balance', values.balance),
    feeBps: numberOption('fee-bps', values['fee-bps']),
    slippageBps: numberOption('slippage-bps', values['slippage-bps']),
    leverage: numberOption('leverage', values.leverage),
    partialBars: values['partial-bars'],
    quiet: values.quiet,
  });
  if (!checked.success) {
    throw new UsageError(checked.error.issues.map((i) => `${String(i.path[0] ?? 'option')}: ${i.message}`).join('; '));
  }
  const args = checked.data;

  const { bars } = await readBarFile(args.data);
  const funding = args.funding === undefined ? undefined : parseFundingCsv(await readFile(args.funding, 'utf8'), { source: args.funding });
  if (args.startIndex > bars.length) {
    throw new UsageError(`--start-index ${args.startIndex} is beyond the ${bars.length} bars of ${args.data}`);
  }
  // Log lines carry the replay clock once the exchange exists (start() already logs the replay speed).
  const replayClock: { now?: () => number } = {};
  const log = (line: string) => console.log(replayClock.now === undefined ? line : `[${iso(replayClock.now())}] ${line}`);
  const symbols = args.symbols ?? [REAL_SYMBOL];
  const markets: MarketOptions[] | undefined =
    args.symbols === undefined
      ? undefined
      : symbols.map((symbol) => (symbol === REAL_SYMBOL ? { symbol, bars, funding } : { symbol, bars: standInBars(bars, symbol) }));
  const exchange = await LocalExchange.start({
    ...(markets === undefined ? { bars, funding } : { markets }),
    startIndex: args.startIndex,
    speed: args.speed,
    host: args.host,
    port: args.port,
    apiKey: args.apiKey,
    apiSecret: args.apiSecret,
    startingBalance: args.balance,
    takerFeeBps: args.feeBps,
    slippageBps: args.slippageBps,
    leverage: args.leverage,
    partialBarUpdates: args.partialBars,
    log: args.quiet ? undefined : log,
  });
  replayClock.now = () => exchange.serverTime();

  const base = exchange.baseUrl;
  console.log(`Local Binance USD-M exchange on ${base}
  REST        ${base}/fapi/v1 (v2, v3 alike)
  WebSocket   ${exchange.wsUrl}  (ccxt urls.api.ws.future; streams ${symbols.map((sym) => exchange.klineStreamNameOf(sym)).join(', ')})
  admin       ${base}/__admin/state, POST /__admin/advance | /__admin/replay | /__admin/faults | /__admin/regime | /__admin/income | /__admin/trade
  data        ${args.data}: ${bars.length} bars ${iso(bars[0]!.openTime)} .. ${iso(bars[bars.length - 1]!.openTime)}
${symbols.map((sym) => `  symbol      ${standInLabel(sym, bars.length)}`).join('\n')}
  funding     ${args.funding === undefined ? 'SYNTHETIC 8-hourly series (no --funding file)' : `${args.funding}${symbols.length > 1 ? ` for ${REAL_SYMBOL}, SYNTHETIC for the others` : ''}`}
  replay      from bar ${args.startIndex} (${iso(exchange.serverTime())}), ${args.speed > 0 ? `${args.speed}x` : 'manual (POST /__admin/advance)'}
  credentials api key "${exchange.apiKey}", secret "${exchange.apiSecret}"
  ccxt        configureCcxtForLocal(new ccxt.pro.binanceusdm({ apiKey, secret }), '${base}')
Ctrl-C stops.`);

  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  await exchange.stop();
  console.log('stopped');
}

runMain(USAGE, main);

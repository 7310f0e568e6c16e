/**
 * npm start: the bot on Binance USD-M futures, paper trading unless --live. Starts (or reuses) Temporal and
 * PostgreSQL, runs the workers in this process, and starts the market-data stream, a champion model and the bot
 * (app/start-bot.ts). It rides out outages of Temporal and PostgreSQL (the servers it started are restarted,
 * app/supervise-infra.ts). Ctrl-C, SIGTERM (to node or to npm) or SIGHUP stops the workers and then the servers
 * started here; the workflows are durable by design: they stay in Temporal and carry on, without losing a bar,
 * at the next start.
 */
import ccxt from 'ccxt';
import { installQuietRuntime, startLocalRuntime, type LocalRuntime } from '../app/local-runtime';
import { durableResult, rideOut } from '../app/ride-out';
import { startDeployment } from '../app/start-deployment';
import { deploymentWorkflowNames, staysInTemporalLine } from '../app/stop-demo';
import { parseConfig } from '../config/load-config';
import { parseSymbolList } from '../config/portfolio-config';
import { tolerateClosedChannels, watchStopRequests } from '../app/stop-requests';
import { loadConfig } from '../config/load-config';
import { exchangeCredentials, loadEnvFile, testnetCredentials } from '../config/secrets';
import type { ExchangeSettings } from '../domain/exchange-settings';
import { assertLiveTradingAllowed } from '../binance/live-trading-guard';
import { createRestClient, exchangeNow, marketSymbol } from '../binance/exchange-client';
import { marketDataWorkflowId } from '../contracts/market-data';
import { botWorkflowId, statusQuery } from '../contracts/bot';
import { portfolioStatusQuery, portfolioWorkflowId } from '../contracts/portfolio';
import { temporalSettings } from '../infra/temporal';
import type { BotStatus, TradingMode } from '../contracts/bot';
import { dashboardEnv, dashboardOptionsFromEnv, type DashboardOptions } from '../dashboard/options';
import { startEmbeddedDashboard } from '../dashboard/embedded';
import type { Dashboard } from '../dashboard/server';
import { parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npm start -- [options]

Runs the trading bot on Binance USD-M futures: streams the symbol's 1-minute bars, trains a champion model when
the registry has none, and decides on every closed bar, on paper unless --live is given. Temporal and PostgreSQL
are started here unless TEMPORAL_ADDRESS / DATABASE_URL are set (also read from .env); the workers run in this
process until Ctrl-C. The workflows are durable: they wait in Temporal and continue at the next npm start.

Options:
  --symbol S      Binance USD-M perpetual, e.g. ETHUSDT (default: config data.symbol)
  --symbols A,B   several perpetuals as one portfolio (default: config data.symbols): a bot, market data and
                  retrain schedule each, under the portfolio rules (config portfolio:, docs/portfolio.md)
  --live          trade real money; also needs execution.paper_trading: false in the configuration and
                  BINANCE_API_KEY / BINANCE_API_SECRET in the environment or .env
  --testnet       rehearse live trading on Binance's USD-M Demo Trading (the futures testnet's successor; ccxt's
                  demo mode): live mode with no real money, keys from BINANCE_TESTNET_API_KEY / _SECRET
  --config FILE   configuration (default config/config.yaml, or BOT_CONFIG)
  -h, --help      this help

Operate the running bot from another terminal: npm run bot -- status|pause|resume|flatten|stop`;

const MAINNET: ExchangeSettings = { kind: 'binance' };
const TESTNET: ExchangeSettings = { kind: 'binance', testnet: true };
let BINANCE: ExchangeSettings = MAINNET;

/** Binance answers before anything is started, so a blocked network fails here with nothing left running. */
async function checkBinanceReachable(): Promise<void> {
  const rest = createRestClient(BINANCE, null); // the server time is public: no keys involved
  try {
    await exchangeNow(rest);
  } catch (err) {
    throw new Error(binanceProblem(err));
  } finally {
    await rest.close();
  }
}

function binanceProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ccxt.NetworkError) {
    return (
      `Binance is not reachable from this machine: ${message}\n` +
      'npm start needs HTTPS access to fapi.binance.com and WebSocket access to fstream.binance.com. ' +
      'Without network access, npm run demo runs the same stack against a local replay of the shipped data.'
    );
  }
  return `Binance refused the first request: ${message}`;
}

/** Why the market-data stream has not delivered: the last failure of its activity, when Temporal has one. */
async function marketDataFailure(runtime: LocalRuntime, symbol: string): Promise<string | undefined> {
  try {
    const info = await runtime.client.workflow.getHandle(marketDataWorkflowId(symbol)).describe();
    const failure = info.raw.pendingActivities?.find((a) => a.lastFailure?.message)?.lastFailure?.message;
    return failure ?? undefined;
  } catch {
    return undefined;
  }
}

function statusLine(s: BotStatus): string {
  const p = s.position;
  const position = p === null ? 'flat' : `${p.side} ${p.qty.toFixed(4)} @ ${p.entryPrice.toFixed(2)}`;
  const bar =
    s.lastBar === null ? 'no bar yet' : `${new Date(s.lastBar.openTime).toISOString().slice(0, 16)}Z close ${s.lastBar.close.toFixed(2)} ${s.lastBar.action}`;
  const flags = `${s.paused ? '  PAUSED' : ''}${s.halted ? '  HALTED' : ''}${s.stopping ? '  STOPPING' : ''}`;
  return `bars ${s.barsProcessed}  ${bar}  ${position}  equity ${s.equity.toFixed(2)}  pnl today ${s.pnlToday.toFixed(2)}  trades ${s.tradesClosed}${flags}`;
}

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), {
    symbol: { type: 'string' },
    symbols: { type: 'string' },
    live: { type: 'boolean' },
    testnet: { type: 'boolean' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return console.log(USAGE);
  loadEnvFile();
  const loaded = loadConfig(values.config);
  if (values.symbol !== undefined && values.symbols !== undefined) throw new UsageError('give --symbol or --symbols, not both');
  let listed: string[] | undefined;
  try {
    if (values.symbol !== undefined) listed = parseSymbolList(values.symbol, '--symbol');
    if (values.symbols !== undefined) listed = parseSymbolList(values.symbols);
    for (const s of listed ?? loaded.data.symbols) marketSymbol(s);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // The portfolio's weights are checked against the list given here, as against the file's.
  const config =
    listed === undefined ? loaded : parseConfig({ ...loaded, data: { ...loaded.data, symbol: undefined, symbols: listed } }, 'command-line options');
  const symbols = config.data.symbols;
  const symbol = symbols.join(', ');

  // Every opt-in of real-money trading is checked before anything is started.
  let mode: TradingMode = 'paper';
  if (values.live === true && values.testnet === true) throw new UsageError('--live and --testnet exclude each other: --testnet alone rehearses live mode');
  if (values.testnet === true) {
    BINANCE = TESTNET;
    if (testnetCredentials() === null)
      throw new UsageError('--testnet needs BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_API_SECRET in the environment or .env');
    mode = 'live';
    console.log(`LIVE MODE on Binance USD-M Demo Trading (testnet, no real money): ${symbol}`);
  } else if (values.live === true) {
    assertLiveTradingAllowed({ paperTradingConfig: config.execution.paper_trading, liveFlag: true, credentials: exchangeCredentials() });
    mode = 'live';
    console.log(`LIVE TRADING on Binance USD-M: ${symbol} with real money`);
  } else if (!config.execution.paper_trading) {
    console.log('The configuration sets execution.paper_trading: false, but --live was not given: running in paper mode.');
  }
  await checkBinanceReachable();

  let dashboardOptions: DashboardOptions;
  try {
    dashboardOptions = dashboardOptionsFromEnv(dashboardEnv());
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // This process owns the signals (and notices when its npm is gone), so the stop is always done in order.
  installQuietRuntime({ shutdownSignals: [] });
  const stops = watchStopRequests();
  const runtime = await startLocalRuntime({ log: (m) => console.log(`[infra] ${m}`) });
  const { watch } = runtime;
  const dashboard: Dashboard | null = await startEmbeddedDashboard(runtime, dashboardOptions, (m) => console.log(m));
  let ticker: NodeJS.Timeout | undefined;
  const botsEnded: string[] = [];
  let stopping: Promise<void> | undefined;
  const shutdown = (why: string) =>
    (stopping ??= (async () => {
      const started = Date.now();
      clearInterval(ticker);
      console.log(`${why}: stopping the workers, then the servers started here`);
      await dashboard?.close().catch(() => undefined);
      tolerateClosedChannels();
      await runtime.stop().catch((err: unknown) => console.error(`stopping: ${(err as Error).message}`));
      const servers = [runtime.infra.temporal.startedHere ? 'the Temporal server' : '', runtime.infra.postgres.startedHere ? 'PostgreSQL' : ''].filter(Boolean);
      console.log(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s: workers${servers.length > 0 ? `, ${servers.join(', ')}` : ''}`);
      const ended = new Set(botsEnded.map((s) => botWorkflowId(s, mode)));
      const names = deploymentWorkflowNames(symbols, mode).filter((n) => !ended.has(n));
      const kept = runtime.infra.temporal.startedHere ? `, kept in ${temporalSettings().dbFile}` : '';
      console.log(staysInTemporalLine(names, `durable by design${kept}: they wait for workers, and npm start picks them up again`));
      stops.dispose();
    })());

  const run = (async () => {
    const { bots } = await rideOut(
      () =>
        startDeployment(runtime.client, runtime.database.db, {
          config,
          symbols,
          mode,
          exchange: BINANCE,
          retraining: true,
          log: (m) => console.log(m),
        }),
      { watch, cancelled: () => stopping !== undefined },
    ).catch(async (err: unknown) => {
      if (err instanceof ccxt.NetworkError) throw new Error(binanceProblem(err));
      const causes: string[] = [];
      for (const s of symbols) {
        const cause = await marketDataFailure(runtime, s);
        if (cause) causes.push(`\nmarket data (${marketDataWorkflowId(s)}) last failed with: ${cause}`);
      }
      throw new Error(`${(err as Error).message}${causes.join('')}`);
    });
    const { uiUrl, namespace } = runtime.infra.temporal;
    const query = symbols.length === 1 ? `Symbol="${symbols[0]}"` : `Symbol IN (${symbols.map((s) => `"${s}"`).join(', ')})`;
    if (uiUrl) console.log(`Web UI: ${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`);
    const modeFlag = mode === 'live' ? ' --mode live' : '';
    if (symbols.length === 1) {
      const flag = symbols[0] === loaded.data.symbol ? '' : ` --symbol ${symbols[0]}`;
      console.log(`Operate it with: npm run bot -- status|pause|resume|flatten|stop${flag}${modeFlag}`);
    } else {
      console.log(`Operate them with: npm run bot -- status${modeFlag} (the portfolio), and status|pause|resume|flatten|stop --symbol S${modeFlag}`);
    }
    console.log(`Ctrl-C stops this process; the ${symbols.length === 1 ? 'bot waits' : 'bots wait'} in Temporal until the next npm start.`);

    const lastBars = new Map<string, number>();
    const bounded = <T>(fn: () => Promise<T>) => runtime.client.connection.withDeadline(Date.now() + 10_000, fn);
    ticker = setInterval(() => {
      if (!watch.isUp('temporal')) return;
      for (const [s, bot] of bots)
        bounded(() => bot.query(statusQuery)).then(
          (status) => {
            if (status.barsProcessed === lastBars.get(s)) return;
            lastBars.set(s, status.barsProcessed);
            console.log(`${symbols.length > 1 ? `${s}  ` : ''}${statusLine(status)}`);
          },
          () => undefined, // a missed progress line is harmless
        );
      if (symbols.length > 1)
        bounded(() => runtime.client.workflow.getHandle(portfolioWorkflowId(mode)).query(portfolioStatusQuery)).then(
          (p) =>
            console.log(`portfolio  equity ${p.equity.toFixed(2)}  pnl today ${p.pnlToday.toFixed(2)}  positions ${p.positions}${p.halted ? '  HALTED' : ''}`),
          () => undefined,
        );
    }, 60_000);
    // Runs until the bots are stopped (npm run bot -- stop), however long Temporal is away meanwhile.
    await Promise.all(
      [...bots].map(async ([s, bot]) => {
        const final = await durableResult<BotStatus>(runtime.client, bot.workflowId, { watch, cancelled: () => stopping !== undefined });
        botsEnded.push(s);
        console.log(`bot ${bot.workflowId} stopped: ${statusLine(final)}`);
      }),
    );
  })();
  const outcome = await Promise.race([
    run.then(
      () => ({ kind: 'done' as const }),
      (err: unknown) => ({ kind: 'failed' as const, err }),
    ),
    stops.requested.then((request) => ({ kind: 'stop' as const, request })),
    runtime.workersDone.then(() => ({ kind: 'failed' as const, err: new Error('the workers stopped unexpectedly') })),
  ]);
  if (outcome.kind === 'stop') {
    await shutdown(outcome.request.reason);
    process.exit(outcome.request.exitCode);
  }
  await shutdown(outcome.kind === 'done' ? 'the bot has stopped' : 'error');
  if (outcome.kind === 'failed') throw outcome.err;
}

runMain(USAGE, main);

/**
 * npm run demo: the whole live stack offline. A local Binance-compatible exchange replays the shipped data
 * (72 h of history, then new bars at --speed x real time); market data streams it, a champion model is trained,
 * and the paper bot trades every closed bar. Watch it in the Temporal Web UI. It rides out outages of Temporal and
 * PostgreSQL (the servers it started are restarted, app/supervise-infra.ts). Ctrl-C, SIGTERM (to node or to npm)
 * or SIGHUP stops everything: the bot, its market data and its retrain schedule (unless --keep), then the workers,
 * the servers and the exchange, and says what stays running in Temporal.
 */
import { loadConfig, parseConfig } from '../config/load-config';
import { installQuietRuntime, startLocalRuntime } from '../app/local-runtime';
import { durableResult, rideOut } from '../app/ride-out';
import { deploymentWorkflowNames, staysInTemporalLine, stopDeploymentWorkflows } from '../app/stop-demo';
import { tolerateClosedChannels, watchStopRequests } from '../app/stop-requests';
import { startDeployment } from '../app/start-deployment';
import { demoMarkets, forgetEarlierPortfolio, forgetEarlierReplay } from '../app/demo-replay';
import { parseSymbolList } from '../config/portfolio-config';
import { LocalExchange } from '../local-exchange/local-exchange';
import { DEFAULT_BAR_FILE, readBarFile } from '../market-data/read-bar-file';
import type { BotStatus, TradingMode } from '../contracts/bot';
import { portfolioStatusQuery, portfolioWorkflowId, type PortfolioStatus } from '../contracts/portfolio';
import { dashboardEnv, dashboardOptionsFromEnv, type DashboardOptions } from '../dashboard/options';
import { startEmbeddedDashboard } from '../dashboard/embedded';
import type { Dashboard } from '../dashboard/server';
import { numberOption, parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npm run demo -- [options]

Options:
  --speed N        replay speed, bars per minute of wall time (default 60: one bar per second; 1 = real time)
  --bars N         stop the bot after N bars (default: run until Ctrl-C)
  --port N         local exchange port (default 8090)
  --entry-bps N    entry threshold for this demo (default config trading.entry_threshold_bps, 8); on the shipped
                   data the default models rarely predict beyond 8 bps: try 1.5 (with --exit-bps 0.5) to see trades
  --exit-bps N     reversal-exit threshold for this demo (default config trading.exit_threshold_bps)
  --symbols A,B,C  trade several symbols as a portfolio (default config data.symbols): one bot, market data and
                   retrain schedule each, under the portfolio rules (config portfolio:). BTCUSDT replays the shipped
                   bars; every other symbol a STAND-IN derived from them (BTCUSDT's real returns shifted in time
                   and scaled; labelled as such), all on one local exchange
  --config FILE    configuration (default config/config.yaml)
  --live           trade in live mode on the local exchange's account instead of paper: real orders with
                   stop-loss / take-profit on the exchange, reconciliation every execution.reconcile_every_bars
                   bars (try a transfer behind the bot's back: curl -X POST <exchange>/__admin/income
                   -d '{"type":"TRANSFER","amount":-250}', then npm run bot -- adopt --mode live). No real money:
                   nothing leaves this machine
  --keep           on Ctrl-C / SIGTERM leave the bot, market data and schedule in Temporal (servers stop)
  -h, --help       this help`;

function portfolioLine(p: PortfolioStatus): string {
  const refused = Object.entries(p.refusalCounts)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const caps = `positions ${p.positions}/${p.rules.maxPositions}  exposure ${p.grossExposure.toFixed(2)}${p.rules.maxGrossExposure === null ? '' : `/${p.rules.maxGrossExposure}`}`;
  return `portfolio  equity ${p.equity.toFixed(2)}  pnl today ${p.pnlToday.toFixed(2)}  ${caps}${refused ? `  refused: ${refused}` : ''}${p.halted ? '  HALTED' : ''}`;
}

function line(s: BotStatus): string {
  const pos = s.position ? `${s.position.side} ${s.position.qty.toFixed(4)} @ ${s.position.entryPrice.toFixed(2)}` : 'flat';
  const bar = s.lastBar
    ? `${new Date(s.lastBar.openTime).toISOString().slice(0, 16)} close ${s.lastBar.close.toFixed(2)} pred ${s.lastBar.prediction === null ? '-' : (s.lastBar.prediction * 1e4).toFixed(2) + 'bp'} ${s.lastBar.action}`
    : '-';
  return `bars ${s.barsProcessed}  ${bar}  ${pos}  equity ${s.equity.toFixed(2)}  pnl today ${s.pnlToday.toFixed(2)}  trades ${s.tradesClosed}${s.paused ? '  PAUSED' : ''}${s.halted ? '  HALTED' : ''}`;
}

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), {
    speed: { type: 'string' },
    bars: { type: 'string' },
    port: { type: 'string' },
    'entry-bps': { type: 'string' },
    'exit-bps': { type: 'string' },
    config: { type: 'string' },
    symbols: { type: 'string' },
    keep: { type: 'boolean' },
    live: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return console.log(USAGE);
  const speed = numberOption('speed', values.speed) ?? 60;
  const maxBars = numberOption('bars', values.bars);
  const port = numberOption('port', values.port) ?? 8090;
  if (!(speed >= 1 && speed <= 1000)) throw new UsageError(`--speed must be between 1 and 1000 (got ${speed})`);
  if (maxBars !== undefined && !(Number.isInteger(maxBars) && maxBars > 0)) throw new UsageError(`--bars must be a positive integer (got ${maxBars})`);
  const loaded = loadConfig(values.config);
  const entry = numberOption('entry-bps', values['entry-bps']) ?? loaded.trading.entry_threshold_bps;
  const exit = numberOption('exit-bps', values['exit-bps']) ?? Math.min(loaded.trading.exit_threshold_bps, entry);
  // Validated like the file, so a bad option gets the same clear message as a bad config key.
  let listed: string[] | undefined;
  try {
    listed = values.symbols === undefined ? undefined : parseSymbolList(values.symbols);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const data = listed === undefined ? loaded.data : { ...loaded.data, symbol: undefined, symbols: listed };
  const config = parseConfig({ ...loaded, data, trading: { ...loaded.trading, entry_threshold_bps: entry, exit_threshold_bps: exit } }, 'command-line options');
  const symbols = config.data.symbols;
  let dashboardOptions: DashboardOptions;
  try {
    dashboardOptions = dashboardOptionsFromEnv(dashboardEnv());
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // This process owns SIGINT/SIGTERM (and notices when its npm is gone): the workers must outlive the stop
  // signals sent to the demo's workflows, so the SDK must not shut them down on its own.
  installQuietRuntime({ shutdownSignals: [] });
  const stops = watchStopRequests();
  const { bars } = await readBarFile(DEFAULT_BAR_FILE);
  const historyBars = config.data.history_hours * 60;
  const markets = demoMarkets(symbols, bars);
  const exchange = await LocalExchange.start(
    markets.length === 1 && markets[0]!.symbol === 'BTCUSDT'
      ? { bars, startIndex: historyBars, port, speed: 0 }
      : { markets: markets.map((m) => ({ symbol: m.symbol, bars: m.bars })), startIndex: historyBars, port, speed: 0 },
  );
  console.log(`local exchange: ${exchange.baseUrl} replaying ${DEFAULT_BAR_FILE} from bar ${historyBars}`);
  for (const m of markets) console.log(`  ${m.label}`);
  const runtime = await startLocalRuntime({ log: (m) => console.log(`[infra] ${m}`) }).catch(async (err: unknown) => {
    await exchange.stop().catch(() => undefined);
    throw err;
  });
  const dashboard: Dashboard | null = await startEmbeddedDashboard(runtime, dashboardOptions, (m) => console.log(m));
  // Live on the local exchange only: its account is this process's, so no key or flag of real trading applies.
  const mode: TradingMode = values.live ? 'live' : 'paper';
  const { watch } = runtime;
  let ticker: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (why: string) =>
    (stopping ??= (async () => {
      const started = Date.now();
      clearInterval(ticker);
      if (why !== 'done') console.log(`${why}: stopping`);
      let stays: string[];
      let reason: string;
      if (values.keep) {
        stays = deploymentWorkflowNames(symbols, mode);
        reason = `--keep; ${runtime.infra.temporal.startedHere ? "kept in the dev server's database, they" : 'they'} carry on when workers poll again`;
      } else if (!watch.isUp('temporal')) {
        stays = deploymentWorkflowNames(symbols, mode);
        reason = 'Temporal does not answer, so they could not be stopped: run `npm run bot -- stop` once it is back';
      } else {
        const things = await stopDeploymentWorkflows(runtime.client, symbols, mode);
        for (const thing of things) console.log(thing.line);
        stays = things.filter((t) => !t.gone).map((t) => t.name);
        reason =
          stays.length === 0
            ? symbols.length > 1
              ? 'the demo stopped its bots, their market data and retrain schedules, and the portfolio'
              : 'the demo stopped its bot, market data and retrain schedule'
            : 'they could not be stopped';
      }
      await dashboard?.close().catch(() => undefined);
      tolerateClosedChannels();
      await runtime.stop().catch((err: unknown) => console.error(`stopping the runtime: ${(err as Error).message}`));
      await exchange.stop().catch(() => undefined);
      const servers = [runtime.infra.temporal.startedHere ? 'the Temporal server' : '', runtime.infra.postgres.startedHere ? 'PostgreSQL' : ''].filter(Boolean);
      console.log(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s: workers, ${[...servers, 'the local exchange'].join(', ')}`);
      console.log(staysInTemporalLine(stays, reason));
      stops.dispose();
    })());

  const run = (async () => {
    const fromStart = { watch, cancelled: () => stopping !== undefined };
    for (const m of markets) await rideOut(() => forgetEarlierReplay(runtime, m.symbol, mode, m.bars, historyBars), fromStart);
    // An earlier demo's portfolio has served minutes "in the future" of this replay: every report would be late.
    if (symbols.length > 1) await rideOut(() => forgetEarlierPortfolio(runtime, mode), fromStart);
    const settings = { kind: 'local' as const, baseUrl: exchange.baseUrl, apiKey: exchange.apiKey, apiSecret: exchange.apiSecret };
    // Idempotent (fixed workflow ids, USE_EXISTING), so an outage during the start just repeats it.
    const { bots } = await rideOut(
      () =>
        startDeployment(runtime.client, runtime.database.db, {
          config,
          symbols,
          mode,
          exchange: settings,
          ...(maxBars !== undefined ? { maxBars } : {}),
          barWaitMs: Math.max(5_000, (60_000 / speed) * 5),
          retraining: true,
          speed,
          log: (m) => console.log(m),
        }),
      fromStart,
    );
    const ui = runtime.infra.temporal.uiUrl;
    const query = symbols.length === 1 ? `Symbol="${symbols[0]}"` : `Symbol IN (${symbols.map((s) => `"${s}"`).join(', ')})`;
    if (ui) console.log(`Web UI: ${ui}/namespaces/${runtime.infra.temporal.namespace}/workflows?query=${encodeURIComponent(query)}`);
    if (mode === 'live')
      console.log(
        `live mode on the local exchange's account (no real money): reconciliation every ${config.execution.reconcile_every_bars} bars; status: npm run bot -- status --mode live`,
      );
    exchange.startReplay(speed);
    const bounded = <T>(fn: () => Promise<T>) => runtime.client.connection.withDeadline(Date.now() + 4_000, fn);
    ticker = setInterval(() => {
      if (!watch.isUp('temporal')) return;
      for (const [symbol, bot] of bots)
        bounded(() => bot.query<BotStatus>('status')).then(
          (s) => console.log(`${symbols.length > 1 ? `${symbol}  ` : ''}${line(s)}`),
          () => undefined,
        );
      if (symbols.length > 1)
        bounded(() => runtime.client.workflow.getHandle(portfolioWorkflowId(mode)).query(portfolioStatusQuery)).then(
          (p) => console.log(portfolioLine(p)),
          () => undefined,
        );
    }, 5_000);
    // However long Temporal is away meanwhile (the bots wait in it and carry on).
    await Promise.all(
      [...bots].map(async ([symbol, bot]) => {
        const final = await durableResult<BotStatus>(runtime.client, bot.workflowId, fromStart);
        console.log(`bot ${symbol} finished: ${line(final)}`);
      }),
    );
  })();
  const outcome = await Promise.race([
    run.then(
      () => ({ kind: 'done' as const }),
      (err: unknown) => ({ kind: 'failed' as const, err }),
    ),
    stops.requested.then((request) => ({ kind: 'stop' as const, request })),
  ]);
  if (outcome.kind === 'stop') {
    await shutdown(outcome.request.reason);
    process.exit(outcome.request.exitCode);
  }
  await shutdown('done');
  if (outcome.kind === 'failed') throw outcome.err;
}

runMain(USAGE, main);

/**
 * npm run bench:portfolio: how many symbols one deployment carries on this machine. For each symbol count (default
 * 10, 25, 50) a fresh stack runs on private servers (free ports, a temporary data folder): one local exchange in its
 * own process listing every symbol (BTCUSDT's shipped bars, the others STAND-INS derived from them), the portfolio and
 * per symbol a paper bot, market data and a retrain schedule (app/start-deployment.ts, as npm start runs them), with
 * the workers in this process. The script releases one bar of every symbol per interval (--speed x real time) and
 * measures, over the measured bars:
 *   - bar close -> decision stored, every symbol and bar (p50 / p99; target p99 < 5 s)
 *   - retrains: started and finished per minute, the market minutes between a symbol's retrain starts, training
 *     time under load, schedule actions skipped (target: every symbol retrained every cycle, i.e. every
 *     training.train_freq_minutes or, when longer, every retrain with its shadow (shadow + horizon + 2 bars); a
 *     schedule action is dropped only while one retrain runs and another already waits, which costs no cycle)
 *   - this process's RSS (the workers alone; target < 1.5 GB) and CPU, the machine's CPU, PostgreSQL connections,
 *     the Temporal server's, PostgreSQL's and the exchange's memory
 *   - Temporal actions per minute (the server's `action` counter: Temporal Cloud's billing unit), scaled to real
 *     time (heartbeats follow the wall clock, the rest the replayed minutes).
 * Prints a table and one JSON line per count, and writes .data/bench/portfolio-results.json.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { installQuietRuntime, startLocalRuntime, type LocalRuntime } from '../app/local-runtime';
import { watchStopRequests, type StopRequests } from '../app/stop-requests';
import { startDeployment } from '../app/start-deployment';
import { stopDeploymentWorkflows } from '../app/stop-demo';
import { retrainScheduleId } from '../app/retrain-schedule';
import { loadConfig, parseConfig } from '../config/load-config';
import type { BotConfig } from '../config/schema';
import { EXCHANGE_SCRIPT, startExchangeProcess } from './lib/exchange-process';
import { DEFAULT_BAR_FILE, readBarFile } from '../market-data/read-bar-file';
import { standInLabel } from '../market-data/stand-in-bars';
import { projectRoot } from '../config/project-root';
import { freePorts, sleep, summarize, summaryTable } from './lib/bench-stats';
import { ResourceSampler, serverMemoryMb, type ResourceReport } from './lib/bench-resources';
import { benchSymbols } from './lib/bench-symbols';
import { DecisionWatcher } from './lib/decision-watcher';
import { actionsBetween, scrapeActions } from './lib/temporal-actions';
import { numberOption, parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npm run bench:portfolio -- [options]

Options:
  --counts A,B,C  symbol counts, one fresh stack each (default 10,25,50; at most 50)
  --bars N        measured bars per count (default 30: two retrain cycles of 15 minutes)
  --speed N       replay speed, bars per minute of wall time (default 3: three times the live load)
  --warmup N      bars released before measuring (default 3)
  --config FILE   configuration (default config/config.yaml); its portfolio: and trading: rules apply
  -h, --help      this help`;

const TARGET_P99_MS = 5_000;
const TARGET_RSS_MB = 1_536;
const POLL_MS = 25;

interface CountResult {
  readonly symbols: number;
  readonly bars: number;
  readonly speed: number;
  readonly measuredMinutes: number;
  readonly decisions: number;
  readonly missingDecisions: number;
  readonly latencyMs: ReturnType<typeof summarize>;
  /** The part after the bot was handed its bar: prediction, the portfolio's verdict, the fill, the record. */
  readonly handedToRecordedMs: ReturnType<typeof summarize>;
  readonly retrains: {
    started: number;
    finished: number;
    perMinute: number;
    perMinuteAtRealTime: number;
    symbolsRetrained: number;
    skipped: number;
    /** The cycle a symbol can sustain (bars): the schedule's interval or a retrain with its shadow, the longer. */
    cycleBars: number;
    /** Market minutes between successive retrain starts of a symbol. */
    gapBars: ReturnType<typeof summarize>;
    /** Training time of each retrain (ms), under the whole load. */
    trainMs: ReturnType<typeof summarize>;
  };
  readonly resources: ResourceReport & { temporalServerMb: number; postgresMb: number; exchangeMb: number };
  readonly temporalActions: { total: number; perMinute: number; perMinuteAtRealTime: number; byType: Readonly<Record<string, number>> };
  readonly startupSeconds: number;
  readonly met: { p99: boolean; retraining: boolean; rss: boolean };
}

/**
 * Actions per minute at real time: heartbeats follow the wall clock (the SDK's throttle), everything else the
 * market's minutes, so only the latter are divided by the replay speed.
 */
function realTimeActions(byType: Readonly<Record<string, number>>, minutes: number, speed: number): number {
  let wall = 0;
  let market = 0;
  for (const [type, n] of Object.entries(byType)) {
    if (/heartbeat/i.test(type)) wall += n;
    else market += n;
  }
  return wall / minutes + market / minutes / speed;
}

function configFor(loaded: BotConfig, symbols: readonly string[]): BotConfig {
  return parseConfig({ ...loaded, data: { ...loaded.data, symbol: undefined, symbols: [...symbols] } }, 'bench:portfolio');
}

/** Schedule actions taken and skipped so far, summed over the symbols' schedules. */
async function scheduleCounts(runtime: LocalRuntime, symbols: readonly string[]): Promise<{ taken: number; skipped: number }> {
  let taken = 0;
  let skipped = 0;
  for (const s of symbols) {
    const d = await runtime.client.schedule.getHandle(retrainScheduleId(s)).describe();
    taken += d.info.numActionsTaken;
    skipped += d.info.numActionsSkippedOverlap + d.info.numActionsMissedCatchupWindow;
  }
  return { taken, skipped };
}

/** Thrown out of a run when SIGINT / SIGTERM (or the npm that started it ending) asks the benchmark to stop. */
class StopRequested extends Error {}

async function runCount(count: number, loaded: BotConfig, o: { bars: number; speed: number; warmup: number }, stops: StopRequests): Promise<CountResult> {
  const symbols = benchSymbols(count);
  const config = configFor(loaded, symbols);
  const intervalMs = 60_000 / o.speed;
  const log = (m: string) => console.error(`[bench ${count}] ${m}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-portfolio-'));
  chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as the postgres user when this runs as root
  const [temporalPort, uiPort, metricsPort, pgPort, exchangePort] = (await freePorts(5)) as [number, number, number, number, number];
  const env = { BOT_DATA_DIR: dataDir, ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}) };
  const startIndex = config.data.history_hours * 60;
  // Its own process: the exchange's replayed bars and books are not the worker's memory.
  const exchange = await startExchangeProcess({ symbols, startIndex, port: exchangePort });
  let runtime: LocalRuntime | undefined;
  let poller: postgres.Sql | undefined;
  let watcher: DecisionWatcher | undefined;
  try {
    const setupStarted = performance.now();
    let measuring = false;
    const handedMs: number[] = [];
    runtime = await startLocalRuntime({
      log: () => undefined,
      onBotLatency: (ms) => {
        if (measuring) handedMs.push(ms);
      },
      infra: { temporal: { port: temporalPort, uiPort, metricsPort, env }, postgres: { port: pgPort, env } },
    });
    log(`${symbols.length} symbols: ${standInLabel(symbols[0]!)}; the others STAND-INS (BTCUSDT's real returns, shifted and scaled)`);
    await startDeployment(runtime.client, runtime.database.db, {
      config,
      symbols,
      mode: 'paper',
      exchange: { kind: 'local', baseUrl: exchange.baseUrl, apiKey: exchange.apiKey, apiSecret: exchange.apiSecret },
      retraining: true,
      speed: o.speed,
      barWaitMs: Math.max(5_000, intervalMs * 5),
      backfillTimeoutMs: 600_000,
    });
    const startupSeconds = Math.round((performance.now() - setupStarted) / 100) / 10;
    log(`deployment up in ${startupSeconds} s (backfills, ${symbols.length} champions trained, bots started)`);
    const database = new URL(runtime.infra.databaseUrl).pathname.slice(1);
    poller = postgres(runtime.infra.databaseUrl, { max: 2, onnotice: () => undefined });
    watcher = new DecisionWatcher(poller, symbols, 'paper', POLL_MS);
    const sampler = new ResourceSampler(poller, database);

    const total = o.warmup + o.bars;
    const released: number[] = [];
    const startedAt = performance.now();
    let measureFrom = 0;
    let before = { taken: 0, skipped: 0 };
    let actionsBefore = { total: 0, byType: {} };
    for (let i = 0; i < total; i++) {
      if (i === o.warmup) {
        before = await scheduleCounts(runtime, symbols);
        actionsBefore = await scrapeActions(metricsPort, runtime.infra.temporal.namespace);
        measureFrom = Date.now();
        measuring = true;
        sampler.start();
      }
      // A fixed schedule like a real market: a slow decision does not delay the next bar's release.
      const wait = startedAt + i * intervalMs - performance.now();
      if (wait > 0) await Promise.race([sleep(wait), stops.requested]);
      if (stops.current() !== undefined) throw new StopRequested(`stopped (${stops.current()!.reason}) at bar ${i + 1} of ${total}`);
      const at = performance.now();
      const closed = await exchange.advance(1);
      if (closed.length === 0) throw new Error('the replay ran out of bars');
      watcher.released(closed[0]!, at);
      released.push(closed[0]!);
      if (i % 5 === 4) log(`released ${i + 1}/${total}; decisions pending ${watcher.pending}`);
    }
    // The measured window ends one interval after the last release (that bar's decisions are part of it).
    const deadline = Date.now() + 60_000;
    while (watcher.pending > 0 && watcher.failure === undefined && Date.now() < deadline && stops.current() === undefined) await sleep(50);
    if (watcher.failure !== undefined) throw new Error(`polling the decisions table failed: ${watcher.failure.message}`);
    const measureTo = Date.now();
    measuring = false;
    const resources = sampler.stop();
    const actions = actionsBetween(actionsBefore, await scrapeActions(metricsPort, runtime.infra.temporal.namespace));
    const after = await scheduleCounts(runtime, symbols);
    const [retrains] = await poller<{ started: number; finished: number; symbols: number }[]>`
      select count(*)::int as started, count(finished_at)::int as finished, count(distinct symbol)::int as symbols
      from retrain_events where started_at >= ${measureFrom} and started_at < ${measureTo}`;
    const starts = await poller<{ symbol: string; startedAt: number; trainMs: number | null }[]>`
      select symbol, started_at::float8 as "startedAt", (metrics->'timingsMs'->>'train')::float8 as "trainMs"
      from retrain_events where started_at >= ${measureFrom} and started_at < ${measureTo} order by symbol, started_at`;
    const measuredTimes = released.slice(o.warmup);
    const latencies = watcher.latenciesOf(measuredTimes);
    const minutes = (measureTo - measureFrom) / 60_000;
    const round = (x: number) => Math.round(x * 10) / 10;
    // A retrain whose candidate goes to shadow lasts shadow + horizon bars, plus about two for training and the swap:
    // the schedule (BUFFER_ONE) then starts the next one at its end, so that is the cycle a symbol can sustain.
    const cycleBars = Math.max(config.training.train_freq_minutes, config.retraining.shadow_mode_minutes + config.training.prediction_horizon_minutes + 2);
    const gapBars: number[] = [];
    for (let i = 1; i < starts.length; i++) {
      const [a, b] = [starts[i - 1]!, starts[i]!];
      if (a.symbol === b.symbol) gapBars.push(((b.startedAt - a.startedAt) * o.speed) / 60_000);
    }
    const gaps = summarize(gapBars);
    const trainMs = summarize(starts.flatMap((r) => (r.trainMs === null ? [] : [r.trainMs])));
    const latencyMs = summarize(latencies);
    const result: CountResult = {
      symbols: count,
      bars: o.bars,
      speed: o.speed,
      measuredMinutes: round(minutes),
      decisions: latencies.length,
      missingDecisions: measuredTimes.length * count - latencies.length,
      latencyMs,
      handedToRecordedMs: summarize(handedMs),
      retrains: {
        started: retrains!.started,
        finished: retrains!.finished,
        perMinute: round(retrains!.started / minutes),
        perMinuteAtRealTime: round(retrains!.started / minutes / o.speed),
        symbolsRetrained: retrains!.symbols,
        cycleBars,
        gapBars: gaps,
        trainMs,
        skipped: after.skipped - before.skipped,
      },
      resources: {
        ...resources,
        temporalServerMb: serverMemoryMb(join(dataDir, 'temporal')),
        postgresMb: serverMemoryMb(join(dataDir, 'postgres')),
        exchangeMb: serverMemoryMb(EXCHANGE_SCRIPT),
      },
      temporalActions: {
        total: actions.total,
        perMinute: round(actions.total / minutes),
        perMinuteAtRealTime: round(realTimeActions(actions.byType, minutes, o.speed)),
        byType: actions.byType,
      },
      startupSeconds,
      met: {
        p99: latencyMs.n > 0 && latencyMs.p99 < TARGET_P99_MS && latencies.length === measuredTimes.length * count,
        retraining: retrains!.symbols === count && retrains!.started >= Math.floor(o.bars / cycleBars) * count && (gaps.n === 0 || gaps.max <= cycleBars + 1),
        rss: resources.rssMaxMb < TARGET_RSS_MB,
      },
    };
    log(`schedule actions taken ${after.taken - before.taken}, skipped ${after.skipped - before.skipped}`);
    log('stopping the deployment');
    await stopDeploymentWorkflows(runtime.client, symbols, 'paper', 20_000);
    return result;
  } finally {
    await watcher?.stop().catch(() => undefined);
    await poller?.end().catch(() => undefined);
    await runtime?.stop().catch(() => undefined);
    await exchange.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(r: CountResult): string {
  const x = r.resources;
  const yes = (b: boolean) => (b ? 'met' : 'MISSED');
  return [
    `--- ${r.symbols} symbols, ${r.bars} bars at ${r.speed}x (${r.measuredMinutes} min measured), startup ${r.startupSeconds} s`,
    summaryTable('bar close -> decision stored (ms)', [
      ['all symbols and bars', r.latencyMs],
      ['of which: bot handed its bar -> recorded', r.handedToRecordedMs],
    ]),
    `decisions ${r.decisions} (missing ${r.missingDecisions}); p99 < ${TARGET_P99_MS / 1000} s: ${yes(r.met.p99)}`,
    `retrains started ${r.retrains.started}, finished ${r.retrains.finished}, over ${r.retrains.symbolsRetrained} symbols; ${r.retrains.perMinute}/min ` +
      `(${r.retrains.perMinuteAtRealTime}/min at real time); schedule actions skipped ${r.retrains.skipped}`,
    `retrain starts of a symbol every p50 ${r.retrains.gapBars.p50} / max ${r.retrains.gapBars.max} market minutes (n ${r.retrains.gapBars.n}; ` +
      `sustainable cycle ${r.retrains.cycleBars}); training p50 ${r.retrains.trainMs.p50} / p99 ${r.retrains.trainMs.p99} ms; every symbol every cycle: ${yes(r.met.retraining)}`,
    `process RSS max ${x.rssMaxMb} MB (mean ${x.rssMeanMb}; target < ${TARGET_RSS_MB} MB: ${yes(r.met.rss)}), CPU ${x.processCpuCores} cores; ` +
      `machine CPU mean ${x.machineCpuCores} / max ${x.machineCpuMaxCores} of ${availableParallelism()} cores`,
    `PostgreSQL connections max ${x.pgConnectionsMax} (mean ${x.pgConnectionsMean}); memory (PSS) Temporal server ${x.temporalServerMb} MB, PostgreSQL ${x.postgresMb} MB, local exchange (own process) ${x.exchangeMb} MB`,
    `Temporal actions ${r.temporalActions.total}: ${r.temporalActions.perMinute}/min, ${r.temporalActions.perMinuteAtRealTime}/min at real time ` +
      `(${Math.round(r.temporalActions.perMinuteAtRealTime * 60 * 24 * 30).toLocaleString('en-US')} per 30 days)`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), {
    counts: { type: 'string' },
    bars: { type: 'string' },
    speed: { type: 'string' },
    warmup: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return console.log(USAGE);
  const counts = (values.counts ?? '10,25,50').split(',').map((c) => Number(c.trim()));
  for (const c of counts) if (!(Number.isInteger(c) && c >= 1 && c <= 50)) throw new UsageError(`--counts: each count must be 1-50 (got ${values.counts})`);
  const bars = numberOption('bars', values.bars) ?? 30;
  const speed = numberOption('speed', values.speed) ?? 3;
  const warmup = numberOption('warmup', values.warmup) ?? 3;
  if (!(Number.isInteger(bars) && bars > 0)) throw new UsageError(`--bars must be a positive integer (got ${bars})`);
  if (!(speed >= 1 && speed <= 60)) throw new UsageError(`--speed must be between 1 and 60 (got ${speed})`);
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new UsageError(`--warmup must be a non-negative integer (got ${warmup})`);
  const loaded = loadConfig(values.config);
  const { bars: real } = await readBarFile(DEFAULT_BAR_FILE);
  if (loaded.data.history_hours * 60 + warmup + bars > real.length) throw new UsageError(`--bars ${bars} exceed the shipped data after the history window`);

  // The benchmark stops its own servers on SIGINT / SIGTERM: the SDK's own handlers would only stop the workers.
  installQuietRuntime({ shutdownSignals: [] });
  const stops = watchStopRequests({ log: (line) => console.error(line) });
  const results: CountResult[] = [];
  for (const count of counts) {
    let r: CountResult;
    try {
      r = await runCount(count, loaded, { bars, speed, warmup }, stops);
    } catch (err) {
      if (!(err instanceof StopRequested)) throw err;
      console.error(`${err.message}: servers stopped, no results written`);
      process.exitCode = stops.current()!.exitCode;
      return;
    }
    console.log(report(r));
    console.log(JSON.stringify({ bench: 'portfolio', cpus: availableParallelism(), ...r }));
    results.push(r);
  }
  const dir = join(projectRoot(), '.data', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'portfolio-results.json'), `${JSON.stringify({ at: new Date().toISOString(), cpus: availableParallelism(), results }, null, 2)}\n`);
  console.log(`results: ${join(dir, 'portfolio-results.json')}`);
}

runMain(USAGE, main);

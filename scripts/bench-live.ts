/**
 * npm run bench:live: how fast the paper bot decides after a bar closes. The demo stack runs in this process on
 * private servers (free ports, a temporary data folder, so no earlier run's bars or decisions interfere): the
 * local exchange replays the shipped data from bar 4320, this script releases one bar per interval itself
 * (advance(1), timestamped), and per bar it measures
 *   - exchange release -> bar row stored        (kline stream, market-data activity, upsert)     by polling the DB
 *   - bar handed to the bot -> decision recorded (prediction, workflow step, record activity)     onBotLatency hook
 *   - exchange release -> decision row stored   (end to end)                                      by polling the DB
 * and prints p50/p90/p99/max against the targets p50 < 50 ms, p99 < 200 ms, then one JSON line.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { startLocalRuntime, type LocalRuntime } from '../app/local-runtime';
import { startBot } from '../app/start-bot';
import { loadConfig } from '../config/load-config';
import { LocalExchange } from '../local-exchange/local-exchange';
import { LIVE_MARKET } from '../domain/markets';
import { DEFAULT_BAR_FILE, readBarFile } from '../market-data/read-bar-file';
import { freePorts, sleep, summarize, summaryTable, type Summary } from './lib/bench-stats';
import { numberOption, parseCli, runMain, UsageError } from './lib/cli';

const USAGE = `Usage: npm run bench:live -- [options]

Options:
  --bars N       measured bars (default 240; use at least 200 for a meaningful p99)
  --speed N      replay speed in bars per minute of wall time (default 120: one bar every 500 ms)
  --warmup N     bars released and decided before measuring (default 3: first features load, model load)
  --config FILE  configuration (default config/config.yaml)
  -h, --help     this help`;

const TARGET_P50_MS = 50;
const TARGET_P99_MS = 200;
/** Pause between two polls of the decisions table: the resolution of the polled figures. */
const POLL_MS = 2;

/** Per released bar: when the exchange published it, and when its bar and decision rows were first seen. */
interface Timeline {
  readonly releasedAt: number;
  barStoredAt?: number;
  decisionStoredAt?: number;
}

/** Polls the bars and decisions tables for the released bars still waiting for their decision. */
class DecisionWatcher {
  readonly timelines = new Map<number, Timeline>();
  private readonly waiting = new Set<number>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly symbol: string,
  ) {
    this.loop = this.poll();
  }

  released(openTime: number, releasedAt: number): void {
    this.timelines.set(openTime, { releasedAt });
    this.waiting.add(openTime);
  }

  get pending(): number {
    return this.waiting.size;
  }

  /** The error that ended polling, if any (checked by the caller, so a broken poller is never silent). */
  failure: Error | undefined;

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async poll(): Promise<void> {
    try {
      await this.pollUntilStopped();
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.running = false;
    }
  }

  private async pollUntilStopped(): Promise<void> {
    while (this.running) {
      if (this.waiting.size > 0) {
        const list = [...this.waiting].join(',');
        const rows = await this.sql<{ kind: 'bar' | 'decision'; open_time: string }[]>`
          select 'bar' as kind, open_time from bars where market = ${LIVE_MARKET} and symbol = ${this.symbol} and open_time = any(string_to_array(${list}, ',')::bigint[])
          union all
          select 'decision', open_time from decisions where symbol = ${this.symbol} and mode = 'paper' and open_time = any(string_to_array(${list}, ',')::bigint[])`;
        const seenAt = performance.now();
        for (const row of rows) {
          const openTime = Number(row.open_time);
          const timeline = this.timelines.get(openTime);
          if (timeline === undefined) continue;
          if (row.kind === 'bar') timeline.barStoredAt ??= seenAt;
          else {
            timeline.decisionStoredAt ??= seenAt;
            timeline.barStoredAt ??= seenAt;
            this.waiting.delete(openTime);
          }
        }
      }
      await sleep(POLL_MS);
    }
  }
}

const meets = (s: Summary) => s.n > 0 && s.p50 < TARGET_P50_MS && s.p99 < TARGET_P99_MS;

async function main(): Promise<void> {
  const { values } = parseCli(process.argv.slice(2), {
    bars: { type: 'string' },
    speed: { type: 'string' },
    warmup: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return console.log(USAGE);
  const measured = numberOption('bars', values.bars) ?? 240;
  const speed = numberOption('speed', values.speed) ?? 120;
  const warmup = numberOption('warmup', values.warmup) ?? 3;
  if (!(Number.isInteger(measured) && measured > 0)) throw new UsageError(`--bars must be a positive integer (got ${measured})`);
  if (!(speed >= 1 && speed <= 600)) throw new UsageError(`--speed must be between 1 and 600 (got ${speed})`);
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new UsageError(`--warmup must be a non-negative integer (got ${warmup})`);
  const intervalMs = 60_000 / speed;
  const total = warmup + measured;

  const config = loadConfig(values.config);
  const symbol = config.data.symbol;
  const { bars } = await readBarFile(DEFAULT_BAR_FILE);
  const startIndex = config.data.history_hours * 60;
  if (startIndex + total > bars.length)
    throw new UsageError(`--bars ${measured} + --warmup ${warmup} exceed the ${bars.length - startIndex} bars left after bar ${startIndex}`);

  const dataDir = mkdtempSync(join(tmpdir(), 'bench-live-'));
  chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as the postgres user when this runs as root
  const [temporalPort, uiPort, pgPort] = (await freePorts(3)) as [number, number, number];
  // Only these variables reach the launcher: TEMPORAL_ADDRESS / DATABASE_URL of the shell must not be used.
  const env = { BOT_DATA_DIR: dataDir, ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}) };
  const hookMs: number[] = [];
  const log = (m: string) => console.error(`[bench] ${m}`);

  const exchange = await LocalExchange.start({ bars, startIndex, speed: 0 });
  let runtime: LocalRuntime | undefined;
  let poller: postgres.Sql | undefined;
  let watcher: DecisionWatcher | undefined;
  const cleanup = async () => {
    await watcher?.stop().catch(() => undefined);
    await poller?.end().catch(() => undefined);
    await runtime?.stop().catch(() => undefined);
    await exchange.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    runtime = await startLocalRuntime({
      log,
      trainingSlots: 1,
      onBotLatency: (ms) => hookMs.push(ms),
      infra: { temporal: { port: temporalPort, uiPort, env }, postgres: { port: pgPort, env } },
    });
    const bot = await startBot(runtime.client, runtime.database.db, {
      config,
      symbol,
      mode: 'paper',
      exchange: { kind: 'local', baseUrl: exchange.baseUrl, apiKey: exchange.apiKey, apiSecret: exchange.apiSecret },
      maxBars: total,
      barWaitMs: Math.max(5_000, intervalMs * 5),
      log,
    });
    poller = postgres(runtime.infra.databaseUrl, { max: 1, onnotice: () => undefined });
    watcher = new DecisionWatcher(poller, symbol);
    log(`releasing ${total} bars (${warmup} warm-up) every ${intervalMs} ms`);

    // A fixed schedule like a real market: a slow decision does not delay the next bar's release.
    const startedAt = performance.now();
    const releasedTimes: number[] = [];
    for (let i = 0; i < total; i++) {
      const due = startedAt + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const releasedAt = performance.now();
      const [bar] = exchange.advance(1);
      if (bar === undefined) throw new Error('the replay ran out of bars');
      watcher.released(bar.openTime, releasedAt);
      releasedTimes.push(bar.openTime);
    }
    const deadline = Date.now() + 30_000;
    while (watcher.pending > 0 && watcher.failure === undefined && Date.now() < deadline) await sleep(20);
    if (watcher.failure !== undefined) throw new Error(`polling the decisions table failed: ${watcher.failure.message}`);
    if (watcher.pending > 0) log(`${watcher.pending} bar(s) got no decision within 30 s of the last release`);
    await Promise.race([bot.result(), sleep(30_000)]);

    const measuredTimes = releasedTimes.slice(warmup);
    const timelines = measuredTimes.map((t) => watcher!.timelines.get(t)!);
    const stored = timelines.flatMap((t) => (t.barStoredAt === undefined ? [] : [t.barStoredAt - t.releasedAt]));
    const endToEnd = timelines.flatMap((t) => (t.decisionStoredAt === undefined ? [] : [t.decisionStoredAt - t.releasedAt]));
    // The hook fires once per recorded bar, in bar order.
    if (hookMs.length !== total) log(`the latency hook fired ${hookMs.length} times for ${total} bars (a retried record?)`);
    const hook = hookMs.slice(warmup);
    const cold = watcher.timelines.get(releasedTimes[0]!);

    const summaries = {
      releaseToBarStoredMs: summarize(stored),
      botHookMs: summarize(hook),
      endToEndMs: summarize(endToEnd),
    };
    console.log(
      `bench:live  ${measured} bars at ${speed}x (one every ${intervalMs} ms) after ${warmup} warm-up bars; ${availableParallelism()} CPUs; polled figures +-${POLL_MS + 1} ms`,
    );
    console.log(
      summaryTable('latency (ms)', [
        ['exchange release -> bar stored (polled)', summaries.releaseToBarStoredMs],
        ['bar handed to bot -> decision (hook)', summaries.botHookMs],
        ['exchange release -> decision stored (e2e)', summaries.endToEndMs],
      ]),
    );
    if (cold?.decisionStoredAt !== undefined)
      console.log(`first (cold) bar end to end: ${(cold.decisionStoredAt - cold.releasedAt).toFixed(1)} ms, hook ${hookMs[0] ?? '-'} ms`);
    const verdict = (s: Summary) => (meets(s) ? 'met' : 'MISSED');
    console.log(
      `targets p50 < ${TARGET_P50_MS} ms, p99 < ${TARGET_P99_MS} ms: end to end ${verdict(summaries.endToEndMs)}, bot ${verdict(summaries.botHookMs)}`,
    );
    console.log(
      JSON.stringify({
        bench: 'live',
        bars: measured,
        warmupBars: warmup,
        speed,
        intervalMs,
        cpus: availableParallelism(),
        ...summaries,
        targets: { p50Ms: TARGET_P50_MS, p99Ms: TARGET_P99_MS },
        endToEndMet: meets(summaries.endToEndMs),
        botMet: meets(summaries.botHookMs),
      }),
    );
  } finally {
    await cleanup();
  }
}

runMain(USAGE, main);

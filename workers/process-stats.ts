/**
 * What a worker process reports about itself when it stops: event-loop delay (perf_hooks.monitorEventLoopDelay,
 * which shows whether anything blocked the loop: heartbeats, polls and workflow tasks wait behind it) and peak RSS.
 * Logged, and written as JSON to WORKER_STATS_FILE when set (the benchmarks read it).
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { logEvent } from '../observability/structured-log';

export interface ProcessStats {
  readonly name: string;
  readonly pid: number;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number };
  readonly peakRssMb: number;
}

const RESOLUTION_MS = 10;

export function startProcessStats(name: string): { stop(): ProcessStats } {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return {
    stop(): ProcessStats {
      histogram.disable();
      // The histogram records the time between its timer's ticks: the delay is what exceeds the interval.
      const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
      const stats: ProcessStats = {
        name,
        pid: process.pid,
        eventLoopDelayMs: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), mean: ms(histogram.mean) },
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      };
      logEvent('INFO', 'process stats', { process: name, eventLoopDelayMs: stats.eventLoopDelayMs, peakRssMb: stats.peakRssMb });
      if (process.env.WORKER_STATS_FILE) writeFileSync(process.env.WORKER_STATS_FILE, `${JSON.stringify(stats)}\n`);
      return stats;
    },
  };
}

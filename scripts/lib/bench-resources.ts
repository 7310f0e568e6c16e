/**
 * What a benchmark run costs the machine, sampled once per interval: this process's RSS and CPU (it runs the
 * workers, and in the benchmarks also the local exchange: an upper bound on the workers'), the whole machine's CPU
 * (/proc/stat: Temporal and PostgreSQL included), the PostgreSQL connections open to the database, and at the end
 * the memory (PSS) of the Temporal server and PostgreSQL processes found under a data folder.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type postgres from 'postgres';
import { allProcesses, withDescendants } from '../../infra/proc-table';

export interface ResourceReport {
  readonly samples: number;
  readonly rssMaxMb: number;
  readonly rssMeanMb: number;
  /** Mean cores busy: this process, and the whole machine. */
  readonly processCpuCores: number;
  readonly machineCpuCores: number;
  readonly machineCpuMaxCores: number;
  readonly pgConnectionsMax: number;
  readonly pgConnectionsMean: number;
}

interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

function machineCpu(): CpuTimes {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((s, x) => s + x, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length);

export class ResourceSampler {
  private readonly rss: number[] = [];
  private readonly machine: number[] = [];
  private readonly connections: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private cpuAtStart: NodeJS.CpuUsage = process.cpuUsage();
  private lastMachine: CpuTimes = machineCpu();
  private polling = false;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly database: string,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.cpuAtStart = process.cpuUsage();
    this.lastMachine = machineCpu();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  private async sample(): Promise<void> {
    this.rss.push(process.memoryUsage.rss());
    const now = machineCpu();
    const total = now.total - this.lastMachine.total;
    if (total > 0) this.machine.push(((now.busy - this.lastMachine.busy) / total) * availableParallelism());
    this.lastMachine = now;
    if (this.polling) return; // a slow database must not pile up queries
    this.polling = true;
    try {
      const [row] = await this.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = ${this.database}`;
      if (row) this.connections.push(row.n);
    } catch {
      // a missed sample of the connection count is harmless
    } finally {
      this.polling = false;
    }
  }

  stop(): ResourceReport {
    clearInterval(this.timer);
    const cpu = process.cpuUsage(this.cpuAtStart);
    const wallMs = performance.now() - this.startedAt;
    const round2 = (x: number) => Math.round(x * 100) / 100;
    return {
      samples: this.rss.length,
      rssMaxMb: mb(Math.max(...this.rss)),
      rssMeanMb: mb(mean(this.rss)),
      processCpuCores: round2((cpu.user + cpu.system) / 1000 / wallMs),
      machineCpuCores: round2(mean(this.machine)),
      machineCpuMaxCores: round2(Math.max(...this.machine)),
      pgConnectionsMax: Math.max(...this.connections),
      pgConnectionsMean: Math.round(mean(this.connections) * 10) / 10,
    };
  }
}

/** Proportional set size (shared pages split among their users), so PostgreSQL's shared buffers count once. */
function pssBytes(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Pss:'));
    return line === undefined ? 0 : Number(line.split(/\s+/)[1]) * 1024;
  } catch {
    return 0;
  }
}

/** PSS in MB of the processes whose command line names `marker` (e.g. a data folder), with their descendants. */
export function serverMemoryMb(marker: string): number {
  const table = allProcesses();
  const roots = table.filter((p) => p.command.includes(marker)).map((p) => p.pid);
  return mb(withDescendants(roots, table).reduce((s, p) => s + pssBytes(p), 0));
}

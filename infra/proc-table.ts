// Linux's process table (/proc), read by the launchers (is a pid from a file still our server?), the stop watcher
// (was this process left behind?), the benchmarks (whose memory is whose) and the shutdown tests (nothing left
// running). Every reader returns undefined or nothing where /proc is missing or the process is gone.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** One letter: R running, S sleeping, Z zombie (exited, waiting for its parent to reap it), ... */
  readonly state: string;
  /** Field 22 of /proc/<pid>/stat: tells a live process from a new one that got the same pid. */
  readonly startTime: string;
  readonly command: string;
}

/** The process's command line, its arguments joined by spaces. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(rest[1]), state: rest[0] ?? '', startTime: rest[19] ?? '', command: commandLine(pid) ?? '' };
  } catch {
    return undefined;
  }
}

/** Every process visible in /proc. */
export function allProcesses(): ProcessInfo[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  return names
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0)
    .map(processInfo)
    .filter((p): p is ProcessInfo => p !== undefined);
}

/** The roots and all their live descendants, each once. */
export function withDescendants(roots: readonly number[], table: readonly ProcessInfo[] = allProcesses()): number[] {
  const children = new Map<number, number[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out = new Set<number>();
  const visit = (pid: number) => {
    if (out.has(pid)) return;
    out.add(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  for (const root of roots) visit(root);
  return [...out];
}

/**
 * When a long-running command (npm start, npm run demo, a worker) must stop: on SIGINT, SIGTERM or SIGHUP to its
 * node process, and also when the npm that started it is gone. npm 11 does not forward SIGTERM to its script: it
 * exits, its `sh -c` dies with it, and the script's node process (under tsx's node, re-parented to init) would run
 * on as an orphan. So the command records its ancestors up to the nearest npm / npx process at start and checks
 * every second that they still run (same pid and start time, /proc); when one is gone it stops exactly as on
 * SIGTERM. Without /proc, or when no npm started it, only its parent is watched.
 *
 * The first request starts the graceful stop; a second signal a second or more later exits at once (the servers
 * tied to this process still get their stop signal from infra/processes.ts' exit hook).
 */
import { processInfo, type ProcessInfo } from '../infra/proc-table';

export interface StopRequest {
  /** What asked: 'SIGTERM', 'npm (pid 123) exited', ... */
  readonly reason: string;
  /** The exit code a process stopped this way should end with (128 + signal number). */
  readonly exitCode: number;
}

export interface StopRequests {
  /** Resolves at the first request. */
  readonly requested: Promise<StopRequest>;
  /** The first request, once there is one. */
  current(): StopRequest | undefined;
  /** Removes the signal handlers and the ancestor watch. */
  dispose(): void;
}

export interface StopRequestOptions {
  readonly log?: (line: string) => void;
  /** How often the ancestors are checked (default 1 s). */
  readonly pollMs?: number;
  /** Exit when a second signal arrives during the graceful stop (default true). */
  readonly forceOnSecondSignal?: boolean;
}

const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** Like processInfo, but a zombie (exited, waiting to be reaped) counts as gone. */
function liveProcess(pid: number): ProcessInfo | undefined {
  const info = processInfo(pid);
  return info === undefined || info.state === 'Z' ? undefined : info;
}

/** npm, npx or `npm exec` as they show in /proc (npm sets its title to e.g. "npm run demo"; npx to "npm exec"). */
export function isNpmCommand(command: string): boolean {
  const [first = '', second = ''] = command.split(' ');
  const name = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  return ['npm', 'npx'].includes(name(first)) || (name(first) === 'node' && /\/(npm|npx)(-cli\.js)?$/.test(second));
}

/**
 * The processes whose end means this one was left behind: the ancestors from the parent up to the nearest npm /
 * npx (included); only the parent when no npm is among them. Empty without /proc.
 */
export function watchedAncestors(pid: number = process.pid): ProcessInfo[] {
  const self = liveProcess(pid);
  if (self === undefined) return [];
  const chain: ProcessInfo[] = [];
  let next = self.ppid;
  while (next > 1 && chain.length < 16) {
    const info = liveProcess(next);
    if (info === undefined) break;
    chain.push(info);
    if (isNpmCommand(info.command)) return chain;
    next = info.ppid;
  }
  return chain.slice(0, 1);
}

function gone(ancestor: ProcessInfo): boolean {
  const now = liveProcess(ancestor.pid);
  return now === undefined || now.startTime !== ancestor.startTime;
}

export function watchStopRequests(options: StopRequestOptions = {}): StopRequests {
  const log = options.log ?? ((line: string) => console.log(line));
  let first: (StopRequest & { at: number }) | undefined;
  let resolve: (request: StopRequest) => void = () => undefined;
  const requested = new Promise<StopRequest>((r) => (resolve = r));
  const request = (reason: string, exitCode: number) => {
    if (first !== undefined) return;
    first = { reason, exitCode, at: Date.now() };
    resolve({ reason, exitCode });
  };

  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const [signal, exitCode] of Object.entries(SIGNALS) as [NodeJS.Signals, number][]) {
    // process.on, not once: a repeated signal must not fall through to node's default (immediate exit).
    const handler = () => {
      if (first === undefined) return request(signal, exitCode);
      if (options.forceOnSecondSignal !== false && Date.now() - first.at >= 1_000) {
        log(`${signal} again: exiting without waiting for the graceful stop`);
        process.exit(exitCode);
      }
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }

  const ancestors = watchedAncestors();
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (first !== undefined) return;
    const left = ancestors.find(gone);
    if (left !== undefined) {
      // npm's `sh -c` dies with it: a broken chain up to npm means npm has gone.
      const npm = ancestors.find((a) => isNpmCommand(a.command));
      const what = npm !== undefined ? `npm (pid ${npm.pid})` : `the parent process ${left.command.split(' ')[0] ?? '?'} (pid ${left.pid})`;
      request(`${what} exited`, SIGNALS.SIGTERM);
    } else if (ancestors.length === 0 && process.ppid !== parent) {
      request(`the parent process (pid ${parent}) exited`, SIGNALS.SIGTERM);
    }
  }, options.pollMs ?? 1_000);
  timer.unref();

  return {
    requested,
    current: () => (first === undefined ? undefined : { reason: first.reason, exitCode: first.exitCode }),
    dispose: () => {
      clearInterval(timer);
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}

/**
 * From the moment a command starts closing its Temporal connections: a client call that was waiting to retry
 * (Temporal away) fires its retry on the closed channel, and grpc-js throws `Channel has been shut down` from a timer,
 * which would crash the exit half-way. Those errors, and only those, are ignored from here on.
 */
export function tolerateClosedChannels(): void {
  process.on('uncaughtException', (err) => {
    if (err instanceof Error && err.message === 'Channel has been shut down') return;
    console.error(err);
    process.exit(1);
  });
}

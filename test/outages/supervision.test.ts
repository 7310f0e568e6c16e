/**
 * The pieces that ride out outages, without servers: the dependency watch (restart a server this process started,
 * with backoff; wait for an external one; one line when it goes, one when it is back), the worker restart loop,
 * the outage error classes and the client-side retry, the outage log filter and the npm ancestry check. The same
 * pieces on the real stack: outages.test.ts and shutdown.test.ts.
 */
import { ServiceError } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { InfraHandle, ManagedServer } from '../../infra';
import { isOutageNoise, takeSuppressedCount } from '../../app/outage-log-filter';
import { startResilientWorkers } from '../../app/resilient-workers';
import { isDatabaseUnavailable, isTemporalUnavailable, rideOut } from '../../app/ride-out';
import { isNpmCommand, watchedAncestors } from '../../app/stop-requests';
import { superviseInfra, type Probe } from '../../app/supervise-infra';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** A server that can be killed, whose restarts fail `failures` times first, and a probe that follows it. */
function fakeServer(name: string, failures: number) {
  let pid = 100;
  let alive = true;
  let exit: (how: string) => void = () => undefined;
  let exited = new Promise<string>((resolve) => (exit = resolve));
  let failuresLeft = failures;
  let restarts = 0;
  const server: ManagedServer = {
    name,
    pid: () => pid,
    exited: () => exited,
    restart: async () => {
      restarts += 1;
      await sleep(5);
      if (failuresLeft-- > 0) throw new Error('port in use\nlog tail that must not be logged');
      pid += 1;
      alive = true;
      exited = new Promise<string>((resolve) => (exit = resolve));
    },
  };
  const probe: Probe = {
    check: () => (alive ? Promise.resolve() : Promise.reject(new Error('connection refused'))),
    close: () => Promise.resolve(),
  };
  return {
    server,
    probe,
    restarts: () => restarts,
    kill: () => {
      alive = false;
      exit('was killed by SIGKILL');
    },
  };
}

function fakeInfra(temporal: ManagedServer | undefined, postgres: ManagedServer | undefined): InfraHandle {
  return {
    temporalAddress: '127.0.0.1:1',
    databaseUrl: 'postgres://u:secret@127.0.0.1:2/bot',
    temporal: {
      address: '127.0.0.1:1',
      namespace: 'default',
      uiUrl: undefined,
      startedHere: temporal !== undefined,
      stop: () => Promise.resolve(),
      server: temporal,
    },
    postgres: { url: 'postgres://u:secret@127.0.0.1:2/bot', startedHere: postgres !== undefined, stop: () => Promise.resolve(), server: postgres },
    stop: () => Promise.resolve(),
  };
}

describe('dependency watch', () => {
  test('a server this process started: restarted with backoff after it dies, one line when it goes and one when it is back', async () => {
    const temporal = fakeServer('Temporal', 2);
    const postgresProbe: Probe = { check: () => Promise.resolve(), close: () => Promise.resolve() };
    const lines: string[] = [];
    const watch = superviseInfra(fakeInfra(temporal.server, undefined), {
      log: (l) => lines.push(l),
      probeIntervalMs: 20,
      restartBackoffMs: { initial: 20, max: 40 },
      probes: { temporal: temporal.probe, postgres: postgresProbe },
    });
    try {
      temporal.kill();
      await until('Temporal is down', () => !watch.isUp('temporal'));
      await watch.whenUp('temporal');
      expect(temporal.restarts()).toBe(3);
      expect(lines[0]).toBe('Temporal at 127.0.0.1:1 went away (pid 100 was killed by SIGKILL): restarting it');
      // The first failed restart is logged (then every tenth), without the log tail of the error.
      expect(lines[1]).toBe('Temporal: restart 1 failed (port in use); trying again every 0.0 s at most');
      expect(lines[2]).toMatch(/^Temporal at 127\.0\.0\.1:1 is back after \d+\.\d s, restarted as pid 101$/);
      expect(lines).toHaveLength(3);
      const [outage] = watch.outages();
      expect(outage).toMatchObject({ dependency: 'temporal', restarts: 3 });
      expect(outage!.upAt).toBeGreaterThanOrEqual(outage!.downAt);
      // It keeps watching the new process.
      temporal.kill();
      await until('the second outage is over', () => watch.outages().length === 2 && watch.outages()[1]!.upAt !== null);
      expect(temporal.restarts()).toBe(4);
    } finally {
      await watch.stop();
    }
  });

  test('an external server: waited for (two failed probes in a row), never restarted; the password stays out of the log', async () => {
    let up = true;
    const probe: Probe = { check: () => (up ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED'))), close: () => Promise.resolve() };
    const lines: string[] = [];
    const watch = superviseInfra(fakeInfra(undefined, undefined), {
      log: (l) => lines.push(l),
      probeIntervalMs: 10,
      probes: { temporal: { check: () => Promise.resolve(), close: () => Promise.resolve() }, postgres: probe },
    });
    try {
      up = false;
      await until('PostgreSQL is down', () => !watch.isUp('postgres'));
      const back = watch.whenUp('postgres');
      await sleep(100);
      expect(lines).toEqual(['PostgreSQL at postgres://u:***@127.0.0.1:2/bot went away (ECONNREFUSED): waiting for it; everything carries on once it is back']);
      up = true;
      await back;
      expect(lines[1]).toMatch(/^PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:2\/bot is back after \d+\.\d s$/);
      expect(lines).toHaveLength(2);
    } finally {
      await watch.stop();
    }
  });

  test('stop() during an outage: no more restarts, waiters are released', async () => {
    const temporal = fakeServer('Temporal', 1_000);
    const lines: string[] = [];
    const watch = superviseInfra(fakeInfra(temporal.server, undefined), {
      log: (l) => lines.push(l),
      probeIntervalMs: 10,
      restartBackoffMs: { initial: 10, max: 10 },
      probes: { temporal: temporal.probe, postgres: { check: () => Promise.resolve(), close: () => Promise.resolve() } },
    });
    temporal.kill();
    await until('a restart has failed', () => temporal.restarts() >= 2);
    const waiting = watch.whenUp('temporal');
    await watch.stop();
    await waiting;
    const after = temporal.restarts();
    await sleep(50);
    expect(temporal.restarts()).toBe(after);
  });
});

describe('resilient workers', () => {
  /** A worker whose run() fails after `failAfterMs`, or runs until shutdown(). */
  function fakeWorker(failAfterMs: number | null): Worker {
    let state = 'INITIALIZED';
    let finish: (err?: Error) => void = () => undefined;
    return {
      getState: () => state,
      shutdown: () => {
        state = 'STOPPING';
        finish();
      },
      run: () =>
        new Promise<void>((resolve, reject) => {
          state = 'RUNNING';
          finish = (err) => {
            state = err ? 'FAILED' : 'STOPPED';
            if (err) reject(err);
            else resolve();
          };
          if (failAfterMs !== null) setTimeout(() => finish(new Error('Poll failure: transport error\ndetails')), failAfterMs);
        }),
      runUntil: () => Promise.resolve(),
      options: { taskQueue: 'trading' },
    } as unknown as Worker;
  }

  test('a worker whose run() fails is recreated on a new connection; shutdown() stops it for good', async () => {
    const connections: string[] = [];
    const lines: string[] = [];
    let created = 0;
    const workers = await startResilientWorkers({
      address: '127.0.0.1:1',
      log: (l) => lines.push(l),
      backoffMs: { initial: 10, max: 20 },
      connect: (address) => {
        connections.push(address);
        return Promise.resolve({ close: () => Promise.resolve() } as unknown as NativeConnection);
      },
      specs: [{ name: 'trading', create: () => Promise.resolve(fakeWorker(created++ === 0 ? 20 : null)) }],
    });
    await until('the worker was recreated', () => workers.restarts() === 1);
    expect(connections).toHaveLength(2);
    expect(lines[0]).toBe('worker trading stopped (Poll failure: transport error): recreating it once Temporal answers');
    expect(lines[1]).toMatch(/^worker trading polls again \(\d+\.\d s after it stopped\)$/);
    expect(workers.current()).toHaveLength(1);
    await workers.shutdown();
    await workers.done;
    expect(workers.current()).toHaveLength(0);
    expect(lines).toHaveLength(2);
  });

  test('a worker that cannot be created at start is a fault: the error is thrown, nothing is left running', async () => {
    const closed: number[] = [];
    await expect(
      startResilientWorkers({
        address: '127.0.0.1:1',
        log: () => undefined,
        connect: () => Promise.resolve({ close: () => Promise.resolve(closed.push(1)) } as unknown as NativeConnection),
        specs: [
          { name: 'trading', create: () => Promise.resolve(fakeWorker(null)) },
          { name: 'training', create: () => Promise.reject(new Error('bad bundle')) },
        ],
      }),
    ).rejects.toThrow('bad bundle');
    expect(closed).toHaveLength(2);
  });
});

describe('outage errors', () => {
  const unavailable = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established', metadata: {} });

  test('Temporal away: gRPC UNAVAILABLE / DEADLINE_EXCEEDED, also as the cause of a ServiceError', () => {
    expect(isTemporalUnavailable(unavailable)).toBe(true);
    expect(isTemporalUnavailable(new ServiceError('Failed to get Workflow execution history', { cause: unavailable }))).toBe(true);
    expect(isTemporalUnavailable(Object.assign(new Error('5 NOT_FOUND'), { code: 5, details: 'not found', metadata: {} }))).toBe(false);
    expect(isTemporalUnavailable(new Error('Workflow execution failed'))).toBe(false);
  });

  test('PostgreSQL away: connection error codes, also under drizzle', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new Error('Failed query: select 1', { cause: refused }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
  });

  test('rideOut retries outage errors until the call succeeds, once per outage on the callback, and rethrows the rest', async () => {
    let calls = 0;
    const waits: string[] = [];
    const value = await rideOut(
      () => {
        calls += 1;
        return calls < 3 ? Promise.reject(unavailable) : Promise.resolve('ok');
      },
      { backoffMs: { initial: 5, max: 5 }, onWait: (dependency) => waits.push(dependency) },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual(['temporal']);
    await expect(rideOut(() => Promise.reject(new Error('workflow failed')))).rejects.toThrow('workflow failed');
    await expect(rideOut(() => Promise.reject(unavailable), { backoffMs: { initial: 5, max: 5 }, cancelled: () => true })).rejects.toBe(unavailable);
  });
});

describe('outage log filter', () => {
  test('leaves out failed attempts caused by an outage, keeps everything else, counts what it left out', () => {
    takeSuppressedCount();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' });
    expect(isOutageNoise({ level: 'WARN', message: 'Activity failed', meta: { error: refused, activityType: 'awaitBar' } })).toBe(true);
    expect(
      isOutageNoise({
        level: 'WARN',
        message: 'Network error while completing activity',
        meta: { sdkComponent: 'core', error: 'Status { code: Unavailable }' },
      }),
    ).toBe(true);
    expect(isOutageNoise({ level: 'WARN', message: 'Activity failed', meta: { error: new Error('Model x is not in the registry') } })).toBe(false);
    expect(isOutageNoise({ level: 'INFO', message: 'Activity failed', meta: { error: refused } })).toBe(false);
    expect(isOutageNoise({ level: 'ERROR', message: 'Workflow failed', meta: {} })).toBe(false);
    expect(takeSuppressedCount()).toBe(2);
    expect(takeSuppressedCount()).toBe(0);
  });
});

describe('npm ancestry', () => {
  test('npm and npx as /proc shows them', () => {
    expect(isNpmCommand('npm run demo -- --speed 60')).toBe(true);
    expect(isNpmCommand('npm exec tsx scripts/demo.ts')).toBe(true);
    expect(isNpmCommand('/usr/bin/node /usr/lib/node_modules/npm/bin/npm-cli.js start')).toBe(true);
    expect(isNpmCommand('node /work/main/node_modules/.bin/tsx scripts/demo.ts')).toBe(false);
    expect(isNpmCommand('sh -c tsx scripts/demo.ts')).toBe(false);
  });

  test('the watched ancestors end at the nearest npm, or are only the parent', () => {
    const chain = watchedAncestors();
    expect(chain.length).toBeGreaterThanOrEqual(1);
    expect(chain[0]!.pid).toBe(process.ppid);
    const npmAt = chain.findIndex((p) => isNpmCommand(p.command));
    expect(npmAt === -1 ? chain.length === 1 : npmAt === chain.length - 1).toBe(true);
  });
});

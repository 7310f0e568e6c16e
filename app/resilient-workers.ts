/**
 * Temporal workers that outlive an outage of the server. Core retries its task polls for as long as the server is
 * unreachable, but a worker whose run() rejects anyway (a poll error that lasts past Core's grace, a server that
 * comes back without the namespace for a while, an unexpected internal error) is gone for good: this loop logs one
 * line, waits until Temporal answers again, recreates the worker on a fresh NativeConnection and runs it again,
 * with backoff between attempts. Each worker has its own connection, so one worker's restart does not touch the
 * others. The first creation is not retried: a worker that cannot be created at start (bad bundle, bad options) is
 * a fault to report, not an outage.
 */
import { NativeConnection, type Worker } from '@temporalio/worker';
import { errorMessage } from '../infra/processes';
import { NO_WATCH, type DependencyWatch } from './supervise-infra';

export interface WorkerSpec {
  /** For log lines, e.g. the task queue. */
  readonly name: string;
  create(connection: NativeConnection): Promise<Worker>;
}

export interface ResilientWorkersOptions {
  readonly address: string;
  readonly specs: readonly WorkerSpec[];
  readonly log: (line: string) => void;
  /** Restarts wait until Temporal answers (supervise-infra.ts); without a watch they just back off. */
  readonly watch?: DependencyWatch;
  readonly backoffMs?: { readonly initial: number; readonly max: number };
  /** Opens a worker's connection (default NativeConnection.connect; tests replace it). */
  readonly connect?: (address: string) => Promise<NativeConnection>;
}

export interface ResilientWorkers {
  /** Settles once every worker has stopped for good: after shutdown(), or after the SDK shut them down on a signal. */
  readonly done: Promise<void>;
  /** How many times a worker was recreated after its run() failed. */
  restarts(): number;
  /** The workers running now (tests look at their state). */
  current(): readonly Worker[];
  /** Stops every worker (in-flight activities get their cancellation) and closes the connections. */
  shutdown(): Promise<void>;
}

interface Slot {
  readonly spec: WorkerSpec;
  connection: NativeConnection | undefined;
  worker: Worker | undefined;
}

const nativeConnect = (address: string) => NativeConnection.connect({ address });

async function create(
  spec: WorkerSpec,
  address: string,
  connect: (address: string) => Promise<NativeConnection>,
): Promise<{ connection: NativeConnection; worker: Worker }> {
  const connection = await connect(address);
  try {
    return { connection, worker: await spec.create(connection) };
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
}

function firstLine(err: unknown): string {
  return errorMessage(err).split('\n')[0] ?? '';
}

/** Creates every worker (failing as a whole if one cannot be created) and runs them, each in its own restart loop. */
export async function startResilientWorkers(options: ResilientWorkersOptions): Promise<ResilientWorkers> {
  const { address, log } = options;
  const watch = options.watch ?? NO_WATCH;
  const backoff = options.backoffMs ?? { initial: 1_000, max: 30_000 };
  const connect = options.connect ?? nativeConnect;
  const slots: Slot[] = [];
  try {
    for (const spec of options.specs) slots.push({ spec, ...(await create(spec, address, connect)) });
  } catch (err) {
    for (const slot of slots) {
      await slot.worker?.runUntil(Promise.resolve()).catch(() => undefined);
      await slot.connection?.close().catch(() => undefined);
    }
    throw err;
  }

  let stopping = false;
  let restarts = 0;
  const sleepers = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopping) return resolve();
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  const runSlot = async (slot: Slot): Promise<void> => {
    for (;;) {
      const worker = slot.worker;
      if (worker === undefined) return;
      let failure: unknown;
      try {
        await worker.run();
      } catch (err) {
        failure = err;
      }
      await slot.connection?.close().catch(() => undefined);
      slot.connection = undefined;
      slot.worker = undefined;
      // A run that ends without an error was shut down (by shutdown() or by the SDK on a signal): done.
      if (stopping || failure === undefined) return;
      const failedAt = Date.now();
      log(`worker ${slot.spec.name} stopped (${firstLine(failure)}): recreating it once Temporal answers`);
      let delay = backoff.initial;
      let attempts = 0;
      for (;;) {
        await pause(delay);
        if (stopping) return;
        await Promise.race([watch.whenUp('temporal'), pause(backoff.max)]);
        if (stopping) return;
        attempts += 1;
        try {
          const made = await create(slot.spec, address, connect);
          if (stopping) {
            await made.worker.runUntil(Promise.resolve()).catch(() => undefined);
            await made.connection.close().catch(() => undefined);
            return;
          }
          slot.connection = made.connection;
          slot.worker = made.worker;
          restarts += 1;
          log(`worker ${slot.spec.name} polls again (${((Date.now() - failedAt) / 1000).toFixed(1)} s after it stopped)`);
          break;
        } catch (err) {
          // Logged once per few attempts: an outage of hours must not fill the log.
          if (attempts === 1 || attempts % 10 === 0) log(`worker ${slot.spec.name}: could not recreate it yet (${firstLine(err)}); retrying`);
          delay = Math.min(delay * 2, backoff.max);
        }
      }
    }
  };

  const done = Promise.all(slots.map(runSlot)).then(() => undefined);
  let shuttingDown: Promise<void> | undefined;
  return {
    done,
    restarts: () => restarts,
    current: () => slots.flatMap((slot) => (slot.worker ? [slot.worker] : [])),
    shutdown: () =>
      (shuttingDown ??= (async () => {
        stopping = true;
        for (const wake of [...sleepers]) wake();
        for (const slot of slots) if (slot.worker?.getState() === 'RUNNING') slot.worker.shutdown();
        await done;
      })()),
  };
}

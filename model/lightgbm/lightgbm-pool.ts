/**
 * The threads that run LightGBM for a worker process (worker_threads, one task per thread at a time, FIFO):
 * training-set construction, Dataset binning, boosting, prediction and the feature matrix of a data set all run
 * off the Node event loop, so Temporal's heartbeats, polls and workflow tasks keep moving while `threads` models
 * train at once. Each thread owns its boosters (no native handle crosses threads); bars and features are shared
 * memory, never copied per training. A thread that dies fails its task with the reason and is replaced.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PoolReply, PoolResult, PoolTask, PoolTrainInput } from './lightgbm-pool-protocol';
import { shareColumns, type SeriesColumns, type SharedSeries } from './series-memory';
import type { WindowModel } from './train-window';

export type { PoolTrainInput } from './lightgbm-pool-protocol';

const BOOT = join(__dirname, 'lightgbm-thread-boot.js');

type TaskBody = PoolTask extends infer T ? (T extends PoolTask ? Omit<T, 'id'> : never) : never;

interface Pending {
  readonly task: PoolTask;
  resolve(result: PoolResult): void;
  reject(err: Error): void;
}

interface Thread {
  readonly worker: Worker;
  current: Pending | null;
}

/** An error raised on a thread, rebuilt with its class name (activities classify errors by name). */
function threadError(e: { name: string; message: string; stack: string }): Error {
  const err = new Error(e.message);
  err.name = e.name;
  err.stack = `${e.name}: ${e.message}\n    (on a LightGBM thread)\n${e.stack.split('\n').slice(1).join('\n')}`;
  return err;
}

export class TrainingPool {
  readonly size: number;
  readonly #threads: Thread[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: { threads?: number } = {}) {
    this.size = options.threads ?? availableParallelism();
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`TrainingPool: threads must be a positive integer (got ${this.size})`);
  }

  /** Features and row hashes of a series, computed on a thread, in shared memory. */
  async buildSeries(key: string, columns: SeriesColumns): Promise<SharedSeries> {
    const r = await this.#run({ type: 'series', key, columns: shareColumns(columns) });
    if (r.type !== 'series') throw new Error('TrainingPool: unexpected reply');
    return r.series;
  }

  /** trainWindow (model/lightgbm/train-window.ts) on a thread. */
  async train(series: SharedSeries, input: PoolTrainInput): Promise<WindowModel> {
    const r = await this.#run({ type: 'train', series, input });
    if (r.type !== 'train') throw new Error('TrainingPool: unexpected reply');
    return r.model;
  }

  /** Predicts rows [first, first + count) of a series with a registered model (its booster cached per thread). */
  async predict(series: SharedSeries, version: string, modelText: string, rows: { first: number; count: number }): Promise<Float64Array> {
    const r = await this.#run({ type: 'predict', series, version, modelText, first: rows.first, count: rows.count });
    if (r.type !== 'predict') throw new Error('TrainingPool: unexpected reply');
    return r.predictions;
  }

  /** Ends the threads; queued tasks fail. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#queue.splice(0)) p.reject(new Error('TrainingPool closed'));
    await Promise.all(this.#threads.splice(0).map((t) => t.worker.terminate()));
  }

  #run(body: TaskBody): Promise<PoolResult> {
    if (this.#closed) return Promise.reject(new Error('TrainingPool closed'));
    return new Promise<PoolResult>((resolve, reject) => {
      this.#queue.push({ task: { ...body, id: this.#nextId++ }, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let thread = this.#threads.find((t) => t.current === null);
      if (!thread && this.#threads.length < this.size) thread = this.#spawn();
      if (!thread) return;
      const pending = this.#queue.shift()!;
      thread.current = pending;
      thread.worker.postMessage(pending.task);
    }
  }

  #spawn(): Thread {
    // No execArgv: the parent's loaders (tsx, jest) do not apply to threads; the boot file registers tsx itself.
    const worker = new Worker(BOOT, { execArgv: [] });
    worker.unref(); // idle threads never keep a process alive; a worker's Temporal connection does
    const thread: Thread = { worker, current: null };
    worker.on('message', (reply: PoolReply) => {
      const pending = thread.current;
      thread.current = null;
      if (pending && pending.task.id === reply.id) {
        if (reply.error) pending.reject(threadError(reply.error));
        else pending.resolve(reply.result!);
      }
      this.#dispatch();
    });
    const fail = (err: Error) => {
      const i = this.#threads.indexOf(thread);
      if (i >= 0) this.#threads.splice(i, 1);
      thread.current?.reject(new Error(`LightGBM thread died: ${err.message}`));
      thread.current = null;
      if (!this.#closed) this.#dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.#threads.push(thread);
    return thread;
  }
}

/**
 * "Bar closed" notifications over PostgreSQL LISTEN/NOTIFY, so the bot reacts to a stored bar within
 * milliseconds without polling. The writer stores, then `NOTIFY bars_closed, '<market>:<symbol>:<openTime>'`; a reader
 * waits with waitForBar, which also checks the table (a bar stored before it listened is found at once).
 *
 * Every waiter of a postgres.js client shares one LISTEN (postgres.js keeps it on a dedicated connection and
 * re-issues it after a reconnect): the bot waits for a bar every minute, and a LISTEN round trip per wait, or a
 * connection per waiter, would be wasted. Notifications for bars nobody waits for cost a map lookup.
 */
import type postgres from 'postgres';
import type { Bar } from '../domain/bars';
import type { SeriesKey } from '../domain/markets';

export const BARS_CLOSED_CHANNEL = 'bars_closed';

/** The notification payload of a bar: '<market>:<symbol>:<openTime>' (neither a market id nor a symbol holds ':'). */
export function barKey(series: SeriesKey, openTime: number): string {
  return `${series.market}:${series.symbol}:${openTime}`;
}

/** Announces stored bars (after their INSERT has committed, so a woken reader finds them). */
export async function notifyBarsClosed(sql: postgres.Sql, series: SeriesKey, openTimes: readonly number[]): Promise<void> {
  if (openTimes.length === 0) return;
  const keys = openTimes.map((t) => barKey(series, t));
  // One statement for a whole backfill page; PostgreSQL delivers them in order when it commits.
  await sql`select pg_notify(${BARS_CLOSED_CHANNEL}, k) from unnest(${sql.array(keys)}::text[]) as k`;
}

interface BarRow {
  open_time: string | number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

async function findBar(sql: postgres.Sql, series: SeriesKey, openTime: number): Promise<Bar | null> {
  const rows = await sql<BarRow[]>`
    select open_time, open, high, low, close, volume from bars
    where market = ${series.market} and symbol = ${series.symbol} and open_time = ${openTime}`;
  const row = rows[0];
  if (row === undefined) return null;
  // bigint arrives as a string from postgres.js; minute times are far below 2^53.
  return { openTime: Number(row.open_time), open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volume };
}

type Delivery = (bar: Bar) => void;

/** The waiters of one postgres.js client and its single LISTEN. */
class BarWaiters {
  private readonly waiting = new Map<string, { series: SeriesKey; openTime: number; deliveries: Set<Delivery> }>();
  private listening: Promise<void> | undefined;
  private listens = 0;

  constructor(private readonly sql: postgres.Sql) {}

  wait(series: SeriesKey, openTime: number, timeoutMs: number): Promise<Bar | null> {
    return new Promise<Bar | null>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.remove(series, openTime, deliver);
        outcome();
      };
      const deliver: Delivery = (bar) => settle(() => resolve(bar));
      const fail = (err: unknown) => settle(() => reject(err instanceof Error ? err : new Error(String(err))));
      // Registered before LISTEN is active: a notification in the gap between LISTEN and the check is not lost.
      this.add(series, openTime, deliver);
      // A last look at the table on timeout covers a missed notification (e.g. a writer that died after its
      // INSERT but before its NOTIFY, or a LISTEN connection that was being re-established).
      const timer = setTimeout(() => {
        findBar(this.sql, series, openTime).then((bar) => settle(() => resolve(bar)), fail);
      }, timeoutMs);
      this.listen()
        .then(() => findBar(this.sql, series, openTime))
        .then((bar) => {
          if (bar !== null) deliver(bar);
        }, fail);
    });
  }

  private add(series: SeriesKey, openTime: number, deliver: Delivery): void {
    const key = barKey(series, openTime);
    const entry = this.waiting.get(key) ?? { series, openTime, deliveries: new Set<Delivery>() };
    entry.deliveries.add(deliver);
    this.waiting.set(key, entry);
  }

  private remove(series: SeriesKey, openTime: number, deliver: Delivery): void {
    const key = barKey(series, openTime);
    const entry = this.waiting.get(key);
    if (entry === undefined) return;
    entry.deliveries.delete(deliver);
    if (entry.deliveries.size === 0) this.waiting.delete(key);
  }

  /** LISTENs once for the client's lifetime; postgres.js closes it with `sql.end()`. */
  private listen(): Promise<void> {
    this.listening ??= this.sql
      .listen(
        BARS_CLOSED_CHANNEL,
        (payload) => this.onNotification(payload),
        () => this.onListen(),
      )
      .then(
        () => undefined,
        (err: unknown) => {
          this.listening = undefined; // let the next waiter try again
          throw err;
        },
      );
    return this.listening;
  }

  /** After a reconnect of the LISTEN connection, notifications sent meanwhile are lost: look at the table. */
  private onListen(): void {
    this.listens++;
    if (this.listens === 1) return; // the first LISTEN: each waiter checks the table itself
    for (const key of [...this.waiting.keys()]) this.deliverFromTable(key);
  }

  private onNotification(payload: string): void {
    if (this.waiting.has(payload)) this.deliverFromTable(payload);
  }

  private deliverFromTable(key: string): void {
    const entry = this.waiting.get(key);
    if (entry === undefined) return;
    findBar(this.sql, entry.series, entry.openTime).then(
      (bar) => {
        if (bar !== null) for (const deliver of [...(this.waiting.get(key)?.deliveries ?? [])]) deliver(bar);
      },
      // A failed lookup leaves the waiters waiting: their timeout checks the table once more.
      () => undefined,
    );
  }
}

const registries = new WeakMap<postgres.Sql, BarWaiters>();

/**
 * Resolves with the bar of `series` opening at `openTime` as soon as it is stored (at once if it already is), or
 * with null after `timeoutMs`.
 */
export function waitForBar(sql: postgres.Sql, series: SeriesKey, openTime: number, timeoutMs: number): Promise<Bar | null> {
  if (!Number.isInteger(openTime)) throw new Error(`waitForBar: openTime must be an integer time in ms, got ${openTime}`);
  if (!(timeoutMs >= 0) || !Number.isFinite(timeoutMs)) throw new Error(`waitForBar: timeoutMs must be a finite number >= 0, got ${timeoutMs}`);
  let registry = registries.get(sql);
  if (registry === undefined) {
    registry = new BarWaiters(sql);
    registries.set(sql, registry);
  }
  return registry.wait(series, openTime, timeoutMs);
}

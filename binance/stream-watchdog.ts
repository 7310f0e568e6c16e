// The kline stream's clock watchdog, apart from the streamer: the table is compared with the exchange clock at
// every check, and a closed bar still missing at the next check means the stream stopped delivering.

export class StreamStalledError extends Error {
  override name = 'StreamStalledError';
}

export class StallWatchdog {
  /** The last closed bar found missing at the previous check. */
  private behindAt: number | null = null;

  constructor(private readonly intervalMs: number) {}

  /** Forgets the previous check (a new connection starts with a clean slate). */
  clear(): void {
    this.behindAt = null;
  }

  /** One check: the error to end the connection with when the stream is stalled, else null. */
  check(lastStored: number | null, lastClosed: number): StreamStalledError | null {
    const behind = lastStored === null || lastStored < lastClosed;
    if (behind && this.behindAt !== null && (lastStored === null || lastStored < this.behindAt)) {
      return new StreamStalledError(
        `the bar of ${new Date(this.behindAt).toISOString()} closed on the exchange but the stream has not delivered it within ${this.intervalMs} ms`,
      );
    }
    this.behindAt = behind ? lastClosed : null;
    return null;
  }
}

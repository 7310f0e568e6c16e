/**
 * The download's progress line: a bar, minutes covered of those missing, rows fetched, the rate and an ETA. On a
 * terminal it is redrawn in place (at most 5 times a second); elsewhere (a log, CI) a plain line every 5 s.
 */
export interface ProgressState {
  /** Work covered so far and in all (missing minutes). */
  readonly done: number;
  readonly total: number;
  /** Rows fetched from the exchange. */
  readonly rows: number;
}

export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const WIDTH = 28;

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** One line of progress; `elapsedMs` since the work started. */
export function progressLine(label: string, p: ProgressState, elapsedMs: number): string {
  const share = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(share * WIDTH);
  const rate = elapsedMs > 0 ? (p.rows * 1000) / elapsedMs : 0;
  const eta = p.done > 0 && p.done < p.total ? duration((elapsedMs * (p.total - p.done)) / p.done) : p.done >= p.total ? '0m00s' : '--';
  return (
    `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ` +
    `${count(p.done)}/${count(p.total)} min  rows ${count(p.rows)}  ${count(Math.round(rate))} rows/s  elapsed ${duration(elapsedMs)}  eta ${eta}`
  );
}

export class ProgressBar {
  private readonly started = performance.now();
  private lastDrawn = Number.NEGATIVE_INFINITY;
  private last: ProgressState | undefined;
  private readonly intervalMs: number;

  constructor(
    private readonly label: string,
    private readonly out: ProgressOutput,
  ) {
    this.intervalMs = out.isTTY === true ? 200 : 5_000;
  }

  update(state: ProgressState): void {
    this.last = state;
    const now = performance.now();
    if (now - this.lastDrawn < this.intervalMs) return;
    this.lastDrawn = now;
    this.draw(state, now);
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (this.last === undefined) return;
    this.draw(this.last, performance.now());
    if (this.out.isTTY === true) this.out.write('\n');
  }

  private draw(state: ProgressState, now: number): void {
    const line = progressLine(this.label, state, now - this.started);
    this.out.write(this.out.isTTY === true ? `\r${line}\x1b[K` : `${line}\n`);
  }
}

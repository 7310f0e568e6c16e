// The timed replay's wall-clock bookkeeping: one bar every 60 s / speed, and the time elapsed inside the bar in
// progress (scaled by the speed) that the market clock adds, kept across pauses and speed changes.
import { BAR_MS } from '../domain/bars';

export class ReplayTimer {
  private timer: NodeJS.Timeout | undefined;
  private barStartedAtWall: number;
  private pausedIntraBarMs = 0;

  constructor(
    private readonly wall: () => number,
    private speedValue: number,
    /** Closes the next bar (called by the timer). */
    private readonly tick: () => void,
    private readonly log: (line: string) => void,
  ) {
    if (!(speedValue >= 0)) throw new Error(`speed must be >= 0 (0 = manual), got ${speedValue}`);
    this.barStartedAtWall = wall();
  }

  get speed(): number {
    return this.speedValue;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Wall time elapsed in the bar in progress, in market ms (frozen while paused). */
  intraBarMs(): number {
    if (this.timer === undefined) return this.pausedIntraBarMs;
    return (this.wall() - this.barStartedAtWall) * this.speedValue;
  }

  /** A bar has closed: the next one starts now. */
  barClosed(): void {
    this.barStartedAtWall = this.wall();
    this.pausedIntraBarMs = 0;
  }

  /** Starts (or re-times) the timed replay; `speed` 1 = one bar per 60 s. */
  start(speed: number = this.speedValue || 1): void {
    if (!(speed > 0)) throw new Error(`replay speed must be > 0, got ${speed}`);
    const intra = this.intraBarMs();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.speedValue = speed;
    // Keep the clock where it was: the bar in progress continues at the new speed.
    this.barStartedAtWall = this.wall() - intra / speed;
    const intervalMs = BAR_MS / speed;
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
    this.log(`replay running at ${speed}x (one bar every ${intervalMs} ms)`);
  }

  /** Stops the timed replay; the clock stays where it was. */
  pause(): void {
    if (this.timer === undefined) return;
    this.pausedIntraBarMs = this.intraBarMs();
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

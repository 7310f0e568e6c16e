/**
 * The market clock of the local exchange: a bar array replayed one closed bar at a time.
 *
 * Bars `[0, closedCount)` are closed (history the exchange already serves); bar `closedCount` is the one in
 * progress. The replay clock reads the open time of the bar in progress, i.e. the instant the last bar closed,
 * so /fapi/v1/time, kline event times and order times all follow the replayed market, not the wall clock. A timed
 * replay may add the time elapsed inside the bar in progress (`clock(intraBarMs)`), never reaching its close.
 * The last traded price is the close of the last closed bar (the open of the first bar before any bar closed).
 */
import { BAR_MS, type Bar } from '../domain/bars';

/** From `fromIndex` on, volumes are multiplied and bar-to-bar log returns scaled (a volatility regime change). */
export interface RegimeChange {
  readonly fromIndex: number;
  readonly volumeMultiplier?: number;
  readonly volatilityMultiplier?: number;
}

export interface KlineQuery {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

export class MarketReplay {
  private readonly bars: Bar[];
  private closed: number;

  constructor(bars: readonly Bar[], startIndex: number) {
    if (bars.length === 0) throw new Error('MarketReplay needs at least one bar');
    if (!Number.isInteger(startIndex) || startIndex < 0 || startIndex > bars.length) {
      throw new Error(`startIndex ${startIndex} is outside [0, ${bars.length}] (the number of bars)`);
    }
    for (let i = 1; i < bars.length; i++) {
      if (bars[i]!.openTime <= bars[i - 1]!.openTime) {
        throw new Error(`bars must ascend by openTime: bar ${i} (${bars[i]!.openTime}) is not after bar ${i - 1} (${bars[i - 1]!.openTime})`);
      }
    }
    this.bars = bars.slice();
    this.closed = startIndex;
  }

  get length(): number {
    return this.bars.length;
  }

  /** Number of closed bars; also the index of the bar in progress. */
  get closedCount(): number {
    return this.closed;
  }

  get finished(): boolean {
    return this.closed >= this.bars.length;
  }

  lastClosed(): Bar | undefined {
    return this.closed > 0 ? this.bars[this.closed - 1] : undefined;
  }

  /** The bar in progress (it closes at the next release), if the replay has not ended. */
  inProgress(): Bar | undefined {
    return this.bars[this.closed];
  }

  /** Replay time in Unix ms; `intraBarMs` (timed replay) is clamped inside the bar in progress. */
  clock(intraBarMs = 0): number {
    const current = this.bars[this.closed];
    if (current === undefined) return this.bars[this.bars.length - 1]!.openTime + BAR_MS;
    return current.openTime + Math.min(Math.max(0, Math.floor(intraBarMs)), BAR_MS - 1);
  }

  /**
   * The price the market trades at now: the open of the bar in progress (its first trade, which a market order
   * sent after the previous close meets), or the last close once the replay has ended.
   */
  lastPrice(): number {
    return this.inProgress()?.open ?? this.lastClosed()?.close ?? this.bars[0]!.open;
  }

  /** Closes the bar in progress and returns it (undefined when the replay has ended). */
  release(): Bar | undefined {
    const bar = this.bars[this.closed];
    if (bar !== undefined) this.closed++;
    return bar;
  }

  /**
   * Closed bars as Binance's /klines selects them: from `startTime` forward, else the latest ones up to `endTime`
   * (or now), at most `limit`.
   */
  klines(query: KlineQuery): Bar[] {
    const endTime = query.endTime ?? Number.POSITIVE_INFINITY;
    const endIdx = this.upperBound(endTime, this.closed); // exclusive
    if (query.startTime !== undefined) {
      const from = this.lowerBound(query.startTime, endIdx);
      return this.bars.slice(from, Math.min(endIdx, from + query.limit));
    }
    return this.bars.slice(Math.max(0, endIdx - query.limit), endIdx);
  }

  /** Closed bars that opened at or after `fromTime`. */
  closedSince(fromTime: number): Bar[] {
    return this.bars.slice(this.lowerBound(fromTime, this.closed), this.closed);
  }

  /** Rewrites bars not yet replayed; released history is never changed. */
  applyRegimeChange(change: RegimeChange): void {
    const volumeMultiplier = change.volumeMultiplier ?? 1;
    const volatilityMultiplier = change.volatilityMultiplier ?? 1;
    if (!Number.isInteger(change.fromIndex) || change.fromIndex < this.closed || change.fromIndex >= this.bars.length) {
      throw new Error(`regime change fromIndex ${change.fromIndex} must be a bar not yet replayed: in [${this.closed}, ${this.bars.length - 1}]`);
    }
    if (!(volumeMultiplier >= 0) || !(volatilityMultiplier > 0)) {
      throw new Error(`regime change needs volumeMultiplier >= 0 and volatilityMultiplier > 0 (got ${volumeMultiplier}, ${volatilityMultiplier})`);
    }
    // Each price is re-anchored on the previous rewritten close, its log distance from the original previous
    // close scaled: the path stays continuous and every bar keeps high >= open, close >= low.
    const original = this.bars.slice(change.fromIndex);
    let prevOriginal = change.fromIndex > 0 ? this.bars[change.fromIndex - 1]!.close : original[0]!.open;
    let prevNew = prevOriginal;
    const cents = (x: number) => Math.round(x * 100) / 100;
    original.forEach((bar, k) => {
      const move = (p: number) => cents(prevNew * Math.exp(volatilityMultiplier * Math.log(p / prevOriginal)));
      const next: Bar = {
        openTime: bar.openTime,
        open: move(bar.open),
        high: move(bar.high),
        low: move(bar.low),
        close: move(bar.close),
        volume: bar.volume * volumeMultiplier,
      };
      this.bars[change.fromIndex + k] = next;
      prevOriginal = bar.close;
      prevNew = next.close;
    });
  }

  // First index in [0, end) whose openTime >= time.
  private lowerBound(time: number, end: number): number {
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bars[mid]!.openTime < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // First index in [0, end) whose openTime > time.
  private upperBound(time: number, end: number): number {
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bars[mid]!.openTime <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * The minutes of [from, end) a download still has to fetch: those without a stored bar. Walked forward only (the
 * download's cursor never goes back), so a year of stored open times is scanned once.
 */
import { BAR_MS } from '../../domain/bars';

export class MissingMinutes {
  /** Minutes of the range without a stored bar when the download started. */
  readonly total: number;
  private index = 0;
  private storedBefore = 0;

  /** `stored`: ascending open times, all in [from, end). */
  constructor(
    private readonly stored: readonly number[],
    private readonly from: number,
    private readonly end: number,
  ) {
    this.total = (end - from) / BAR_MS - stored.length;
  }

  /** The first minute at or after `cursor` with no stored bar, or null when the rest of the range is stored. */
  next(cursor: number): number | null {
    let minute = Math.max(cursor, this.from);
    this.skipTo(minute);
    while (minute < this.end && this.stored[this.index] === minute) {
      minute += BAR_MS;
      this.index++;
      this.storedBefore++;
    }
    return minute < this.end ? minute : null;
  }

  /** How many of the missing minutes lie before `cursor` (the download's progress). */
  doneBefore(cursor: number): number {
    const at = Math.min(Math.max(cursor, this.from), this.end);
    this.skipTo(at);
    return (at - this.from) / BAR_MS - this.storedBefore;
  }

  private skipTo(minute: number): void {
    while (this.index < this.stored.length && this.stored[this.index]! < minute) {
      this.index++;
      this.storedBefore++;
    }
  }
}

/**
 * Incremental features for the live bot: one FeatureStream per symbol kept in the worker, advanced by one bar per
 * minute (the same code as the backtest's batch features, bit for bit). After a restart, a gap or a model swap
 * it is rebuilt from the stored bars of the history window ending at the bar.
 */
import { BAR_MS, type Bar } from '../domain/bars';
import { FeatureStream, WARMUP_BARS } from './features';

interface Entry {
  stream: FeatureStream;
  lastOpenTime: number;
  last: Float64Array | null;
}

export type LoadBars = (from: number, toExclusive: number) => Promise<readonly Bar[]>;

export class LiveFeatures {
  readonly #entries = new Map<string, Entry>();

  /**
   * Features at the close of `bar` (null while the history holds fewer than the warm-up bars). `historyMinutes`
   * bounds the rebuild; a history shorter than that (a young exchange replay) starts at the first stored bar.
   */
  async at(symbol: string, bar: Bar, historyMinutes: number, loadBars: LoadBars): Promise<Float64Array | null> {
    const entry = this.#entries.get(symbol);
    if (entry && entry.lastOpenTime === bar.openTime) return entry.last;
    if (entry && entry.lastOpenTime === bar.openTime - BAR_MS) {
      entry.last = entry.stream.push(bar);
      entry.lastOpenTime = bar.openTime;
      return entry.last;
    }
    const history = await loadBars(bar.openTime - historyMinutes * BAR_MS, bar.openTime);
    const stream = new FeatureStream();
    // Only the contiguous run that ends right before this bar can seed the stream.
    let start = history.length;
    while (start > 0 && history[start - 1]!.openTime === bar.openTime - (history.length - start + 1) * BAR_MS) start--;
    for (let i = start; i < history.length; i++) stream.push(history[i]!);
    const last = stream.push(bar);
    this.#entries.set(symbol, { stream, lastOpenTime: bar.openTime, last });
    return last;
  }

  static readonly warmupBars = WARMUP_BARS;
}

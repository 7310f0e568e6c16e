// The live form of the features (one bar at a time) and its JSON snapshot, apart from the batch form so
// that the state format and its validation sit next to the only class that reads and writes them.
import { z } from 'zod';
import type { Bar } from '../domain/bars';
import { CAPACITY, FeatureEngine, WINDOW_NAMES } from './feature-engine';
import { N_FEATURES, WARMUP_BARS } from './feature-spec';

/** Serialisable snapshot of a FeatureStream (plain JSON; windows listed oldest first). */
export interface FeatureStreamState {
  readonly version: 1;
  /** Bars seen since the start of the history. */
  readonly count: number;
  readonly lastOpenTime: number | null;
  readonly ema12: number;
  readonly ema26: number;
  readonly ema60: number;
  readonly avgGain: number;
  readonly avgLoss: number;
  readonly lastLogVolume: number;
  readonly closes: number[];
  readonly ret1: number[];
  readonly ret5: number[];
  readonly tp: number[];
  readonly volume: number[];
  readonly high: number[];
  readonly low: number[];
  readonly spread: number[];
  readonly dlv: number[];
}

const finite = z.number().refine(Number.isFinite, 'must be finite');
const featureStreamStateSchema = z.object({
  version: z.literal(1),
  count: z.number().int().nonnegative(),
  lastOpenTime: z.number().int().nullable(),
  ema12: finite,
  ema26: finite,
  ema60: finite,
  avgGain: finite,
  avgLoss: finite,
  lastLogVolume: finite,
  closes: z.array(finite),
  ret1: z.array(finite),
  ret5: z.array(finite),
  tp: z.array(finite),
  volume: z.array(finite),
  high: z.array(finite),
  low: z.array(finite),
  spread: z.array(finite),
  dlv: z.array(finite),
});

/**
 * Incremental features for live trading: push each closed bar in order; identical, bit for bit, to
 * computeFeatureMatrix over the same history (same first bar). Memory is bounded by the longest window (60 bars).
 */
export class FeatureStream {
  private readonly engine = new FeatureEngine();

  /** Bars pushed since the start of the history. */
  get count(): number {
    return this.engine.count;
  }

  get lastOpenTime(): number | null {
    return this.engine.lastOpenTime;
  }

  /**
   * Consumes the next bar (exactly BAR_MS after the previous one) and returns its 19 features, or null for the
   * first WARMUP_BARS bars of the history (warm-up). Throws on a gap or an invalid bar, leaving the stream unchanged.
   */
  push(bar: Bar): Float64Array | null {
    const out = new Float64Array(N_FEATURES);
    this.engine.step(bar, out, 0);
    return this.engine.count > WARMUP_BARS ? out : null;
  }

  /** Plain JSON-able snapshot; FeatureStream.fromState(JSON.parse(JSON.stringify(s))) continues identically. */
  toState(): FeatureStreamState {
    const e = this.engine;
    return {
      version: 1,
      count: e.count,
      lastOpenTime: e.lastOpenTime,
      ema12: e.ema12,
      ema26: e.ema26,
      ema60: e.ema60,
      avgGain: e.avgGain,
      avgLoss: e.avgLoss,
      lastLogVolume: e.lastLogVolume,
      closes: e.w.closes.values(),
      ret1: e.w.ret1.values(),
      ret5: e.w.ret5.values(),
      tp: e.w.tp.values(),
      volume: e.w.volume.values(),
      high: e.w.high.values(),
      low: e.w.low.values(),
      spread: e.w.spread.values(),
      dlv: e.w.dlv.values(),
    };
  }

  static fromState(state: unknown): FeatureStream {
    const parsed = featureStreamStateSchema.safeParse(state);
    if (!parsed.success) throw new Error(`Invalid FeatureStream state: ${z.prettifyError(parsed.error)}`);
    const s = parsed.data;
    if ((s.count === 0) !== (s.lastOpenTime === null)) {
      throw new Error(`Invalid FeatureStream state: count ${s.count} with lastOpenTime ${s.lastOpenTime}`);
    }
    const stream = new FeatureStream();
    const e = stream.engine;
    for (const name of WINDOW_NAMES) {
      const values = s[name];
      const expected = Math.min(s.count, CAPACITY[name]);
      if (values.length !== expected) {
        throw new Error(`Invalid FeatureStream state: window ${name} holds ${values.length} values, expected ${expected} after ${s.count} bars`);
      }
      // Re-pushing oldest first restores the same chronological windows, hence the same summation order.
      for (const x of values) e.w[name].push(x);
    }
    e.count = s.count;
    e.lastOpenTime = s.lastOpenTime;
    e.ema12 = s.ema12;
    e.ema26 = s.ema26;
    e.ema60 = s.ema60;
    e.avgGain = s.avgGain;
    e.avgLoss = s.avgLoss;
    e.lastLogVolume = s.lastLogVolume;
    return stream;
  }
}

/**
 * Seeded synthetic 1-minute bars for load and scale tests (a year of data without downloading one). Not market
 * data: nothing here should ever be read as evidence that a strategy works. No I/O; bars are produced lazily so
 * a year (525,600 bars) streams to a file without being held in memory.
 *
 * Model, per minute t of UTC hour h:
 * - log return r_t = mu + sigma_t z_t with GARCH(1,1) variance sigma_t^2 = omega + alpha e_{t-1}^2 + beta sigma_{t-1}^2
 *   (e the previous shock): calm and turbulent stretches alternate (volatility clustering);
 * - open = the previous close (a continuous market), close = open x e^r, wicks beyond open/close of half-normal size
 *   sigma_t x wickScale;
 * - volume = baseVolume x U-shaped hourly factor (quietest at quietHourUtc, busiest 12 hours later) x log-normal
 *   noise x more on large moves and in turbulent stretches;
 * - with a probability that is higher in quiet hours a minute has no trade: open = high = low = close = previous
 *   close, volume 0 (as in the thin shipped Binance.US data).
 */
import { z } from 'zod';
import { BAR_MS, type Bar } from './bars';
import { mulberry32, normalSource } from './seeded-random';

/** Written to the sidecar file so that a synthetic file names what made it. */
export const SYNTHETIC_GENERATOR = 'lgbm-futures-bot/synthetic-bars garch11 v1';

const MINUTES_PER_YEAR = 525_600;
// Module-level aliases: a global lookup of Math per call is ~25x slower inside a vm context (jest, sandboxes).
const { abs, exp, floor, max, min, round, sqrt } = Math;
const HOURS = 24;
// E|z| of a standard normal: keeps the mean volume at baseVolume whatever the loading on |z|.
const MEAN_ABS_NORMAL = Math.sqrt(2 / Math.PI);

export const syntheticParamsSchema = z
  .object({
    /** Unconditional volatility of the log price, annualised (0.6 = 60 %, roughly BTC). */
    annualVolatility: z.number().positive().max(10),
    /** Annualised drift of the log price. */
    annualDrift: z.number().min(-10).max(10),
    /** GARCH weight of the last squared shock: how strongly a big move raises the next minutes' volatility. */
    garchAlpha: z.number().min(0).max(1),
    /** GARCH weight of the last variance: alpha + beta is the persistence of volatility (< 1). */
    garchBeta: z.number().min(0).max(1),
    /** Wick size relative to the minute's sigma. */
    wickScale: z.number().min(0).max(10),
    /** Mean volume of a traded minute over the day, in the base asset. */
    baseVolume: z.number().positive(),
    /** Volume factor of the busiest hour over that of the quietest one (>= 1). */
    volumePeakRatio: z.number().min(1).max(100),
    /** UTC hour with the least volume; the busiest is 12 hours later. */
    quietHourUtc: z.number().int().min(0).max(23),
    /** Standard deviation of the log-normal volume noise. */
    volumeNoise: z.number().min(0).max(3),
    /** Extra volume on large moves: volume scales with (1 + loading x |z|). */
    volumeMoveLoading: z.number().min(0).max(10),
    /** Volume scales with (sigma_t / unconditional sigma)^elasticity: busy markets are turbulent ones. */
    volumeVolatilityElasticity: z.number().min(0).max(3),
    /** Share of minutes without a trade, averaged over the day (quiet hours get more). */
    zeroVolumeRate: z.number().min(0).max(0.5),
    /** Prices are rounded to this many decimals (the tick); default: about 6 significant digits of the start price. */
    priceDecimals: z.number().int().min(0).max(12),
    volumeDecimals: z.number().int().min(0).max(12),
  })
  .strict()
  .refine((p) => p.garchAlpha + p.garchBeta < 1, { message: 'garchAlpha + garchBeta must be < 1 (a stationary variance)' });

export type SyntheticParams = z.infer<typeof syntheticParamsSchema>;

export interface SyntheticBarsOptions {
  /** Any integer; taken modulo 2^32. */
  readonly seed: number;
  /** Open time of the first bar, Unix ms on a minute. */
  readonly start: number;
  readonly minutes: number;
  /** Open of the first bar. */
  readonly price: number;
  /** Overrides of the defaults of `syntheticParams`. */
  readonly params?: Partial<SyntheticParams>;
}

/** The defaults, resolved against the start price, with `overrides` applied; throws on an invalid combination. */
export function syntheticParams(price: number, overrides: Partial<SyntheticParams> = {}): SyntheticParams {
  if (!(Number.isFinite(price) && price > 0)) throw new Error(`synthetic bars: the start price must be a positive number (got ${price})`);
  const defaults: SyntheticParams = {
    annualVolatility: 0.6,
    annualDrift: 0,
    garchAlpha: 0.06,
    garchBeta: 0.93,
    wickScale: 0.5,
    baseVolume: 5,
    volumePeakRatio: 3,
    quietHourUtc: 6,
    volumeNoise: 0.5,
    volumeMoveLoading: 1,
    volumeVolatilityElasticity: 1,
    zeroVolumeRate: 0.02,
    priceDecimals: Math.min(12, Math.max(0, 5 - Math.floor(Math.log10(price)))),
    volumeDecimals: 3,
  };
  const parsed = syntheticParamsSchema.safeParse({ ...defaults, ...overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`synthetic bars: invalid parameter ${issue.path.join('.') || '(combination)'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Volume factor of each UTC hour, mean 1: 1 + (ratio - 1) (d / 12)^2 with d the hours from the quiet hour (0..12)
 * around the clock, so the curve is a U between two busy ends with its bottom at the quiet hour.
 */
export function hourlyVolumeFactors(params: Pick<SyntheticParams, 'volumePeakRatio' | 'quietHourUtc'>): number[] {
  const raw = Array.from({ length: HOURS }, (_, h) => {
    const away = Math.abs(h - params.quietHourUtc);
    const d = Math.min(away, HOURS - away);
    return 1 + (params.volumePeakRatio - 1) * (d / 12) ** 2;
  });
  const mean = raw.reduce((s, x) => s + x, 0) / HOURS;
  return raw.map((x) => x / mean);
}

function checkOptions(o: SyntheticBarsOptions): void {
  if (!Number.isInteger(o.seed)) throw new Error(`synthetic bars: the seed must be an integer (got ${o.seed})`);
  if (!Number.isSafeInteger(o.start) || o.start < 0 || o.start % BAR_MS !== 0) {
    throw new Error(`synthetic bars: start must be Unix ms on a minute, from 1970 on (got ${o.start})`);
  }
  if (!Number.isSafeInteger(o.minutes) || o.minutes < 1) throw new Error(`synthetic bars: minutes must be a positive integer (got ${o.minutes})`);
}

/** The bars, one per minute from `start`, lazily; the same options always give the same bars. */
export function* syntheticBars(options: SyntheticBarsOptions): Generator<Bar, void, undefined> {
  checkOptions(options);
  const p = syntheticParams(options.price, options.params);
  const uniform = mulberry32(options.seed);
  const normal = normalSource(uniform);

  const priceScale = 10 ** p.priceDecimals;
  const volumeScale = 10 ** p.volumeDecimals;
  const roundPrice = (x: number) => max(1, round(x * priceScale)) / priceScale; // never below one tick
  const minVolume = 1 / volumeScale;

  const sigmaBar = p.annualVolatility / sqrt(MINUTES_PER_YEAR);
  const omega = sigmaBar * sigmaBar * (1 - p.garchAlpha - p.garchBeta);
  const mu = p.annualDrift / MINUTES_PER_YEAR;
  const volumeFactor = hourlyVolumeFactors(p);
  // Zero-volume chance per hour, inversely proportional to its volume factor, averaging zeroVolumeRate.
  const inverse = volumeFactor.map((f) => 1 / f);
  const inverseMean = inverse.reduce((s, x) => s + x, 0) / HOURS;
  const zeroChance = inverse.map((x) => min(0.9, (p.zeroVolumeRate * x) / inverseMean));
  const noiseMean = exp((p.volumeNoise * p.volumeNoise) / 2);
  const loadingMean = 1 + p.volumeMoveLoading * MEAN_ABS_NORMAL;

  let variance = sigmaBar * sigmaBar;
  let logPrice = Math.log(options.price);
  let close = roundPrice(options.price);

  for (let k = 0; k < options.minutes; k++) {
    const openTime = options.start + k * BAR_MS;
    const hour = floor((openTime % 86_400_000) / 3_600_000);
    const sigma = sqrt(variance);
    const open = close;

    if (uniform() < zeroChance[hour]!) {
      // No trade: the price stands still, and the volatility decays towards its calm level.
      variance = omega + p.garchBeta * variance;
      yield { openTime, open, high: open, low: open, close: open, volume: 0 };
      continue;
    }

    const z0 = normal();
    const shock = sigma * z0;
    logPrice += mu + shock;
    close = roundPrice(exp(logPrice));
    const wick = sigma * p.wickScale;
    const high = max(open, close, roundPrice(max(open, close) * exp(wick * abs(normal()))));
    const low = min(open, close, roundPrice(min(open, close) * exp(-wick * abs(normal()))));
    const raw =
      p.baseVolume *
      volumeFactor[hour]! *
      (exp(p.volumeNoise * normal()) / noiseMean) *
      ((1 + p.volumeMoveLoading * abs(z0)) / loadingMean) *
      (sigma / sigmaBar) ** p.volumeVolatilityElasticity;
    const volume = max(minVolume, round(raw * volumeScale) / volumeScale);

    variance = omega + p.garchAlpha * shock * shock + p.garchBeta * variance;
    yield { openTime, open, high, low, close, volume };
  }
}

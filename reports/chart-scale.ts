/**
 * Axis arithmetic for the report's SVG charts: linear scales, "nice" value ticks and UTC-aligned time
 * ticks. Degenerate domains (a flat equity curve, a single sample) are widened so nothing divides by zero.
 */

export interface Ticks {
  /** Nice lower and upper bounds that enclose the data; lo < hi always. */
  readonly lo: number;
  readonly hi: number;
  readonly values: readonly number[];
  /** Decimals that show every tick exactly (0 for steps >= 1). */
  readonly decimals: number;
}

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0;
  if (span === 0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** Widens a zero-width [min, max] by 1 % of its magnitude (or by 1 around zero). */
export function widen(min: number, max: number): [number, number] {
  if (max > min) return [min, max];
  const pad = min === 0 ? 1 : Math.abs(min) * 0.01;
  return [min - pad, max + pad];
}

/** About `count` ticks at 1, 2 or 5 x 10^k steps covering [min, max]. */
export function niceTicks(min: number, max: number, count: number): Ticks {
  const [a, b] = widen(min, max);
  const raw = (b - a) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  // Multiples of `step` computed from integers and rounded, so labels carry no 0.30000000000000004.
  const first = Math.floor(a / step + 1e-9);
  const last = Math.ceil(b / step - 1e-9);
  const values: number[] = [];
  for (let k = first; k <= last; k++) values.push(Number((k * step).toFixed(decimals)));
  return { lo: values[0]!, hi: values[values.length - 1]!, values, decimals };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [1, 2, 5, 10, 15, 30]
  .map((m) => m * MINUTE)
  .concat(
    [1, 2, 3, 6, 12].map((h) => h * HOUR),
    [1, 2, 7, 14, 28, 56, 91, 182, 364].map((d) => d * DAY),
  );

export interface TimeTicks {
  readonly step: number;
  readonly values: readonly number[];
}

/** UTC-aligned ticks inside [from, to] (multiples of a minute/hour/day step), at most `maxCount` of them. */
export function timeTicks(from: number, to: number, maxCount: number): TimeTicks {
  const fits = (step: number): boolean => Math.floor(to / step) - Math.ceil(from / step) + 1 <= maxCount;
  const step = TIME_STEPS.find(fits) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const values: number[] = [];
  for (let k = Math.ceil(from / step); k * step <= to && values.length < maxCount; k++) values.push(k * step);
  return { step, values };
}

/** Tick label: "03-02 14:00" below a day's step, "2023-03-02" from a day on (both UTC). */
export function formatTimeTick(ms: number, step: number): string {
  const iso = new Date(ms).toISOString();
  return step >= DAY ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

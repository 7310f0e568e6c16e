// The fixed-capacity window and the window statistics of the feature engine: kept apart because their
// summation order is what makes batch and incremental features agree bit for bit.
/**
 * Fixed-capacity window over the latest values. Each value is written twice (at `i` and `i + capacity`),
 * so the last `n` values always sit contiguously, oldest first, in `buf[end - n .. end)`: windows are summed
 * by direct summation in chronological order, with no drifting running sums and no modulo in inner loops.
 */
export class Window {
  readonly buf: Float64Array;
  private pos = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(2 * capacity);
  }

  get length(): number {
    return this.filled;
  }

  /** One past the newest value; the window of the last n values is buf[end - n .. end). */
  get end(): number {
    return this.pos === 0 ? 2 * this.capacity : this.pos + this.capacity;
  }

  push(x: number): void {
    this.buf[this.pos] = x;
    this.buf[this.pos + this.capacity] = x;
    this.pos = this.pos + 1 === this.capacity ? 0 : this.pos + 1;
    if (this.filled < this.capacity) this.filled++;
  }

  /** Value k bars back (0 = newest); before k bars exist it is the oldest value (lookbacks clamp to the start). */
  ago(k: number): number {
    const back = k < this.filled ? k : this.filled - 1;
    return this.buf[this.end - 1 - back]!;
  }

  /** Values oldest first (for serialisation). */
  values(): number[] {
    const end = this.end;
    return Array.from(this.buf.subarray(end - this.filled, end));
  }
}

/** Sample standard deviation (n-1) of buf[from..to); exactly 0 for fewer than 2 values or identical values. */
export function sampleStd(buf: Float64Array, from: number, to: number): number {
  const n = to - from;
  if (n < 2) return 0;
  const first = buf[from]!;
  let sum = 0;
  let constant = true;
  for (let i = from; i < to; i++) {
    const x = buf[i]!;
    sum += x;
    if (x !== first) constant = false;
  }
  // Rounding in the mean would otherwise turn a constant window into a tiny non-zero deviation.
  if (constant) return 0;
  const mean = sum / n;
  let ss = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i]! - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

export function mean(buf: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += buf[i]!;
  return sum / (to - from);
}

/** Pearson correlation of two equally long windows; 0 when either side is constant (zero variance). */
export function correlation(xs: Float64Array, xFrom: number, ys: Float64Array, yFrom: number, n: number): number {
  if (n < 2) return 0;
  const x0 = xs[xFrom]!;
  const y0 = ys[yFrom]!;
  let sx = 0;
  let sy = 0;
  let xConstant = true;
  let yConstant = true;
  for (let k = 0; k < n; k++) {
    const x = xs[xFrom + k]!;
    const y = ys[yFrom + k]!;
    sx += x;
    sy += y;
    if (x !== x0) xConstant = false;
    if (y !== y0) yConstant = false;
  }
  if (xConstant || yConstant) return 0;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let k = 0; k < n; k++) {
    const dx = xs[xFrom + k]! - mx;
    const dy = ys[yFrom + k]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  // sqrt separately so tiny variances cannot underflow to a zero denominator.
  const denom = Math.sqrt(sxx) * Math.sqrt(syy);
  if (!(denom > 0)) return 0;
  const r = sxy / denom;
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

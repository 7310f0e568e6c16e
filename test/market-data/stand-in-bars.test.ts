import { BAR_MS, type Bar } from '../../domain/bars';
import { isStandIn, REAL_SYMBOL, standInBars, standInLabel, standInSpec } from '../../market-data/stand-in-bars';

const T0 = Date.UTC(2023, 2, 1);
/** 5 days of a made-up random walk standing for the real series. */
const real: Bar[] = Array.from({ length: 5 * 1440 }, (_, i) => {
  const open = 20_000 * (1 + 0.05 * Math.sin(i / 300));
  const close = 20_000 * (1 + 0.05 * Math.sin((i + 1) / 300));
  return { openTime: T0 + i * BAR_MS, open, high: Math.max(open, close) + 5, low: Math.min(open, close) - 5, close, volume: 1 + (i % 7) };
});

test('the real symbol is its own series; any other symbol is a labelled stand-in', () => {
  expect(standInBars(real, REAL_SYMBOL)).toEqual(real);
  expect(isStandIn('ETHUSDT')).toBe(true);
  expect(standInLabel('ETHUSDT', real.length)).toMatch(/^ETHUSDT: STAND-IN \(BTCUSDT's real returns rotated by \d+ h, price x[0-9.e-]+; not ETHUSDT prices\)$/);
  expect(standInLabel(REAL_SYMBOL)).toMatch(/real/);
});

test('a stand-in keeps the real timeline and the real returns, rotated and re-levelled, continuous at the seam', () => {
  const spec = standInSpec('ETHUSDT', real.length);
  expect(spec.shiftMinutes).toBeGreaterThanOrEqual(24 * 60);
  expect(spec.shiftMinutes).toBeLessThan(real.length - 24 * 60 + 60);
  const bars = standInBars(real, 'ETHUSDT');
  expect(bars.map((b) => b.openTime)).toEqual(real.map((b) => b.openTime));
  expect(bars[0]!.open).toBeCloseTo(real[0]!.open * spec.priceScale, 6);
  for (let i = 1; i < bars.length; i++) {
    const j = (i + spec.shiftMinutes) % real.length;
    // Each bar's shape (close over open, high over open) is the real bar's it was taken from.
    expect(bars[i]!.close / bars[i]!.open).toBeCloseTo(real[j]!.close / real[j]!.open, 12);
    expect(bars[i]!.high / bars[i]!.open).toBeCloseTo(real[j]!.high / real[j]!.open, 12);
  }
  const seam = real.length - spec.shiftMinutes;
  expect(bars[seam]!.open).toBeCloseTo(bars[seam - 1]!.close, 6);
});

test('stand-ins are deterministic by name and differ between symbols', () => {
  expect(standInBars(real, 'SOLUSDT')).toEqual(standInBars(real, 'SOLUSDT'));
  expect(standInSpec('SOLUSDT', real.length)).not.toEqual(standInSpec('ETHUSDT', real.length));
});

test('a real series with a gap is refused', () => {
  expect(() => standInBars([real[0]!, real[2]!], 'ETHUSDT')).toThrow(/gap or disorder at 2023-03-01T00:02/);
});

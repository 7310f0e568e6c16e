/** The filters of stand-in symbols: BTCUSDT's scaled to the stand-in's price level. */
import { BTCUSDT_PERPETUAL } from '../../local-exchange/exchange-info';
import { defaultInstrument, standInInstrument } from '../../local-exchange/stand-in-instruments';
import { standInSpec } from '../../market-data/stand-in-bars';

describe('stand-in instruments', () => {
  it.each([
    [1, '0.10', '0.001', '120', '556.80'],
    [0.1, '0.010', '0.01', '1200', '55.680'],
    [0.01, '0.0010', '0.1', '12000', '5.5680'],
    [0.001, '0.00010', '1', '120000', '0.55680'],
  ])('at price scale %s: tick %s, step %s, market max %s, min price %s', (scale, tick, step, marketMax, minPrice) => {
    const spec = standInInstrument('XYZUSDT', scale);
    expect(spec).toMatchObject({ symbol: 'XYZUSDT', baseAsset: 'XYZ', quoteAsset: 'USDT', tickSize: tick, stepSize: step, minQty: step });
    expect(spec).toMatchObject({ marketMaxQty: marketMax, minPrice, minNotional: BTCUSDT_PERPETUAL.minNotional });
    // The same notional in USDT whatever the level: the max quantity times the price scale is BTCUSDT's.
    expect(Number(spec.marketMaxQty) * scale).toBeCloseTo(Number(BTCUSDT_PERPETUAL.marketMaxQty), 9);
  });

  it("lists BTCUSDT's own spec and derives the others from the stand-in's price scale", () => {
    expect(defaultInstrument('BTCUSDT')).toBe(BTCUSDT_PERPETUAL);
    expect(standInSpec('ETHUSDT', 1).priceScale).toBe(0.01);
    expect(defaultInstrument('ETHUSDT')).toMatchObject({ tickSize: '0.0010', stepSize: '0.1' });
  });

  it('refuses a scale that is not a stand-in level and a symbol that is not a USDT perpetual', () => {
    expect(() => standInInstrument('ETHUSDT', 0.5)).toThrow(/one of 1, 0.1, 0.01, 0.001/);
    expect(() => standInInstrument('ETHBTC', 0.01)).toThrow(/USDT perpetual/);
  });
});

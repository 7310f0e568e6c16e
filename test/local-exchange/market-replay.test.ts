import { BAR_MS } from '../../domain/bars';
import { MarketReplay } from '../../local-exchange/market-replay';
import { makeBars } from './fixtures';

describe('MarketReplay', () => {
  const bars = makeBars(10);

  it('runs its clock on the replayed market: the open time of the bar in progress', () => {
    const replay = new MarketReplay(bars, 3);
    expect(replay.clock()).toBe(bars[3]!.openTime);
    expect(replay.clock(90_000)).toBe(bars[3]!.openTime + BAR_MS - 1);
    // The market trades at the open of the bar in progress: a market order sent after a close meets it.
    expect(replay.lastPrice()).toBe(bars[3]!.open);
    expect(replay.release()).toEqual(bars[3]);
    expect(replay.clock()).toBe(bars[4]!.openTime);
  });

  it('serves only closed bars, selected like Binance /klines', () => {
    const replay = new MarketReplay(bars, 6);
    expect(replay.klines({ limit: 500 })).toEqual(bars.slice(0, 6));
    expect(replay.klines({ limit: 2 })).toEqual(bars.slice(4, 6));
    expect(replay.klines({ startTime: bars[1]!.openTime + 1, limit: 2 })).toEqual(bars.slice(2, 4));
    expect(replay.klines({ endTime: bars[3]!.openTime, limit: 2 })).toEqual(bars.slice(2, 4));
    expect(replay.klines({ startTime: bars[5]!.openTime, endTime: bars[9]!.openTime, limit: 10 })).toEqual([bars[5]]);
  });

  it('rewrites only bars not yet replayed in a regime change, keeping the path continuous', () => {
    const replay = new MarketReplay(bars, 5);
    expect(() => replay.applyRegimeChange({ fromIndex: 4, volatilityMultiplier: 2 })).toThrow(/not yet replayed/);
    replay.applyRegimeChange({ fromIndex: 5, volumeMultiplier: 3, volatilityMultiplier: 2 });
    const changed = replay.inProgress()!;
    expect(changed.volume).toBeCloseTo(bars[5]!.volume * 3, 10);
    // The open's move from the previous close doubles (log return x2).
    const move = Math.log(bars[5]!.open / bars[4]!.close);
    expect(Math.log(changed.open / bars[4]!.close)).toBeCloseTo(2 * move, 6);
    expect(replay.klines({ limit: 5 })).toEqual(bars.slice(0, 5));
  });
});

import { alignShadowBars, shadowVerdict, type ShadowBar } from '../../model/shadow-score';

const MIN = 60_000;
const T0 = 1_677_801_600_000; // 2023-03-03 00:00 UTC

/** Bars whose realised returns are `realised`; each model's prediction is the return plus its own error. */
function bars(realised: readonly number[], championError: readonly number[], challengerError: readonly number[]): ShadowBar[] {
  return realised.map((y, i) => ({ openTime: T0 + i * MIN, realised: y, champion: y + championError[i]!, challenger: y + challengerError[i]! }));
}

describe('alignShadowBars', () => {
  it('scores a bar only when both models predicted it and the close H minutes later is stored', () => {
    const horizon = 2;
    const closes = [100, 101, 102, 99, 98].map((value, i) => ({ openTime: T0 + i * MIN, value }));
    const champion = [0, 1, 2, 3].map((i) => ({ openTime: T0 + i * MIN, value: 0.001 * i }));
    // The challenger missed bar 0; bar 3 has no close at 3 + 2 = 5 yet.
    const challenger = [3, 2, 1].map((i) => ({ openTime: T0 + i * MIN, value: -0.001 * i }));
    const aligned = alignShadowBars({ champion, challenger, closes, horizon });
    expect(aligned.map((b) => b.openTime)).toEqual([T0 + MIN, T0 + 2 * MIN]);
    expect(aligned[0]).toEqual({ openTime: T0 + MIN, champion: 0.001, challenger: -0.001, realised: 99 / 101 - 1 });
    expect(aligned[1]!.realised).toBeCloseTo(98 / 102 - 1, 15);
  });
});

describe('shadowVerdict', () => {
  const realised = [0.002, -0.001, 0.0005, -0.003, 0.001];
  const rule = { icMargin: 0.05, minBars: 5 };

  it('promotes a challenger with a lower RMSE and an IC no worse than the margin allows', () => {
    const score = shadowVerdict(bars(realised, [0.002, -0.002, 0.002, -0.002, 0.002], [0.0005, -0.0005, 0.0005, -0.0005, 0.0005]), rule);
    expect(score.verdict).toBe('promote');
    expect(score.n).toBe(5);
    expect(score.challenger!.rmse).toBeLessThan(score.champion!.rmse);
    expect(score.reason).toMatch(/over 5 bars/);
  });

  it('keeps the champion when the RMSE is not strictly lower (a tie is not an improvement)', () => {
    const same = [0.001, -0.001, 0.001, -0.001, 0.001];
    const score = shadowVerdict(bars(realised, same, same), rule);
    expect(score.challenger!.rmse).toBe(score.champion!.rmse);
    expect(score).toMatchObject({ verdict: 'reject', reason: expect.stringMatching(/RMSE .* is not below/) });
  });

  it('rejects a lower RMSE bought with a worse ranking of the returns', () => {
    // Champion: predicts 3y, large errors but the returns' exact ranking (IC 1). Challenger: near-zero
    // predictions (smaller errors) in the wrong order.
    const realisedSpread = [0.004, -0.002, 0.001, -0.004, 0.002];
    const championErr = realisedSpread.map((y) => 2 * y);
    const challengerPred = [-0.0002, 0.0002, -0.0001, 0.0001, 0.0003];
    const b = realisedSpread.map((y, i) => ({ openTime: T0 + i * MIN, realised: y, champion: y + championErr[i]!, challenger: challengerPred[i]! }));
    const score = shadowVerdict(b, rule);
    expect(score.champion!.ic).toBeCloseTo(1, 12);
    expect(score.challenger!.rmse).toBeLessThan(score.champion!.rmse);
    expect(score).toMatchObject({ verdict: 'reject', reason: expect.stringMatching(/IC .* more than 0.05 below/) });
    // A wide enough margin lets the same challenger through.
    expect(shadowVerdict(b, { ...rule, icMargin: 5 }).verdict).toBe('promote');
  });

  it('rejects when fewer bars than the shadow length could be scored, and when none could', () => {
    const good = bars(realised, [0.002, -0.002, 0.002, -0.002, 0.002], [0, 0, 0, 0, 0]);
    expect(shadowVerdict(good.slice(0, 3), rule)).toMatchObject({ verdict: 'reject', n: 3, reason: 'only 3 of the 5 shadow bars could be scored' });
    expect(shadowVerdict([], rule)).toMatchObject({ verdict: 'reject', n: 0, champion: null, challenger: null });
  });
});

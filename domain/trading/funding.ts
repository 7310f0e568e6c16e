/**
 * Funding of perpetual futures (docs/strategy.md "Funding"): a position open when funding time F arrives pays
 * `qty x mark_F x rate_F` when LONG and receives it when SHORT. The backtest and the paper bot apply it at the
 * open of the bar opening at F, before that bar's pending fill; only funding times at which a bar opens count.
 * Funding moves cash (so equity and the kill switch see it) and is recorded on the position, then on its trade.
 */
import { BAR_MS, type Bar } from '../bars';
import type { EngineEvent } from './events';
import { direction } from './pricing';
import type { Position, TraderState } from './state';

/** One settled funding: time (Unix ms, floored to its minute by `fundingMinute`), rate (0.0001 = 0.01 %), mark price if known. */
export interface FundingRate {
  readonly time: number;
  readonly rate: number;
  /** The mark price at the funding time; absent or null: the open of the bar opening at that time. */
  readonly markPrice?: number | null;
}

export interface FundingApplied {
  readonly state: TraderState;
  readonly events: readonly EngineEvent[];
}

/** Binance's funding records can carry a few milliseconds past the hour: a funding time counts in its minute. */
export function fundingMinute(time: number): number {
  return Math.floor(time / BAR_MS) * BAR_MS;
}

/** What the position pays at one funding (positive = paid): `direction x qty x mark x rate`. */
export function fundingPayment(position: Pick<Position, 'side' | 'qty'>, rate: number, markPrice: number): number {
  return direction(position.side) * position.qty * markPrice * rate;
}

/**
 * Books a funding amount (positive = paid) on the cash and, when a position is open, on its funding. The live
 * bot books the exchange's own funding (income history) through this; `applyFunding` computes the amount itself.
 */
export function payFunding(state: TraderState, amount: number): TraderState {
  if (amount === 0) return state;
  const position = state.position === null ? null : { ...state.position, funding: (state.position.funding ?? 0) + amount };
  return { ...state, cash: state.cash - amount, position };
}

/**
 * The funding due at the open of `bar` (the series' entry for the minute the bar opens, or null): applied before
 * the bar's pending fill, so a position closed at this open still pays and one opened at it does not.
 */
export function applyFunding(state: TraderState, bar: Bar, funding: FundingRate | null | undefined): FundingApplied {
  if (funding === null || funding === undefined) return { state, events: [] };
  if (fundingMinute(funding.time) !== bar.openTime) {
    throw new Error(`applyFunding: funding time ${funding.time} is not in the minute of bar ${bar.openTime}`);
  }
  const mark = funding.markPrice ?? bar.open;
  if (!Number.isFinite(funding.rate) || !Number.isFinite(mark) || mark <= 0) {
    throw new Error(`applyFunding: invalid funding at ${funding.time}: rate ${funding.rate}, mark price ${mark}`);
  }
  if (state.position === null) return { state, events: [] };
  const amount = fundingPayment(state.position, funding.rate, mark);
  return {
    state: payFunding(state, amount),
    events: [{ type: 'funding', time: bar.openTime, rate: funding.rate, markPrice: mark, amount }],
  };
}

/** The series by funding minute; two entries in one minute are an error (the series is ambiguous). */
export function fundingByMinute(series: readonly FundingRate[]): ReadonlyMap<number, FundingRate> {
  const byMinute = new Map<number, FundingRate>();
  for (const f of series) {
    const minute = fundingMinute(f.time);
    if (byMinute.has(minute)) throw new Error(`funding series: two entries in the minute ${minute} (${byMinute.get(minute)!.time} and ${f.time})`);
    byMinute.set(minute, f);
  }
  return byMinute;
}

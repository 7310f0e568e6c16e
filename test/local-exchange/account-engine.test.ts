import type { Bar } from '../../domain/bars';
import { AccountEngine, fillPriceInBar } from '../../local-exchange/account-engine';
import { BinanceApiError } from '../../local-exchange/binance-errors';
import { BTCUSDT_PERPETUAL } from '../../local-exchange/exchange-info';

const T = 1_677_628_800_000;
const FEE = 0.0004;

function engine(overrides: { startingBalance?: number; leverage?: number; slippageBps?: number } = {}) {
  return new AccountEngine({
    spec: BTCUSDT_PERPETUAL,
    startingBalance: overrides.startingBalance ?? 10_000,
    takerFeeRate: FEE,
    slippageBps: overrides.slippageBps ?? 0,
    leverage: overrides.leverage ?? 20,
    fundedAt: T,
  });
}

const bar = (open: number, high: number, low: number, close: number): Bar => ({ openTime: T + 60_000, open, high, low, close, volume: 1 });

/** The Binance error code a call fails with. */
function codeOf(call: () => unknown): number | undefined {
  try {
    call();
  } catch (e) {
    if (e instanceof BinanceApiError) return e.code;
    throw e;
  }
  return undefined;
}

describe('AccountEngine: market orders', () => {
  it('fills at the given price, charges the taker fee and realises PnL on close', () => {
    const account = engine();
    account.placeMarketOrder({ side: 'BUY', quantity: 0.05, reduceOnly: false }, 20_000, T);
    const open = account.state(20_000);
    expect(open.positionSteps).toBe(50);
    expect(open.entryPrice).toBe(20_000);
    expect(open.walletBalance).toBeCloseTo(10_000 - 0.05 * 20_000 * FEE, 8);

    const close = account.placeMarketOrder({ side: 'SELL', quantity: 0.05, reduceOnly: true }, 20_400, T + 60_000);
    expect(close.realizedPnl).toBeCloseTo(0.05 * 400, 8);
    const flat = account.state(20_400);
    expect(flat.positionSteps).toBe(0);
    expect(flat.walletBalance).toBeCloseTo(10_000 + 0.05 * 400 - 0.05 * 20_000 * FEE - 0.05 * 20_400 * FEE, 8);
  });

  it('averages the entry when adding and keeps it when reducing', () => {
    const account = engine();
    account.placeMarketOrder({ side: 'SELL', quantity: 0.01, reduceOnly: false }, 20_000, T);
    account.placeMarketOrder({ side: 'SELL', quantity: 0.03, reduceOnly: false }, 21_000, T);
    expect(account.state(21_000).entryPrice).toBeCloseTo((0.01 * 20_000 + 0.03 * 21_000) / 0.04, 8);
    account.placeMarketOrder({ side: 'BUY', quantity: 0.02, reduceOnly: true }, 20_500, T);
    const state = account.state(20_500);
    expect(state.positionSteps).toBe(-20);
    expect(state.entryPrice).toBeCloseTo(20_750, 8);
  });

  it('moves fills against the trader by the slippage', () => {
    const account = engine({ slippageBps: 10 });
    expect(account.placeMarketOrder({ side: 'BUY', quantity: 0.01, reduceOnly: false }, 20_000, T).avgPrice).toBeCloseTo(20_020, 8);
    expect(account.placeMarketOrder({ side: 'SELL', quantity: 0.01, reduceOnly: true }, 20_000, T).avgPrice).toBeCloseTo(19_980, 8);
  });

  it('applies the exchange filters and order rules with Binance codes', () => {
    const account = engine();
    expect(codeOf(() => account.placeMarketOrder({ side: 'BUY', quantity: 0.0015, reduceOnly: false }, 20_000, T))).toBe(-1111);
    expect(codeOf(() => account.placeMarketOrder({ side: 'BUY', quantity: 0.004, reduceOnly: false }, 20_000, T))).toBe(-4164);
    expect(codeOf(() => account.placeMarketOrder({ side: 'BUY', quantity: 121, reduceOnly: false }, 20_000, T))).toBe(-4005);
    expect(codeOf(() => account.placeMarketOrder({ side: 'SELL', quantity: 0.01, reduceOnly: true }, 20_000, T))).toBe(-2022);
    expect(codeOf(() => account.placeMarketOrder({ side: 'BUY', quantity: 0.01, reduceOnly: false, clientOrderId: 'has space' }, 20_000, T))).toBe(-1100);

    account.placeMarketOrder({ side: 'BUY', quantity: 0.01, reduceOnly: false, clientOrderId: 'entry-1' }, 20_000, T);
    expect(codeOf(() => account.placeMarketOrder({ side: 'BUY', quantity: 0.01, reduceOnly: false, clientOrderId: 'entry-1' }, 20_000, T))).toBe(-4116);
  });

  it('shrinks a reduce-only order to the position', () => {
    const account = engine();
    account.placeMarketOrder({ side: 'BUY', quantity: 0.01, reduceOnly: false }, 20_000, T);
    const order = account.placeMarketOrder({ side: 'SELL', quantity: 0.5, reduceOnly: true }, 20_000, T);
    expect(order.executedQtySteps).toBe(10);
    expect(account.state(20_000).positionSteps).toBe(0);
  });

  it('refuses exposure beyond the margin at the leverage, but not a notional equal to the equity at 1x', () => {
    const account = engine({ startingBalance: 1_000, leverage: 1 });
    expect(codeOf(() => account.placeMarketOrder({ side: 'BUY', quantity: 0.051, reduceOnly: false }, 20_000, T))).toBe(-2019);
    // Exactly the equity: Binance checks margin before the fee is charged.
    account.placeMarketOrder({ side: 'BUY', quantity: 0.05, reduceOnly: false }, 20_000, T);
    expect(account.state(20_000).positionSteps).toBe(50);
  });
});

describe('AccountEngine: conditional orders', () => {
  it('triggers at the stop price inside a bar, or at the open when the bar gaps through it', () => {
    const stop = { orderType: 'STOP_MARKET', side: 'SELL', triggerPrice: 19_800 } as const;
    expect(fillPriceInBar(stop, bar(19_900, 19_950, 19_850, 19_900))).toBeUndefined();
    expect(fillPriceInBar(stop, bar(19_900, 19_950, 19_700, 19_750))).toBe(19_800);
    expect(fillPriceInBar(stop, bar(19_600, 19_700, 19_500, 19_650))).toBe(19_600);
    const takeProfit = { orderType: 'TAKE_PROFIT_MARKET', side: 'SELL', triggerPrice: 20_600 } as const;
    expect(fillPriceInBar(takeProfit, bar(20_500, 20_650, 20_450, 20_500))).toBe(20_600);
    expect(fillPriceInBar(takeProfit, bar(20_700, 20_750, 20_650, 20_700))).toBe(20_700);
  });

  it('closes the position at the stop, stop first when one bar touches both, and expires the take-profit', () => {
    const account = engine();
    account.placeMarketOrder({ side: 'BUY', quantity: 0.02, reduceOnly: false }, 20_000, T);
    const tp = account.placeConditionalOrder(
      { side: 'SELL', type: 'TAKE_PROFIT_MARKET', triggerPrice: 20_600, reduceOnly: false, closePosition: true, clientAlgoId: 'tp-1' },
      20_000,
      T,
    );
    const sl = account.placeConditionalOrder(
      { side: 'SELL', type: 'STOP_MARKET', quantity: 0.02, triggerPrice: 19_800, reduceOnly: true, closePosition: false, clientAlgoId: 'sl-1' },
      20_000,
      T,
    );

    const fills = account.onBar(bar(20_000, 20_700, 19_700, 20_100), T + 60_000);

    expect(fills.map((f) => [f.origType, f.avgPrice, f.clientOrderId])).toEqual([['STOP_MARKET', 19_800, 'sl-1']]);
    expect(account.findConditionalOrder({ algoId: sl.algoId })?.status).toBe('FINISHED');
    expect(account.findConditionalOrder({ algoId: tp.algoId })?.status).toBe('EXPIRED');
    const state = account.state(20_100);
    expect(state.positionSteps).toBe(0);
    expect(state.walletBalance).toBeCloseTo(10_000 - 0.02 * 200 - 0.02 * 20_000 * FEE - 0.02 * 19_800 * FEE, 8);
  });

  it('refuses a trigger the last price has already reached, and off-tick triggers', () => {
    const account = engine();
    account.placeMarketOrder({ side: 'BUY', quantity: 0.01, reduceOnly: false }, 20_000, T);
    const sell = (triggerPrice: number) => () =>
      account.placeConditionalOrder({ side: 'SELL', type: 'STOP_MARKET', quantity: 0.01, triggerPrice, reduceOnly: true, closePosition: false }, 20_000, T);
    expect(codeOf(sell(20_000))).toBe(-2021);
    expect(codeOf(sell(19_900.05))).toBe(-4014);
    expect(codeOf(sell(19_900.1))).toBeUndefined();
  });

  it('expires reduce-only orders when the position is closed by a market order', () => {
    const account = engine();
    account.placeMarketOrder({ side: 'SELL', quantity: 0.01, reduceOnly: false }, 20_000, T);
    const stop = account.placeConditionalOrder({ side: 'BUY', type: 'STOP_MARKET', triggerPrice: 20_200, reduceOnly: false, closePosition: true }, 20_000, T);
    account.placeMarketOrder({ side: 'BUY', quantity: 0.01, reduceOnly: true }, 20_050, T + 60_000);
    expect(account.findConditionalOrder({ algoId: stop.algoId })?.status).toBe('EXPIRED');
    expect(account.openAlgoOrders()).toEqual([]);
    expect(account.onBar(bar(20_300, 20_400, 20_250, 20_350), T + 120_000)).toEqual([]);
  });
});

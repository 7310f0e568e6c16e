/**
 * @jest-environment ./test/local-exchange/ccxt-environment.ts
 *
 * The local exchange listing several symbols at once (`markets`), through the real ccxt clients: each symbol its
 * own instrument, bars, orders, position and funding, on one clock and one wallet (the kline streams are in
 * multi-symbol-stream.test.ts).
 */
import type { Bar } from '../../domain/bars';
import { LocalExchange } from '../../local-exchange/local-exchange';
import { standInBars } from '../../market-data/stand-in-bars';
import { ccxtModule, makeBars, ohlcvOf, restClient, T0 } from './fixtures';

const ccxt = ccxtModule();
const START = 20;
const FEE = 0.0004;
const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT'; // stand-in at 1/100 of BTCUSDT's price level
const ADA = 'ADA/USDT:USDT'; // stand-in at 1/1000

describe('local exchange with several symbols', () => {
  let btc: Bar[];
  let eth: Bar[];
  let ada: Bar[];
  let exchange: LocalExchange;
  let client: ReturnType<typeof restClient>;

  async function start(btcOverrides: Parameters<typeof makeBars>[1] = {}, ethOverrides: Record<number, Partial<Bar>> = {}) {
    btc = makeBars(40, btcOverrides);
    const real = makeBars(40);
    eth = standInBars(real, 'ETHUSDT').map((b, i) => ({ ...b, ...ethOverrides[i] }));
    ada = standInBars(real, 'ADAUSDT');
    exchange = await LocalExchange.start({
      startIndex: START,
      log: process.env['LOCAL_EXCHANGE_LOG'] === '1' ? (line) => console.log(line) : undefined,
      markets: [
        { symbol: 'BTCUSDT', bars: btc },
        { symbol: 'ETHUSDT', bars: eth },
        { symbol: 'ADAUSDT', bars: ada },
      ],
    });
    client = restClient(exchange);
    client.enableRateLimit = false; // ccxt's weights (30 for income) would add seconds of waiting
    await client.loadMarkets();
  }

  afterEach(async () => {
    await client?.close();
    await exchange?.stop();
  });

  it('lists every symbol with its own filters, scaled to its price level', async () => {
    await start();
    expect(client.symbols).toEqual(expect.arrayContaining([BTC, ETH, ADA]));
    expect(client.market(BTC).precision).toMatchObject({ price: 0.1, amount: 0.001 });
    expect(client.market(ETH).precision).toMatchObject({ price: 0.001, amount: 0.1 });
    expect(client.market(ADA).precision).toMatchObject({ price: 0.0001, amount: 1 });
    expect(client.market(ADA).limits.amount?.min).toBe(1);
    for (const symbol of [BTC, ETH, ADA]) expect(client.market(symbol).limits.cost?.min).toBe(100);
    expect(client.amountToPrecision(ETH, 1.29)).toBe('1.2');
    expect(exchange.symbols).toEqual(['BTCUSDT', 'ETHUSDT', 'ADAUSDT']);
  });

  it("serves each symbol's own bars, closing them all at the same instant", async () => {
    await start();
    expect(await client.fetchOHLCV(BTC, '1m', undefined, 3)).toEqual(btc.slice(START - 3, START).map(ohlcvOf));
    expect(await client.fetchOHLCV(ETH, '1m', undefined, 3)).toEqual(eth.slice(START - 3, START).map(ohlcvOf));
    expect(await client.fetchOHLCV(ADA, '1m', undefined, 3)).toEqual(ada.slice(START - 3, START).map(ohlcvOf));
    expect(eth[START - 1]!.close).not.toBe(btc[START - 1]!.close);
    exchange.advance(1);
    for (const [symbol, bars] of [
      [BTC, btc],
      [ETH, eth],
      [ADA, ada],
    ] as const) {
      expect((await client.fetchOHLCV(symbol, '1m', undefined, 1))[0]).toEqual(ohlcvOf(bars[START]!));
      expect((await client.fetchTicker(symbol)).last).toBe(bars[START + 1]!.open);
    }
  });

  it("changes one symbol's regime only (admin API)", async () => {
    await start();
    const res = await fetch(`${exchange.baseUrl}/__admin/regime`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'ETHUSDT', fromIndex: START, volumeMultiplier: 3 }),
    });
    expect(res.status).toBe(200);
    exchange.advance(1);
    expect((await client.fetchOHLCV(ETH, '1m', undefined, 1))[0]?.[5]).toBe(eth[START]!.volume * 3);
    expect((await client.fetchOHLCV(BTC, '1m', undefined, 1))[0]?.[5]).toBe(btc[START]!.volume);
    const unknown = await fetch(`${exchange.baseUrl}/__admin/income`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'FUNDING_FEE', amount: 1, symbol: 'XRPUSDT' }),
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'unknown symbol XRPUSDT: the exchange lists BTCUSDT, ETHUSDT, ADAUSDT' });
  });

  it('keeps one position per symbol on one wallet, whose margin covers them all', async () => {
    await start();
    await client.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'btc-1' });
    await client.createOrder(ETH, 'market', 'sell', 1, undefined, { clientOrderId: 'eth-1' });
    const handTrade = await fetch(`${exchange.baseUrl}/__admin/trade`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'ADAUSDT', side: 'BUY', quantity: 10 }),
    });
    expect(handTrade.status).toBe(200);

    const positions = await client.fetchPositions();
    const bySymbol: Record<string, { side?: string; contracts?: number; entryPrice?: number }> = {};
    for (const p of positions) bySymbol[String(p.symbol)] = { side: p.side, contracts: p.contracts, entryPrice: p.entryPrice };
    expect(bySymbol[BTC]).toMatchObject({ side: 'long', contracts: 0.01, entryPrice: btc[START]!.open });
    // Stand-in prices are not on a tick: fills are reported to 8 decimals.
    expect(bySymbol[ETH]).toMatchObject({ side: 'short', contracts: 1 });
    expect(bySymbol[ETH]?.entryPrice).toBeCloseTo(eth[START]!.open, 7);
    expect(bySymbol[ADA]).toMatchObject({ side: 'long', contracts: 10 });
    expect(bySymbol[ADA]?.entryPrice).toBeCloseTo(ada[START]!.open, 7);
    const fees = (0.01 * btc[START]!.open + 1 * eth[START]!.open + 10 * ada[START]!.open) * FEE;
    let balance = await client.fetchBalance();
    expect(balance.USDT?.total).toBeCloseTo(10_000 - fees, 6);
    expect(balance.USDT?.used).toBeCloseTo((0.01 * btc[START]!.open + eth[START]!.open + 10 * ada[START]!.open) / 20, 6);

    exchange.advance(1);
    const pnl = 0.01 * (btc[START + 1]!.open - btc[START]!.open) - (eth[START + 1]!.open - eth[START]!.open) + 10 * (ada[START + 1]!.open - ada[START]!.open);
    balance = await client.fetchBalance();
    expect(balance.USDT?.total).toBeCloseTo(10_000 - fees + pnl, 6);
    expect(exchange.accountTotals().unrealizedPnl).toBeCloseTo(pnl, 8);

    // 150k of BTC at 20x takes 7.5k of the ~10k wallet: 60k more of ETH fits alone, not on top of it.
    await client.createOrder(BTC, 'market', 'buy', 7.5);
    await expect(client.createOrder(ETH, 'market', 'buy', 300)).rejects.toThrow(/-2019/);
    expect(exchange.account('ETHUSDT').positionSteps).toBe(-10);
    await client.createOrder(BTC, 'market', 'sell', 7.5, undefined, { reduceOnly: true });
    await client.createOrder(ETH, 'market', 'buy', 300);
    expect(exchange.account('ETHUSDT').positionSteps).toBe(2990);
  });

  it('sets leverage and margin type per symbol', async () => {
    await start();
    await client.setLeverage(5, ETH);
    await client.setMarginMode('isolated', ADA);
    const state = exchange.state() as { markets: Record<string, { leverage: number; marginType: string }> };
    expect(state.markets).toMatchObject({
      BTCUSDT: { leverage: 20, marginType: 'CROSSED' },
      ETHUSDT: { leverage: 5, marginType: 'CROSSED' },
      ADAUSDT: { leverage: 20, marginType: 'ISOLATED' },
    });
    const risk = (await client.fapiPrivateV2GetPositionRisk({})) as { symbol: string; leverage: string; marginType: string }[];
    expect(risk.map((r) => [r.symbol, r.leverage, r.marginType])).toEqual([
      ['BTCUSDT', '20', 'cross'],
      ['ETHUSDT', '5', 'cross'],
      ['ADAUSDT', '20', 'isolated'],
    ]);
    // An ETHUSDT position at 5x takes a fifth of its notional; BTCUSDT's leverage is untouched.
    await client.createOrder(ETH, 'market', 'buy', 1);
    expect((await client.fetchBalance()).USDT?.used).toBeCloseTo(eth[START]!.open / 5, 6);
  });

  it("sets an isolated position's margin aside on the shared wallet, its PnL and liquidation its own", async () => {
    await start();
    await client.setMarginMode('isolated', ETH);
    await client.setLeverage(10, ETH);
    await client.createOrder(ETH, 'market', 'buy', 10);
    await client.createOrder(BTC, 'market', 'buy', 0.01);
    const entry = eth[START]!.open;
    const isolatedWallet = (10 * entry) / 10;
    type Risk = { isolatedWallet: string; isolatedMargin: string; liquidationPrice: string };
    const [risk] = (await client.fapiPrivateV3GetPositionRisk({ symbol: 'ETHUSDT' })) as Risk[];
    expect(Number(risk?.isolatedWallet)).toBeCloseTo(isolatedWallet, 6);
    // Binance's isolated long: (notional - margin - cum) / (qty (1 - mmr)), from BTCUSDT's first tier (0.4 %, cum 0).
    expect(Number(risk?.liquidationPrice)).toBeCloseTo((10 * entry - isolatedWallet) / (10 * (1 - 0.004)), 6);

    exchange.advance(1);
    const fees = (10 * entry + 0.01 * btc[START]!.open) * FEE;
    const btcMark = btc[START + 1]!.open;
    const ethPnl = 10 * (eth[START + 1]!.open - entry);
    const btcPnl = 0.01 * (btcMark - btc[START]!.open);
    const balance = await client.fetchBalance();
    // Available: the wallet less the isolated wallet and BTCUSDT's cross margin net of its PnL; ETHUSDT's PnL
    // stays inside its isolated margin, while the wallet's total counts both.
    expect(balance.USDT?.free).toBeCloseTo(10_000 - fees - isolatedWallet - ((0.01 * btcMark) / 20 - btcPnl), 6);
    expect(exchange.accountTotals().marginBalance).toBeCloseTo(10_000 - fees + ethPnl + btcPnl, 6);
    const [marked] = (await client.fapiPrivateV3GetPositionRisk({ symbol: 'ETHUSDT' })) as Risk[];
    expect(Number(marked?.isolatedMargin)).toBeCloseTo(isolatedWallet + ethPnl, 6);
  });

  it("triggers a symbol's stop only on that symbol's bars", async () => {
    // BTCUSDT dips through its stop at bar START+1; ETHUSDT dips through its own at START+3.
    const ethOpen = standInBars(makeBars(40), 'ETHUSDT')[START]!.open;
    const ethStop = Math.round(ethOpen * 0.99 * 1000) / 1000;
    await start({ [START + 1]: { low: 19_700 } }, { [START + 3]: { low: ethOpen * 0.95 } });
    await client.createOrder(BTC, 'market', 'buy', 0.01);
    await client.createOrder(ETH, 'market', 'buy', 1);
    await client.createOrder(BTC, 'market', 'sell', 0.01, undefined, { stopLossPrice: 19_800, reduceOnly: true, clientOrderId: 'btc-sl' });
    await client.createOrder(ETH, 'market', 'sell', 1, undefined, { stopLossPrice: ethStop, reduceOnly: true, clientOrderId: 'eth-sl' });
    client.options['warnOnFetchOpenOrdersWithoutSymbol'] = false;
    expect(await client.fetchOpenOrders(undefined, undefined, undefined, { trigger: true })).toHaveLength(2);

    exchange.advance(2);
    expect((await client.fetchPositions()).map((p) => p.symbol)).toEqual([ETH]);
    expect(await client.fetchOpenOrders(ETH, undefined, undefined, { trigger: true })).toHaveLength(1);
    expect(await client.fetchOrder('', BTC, { clientOrderId: 'btc-sl' })).toMatchObject({ status: 'closed', average: 19_800 });

    exchange.advance(2);
    expect(await client.fetchPositions()).toEqual([]);
    const ethFill = await client.fetchOrder('', ETH, { clientOrderId: 'eth-sl' });
    expect(ethFill).toMatchObject({ status: 'closed', average: ethStop, timestamp: eth[START + 3]!.openTime });
  });

  it("books and serves each symbol's funding", async () => {
    await start();
    exchange.bookIncome('FUNDING_FEE', -1.25, 'ETHUSDT');
    const viaAdmin = await fetch(`${exchange.baseUrl}/__admin/income`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'FUNDING_FEE', amount: 0.5, symbol: 'ADAUSDT' }),
    });
    expect(viaAdmin.status).toBe(200);
    expect((await client.fetchFundingHistory(ETH)).map((f) => [f.symbol, f.amount])).toEqual([[ETH, -1.25]]);
    expect((await client.fetchFundingHistory(ADA)).map((f) => [f.symbol, f.amount])).toEqual([[ADA, 0.5]]);
    expect(await client.fetchFundingHistory(BTC)).toEqual([]);
    expect((await client.fetchBalance()).USDT?.total).toBeCloseTo(10_000 - 1.25 + 0.5, 8);

    // Each symbol's (synthetic) funding-rate history, its mark price at the symbol's own level.
    const [btcRate] = await client.fetchFundingRateHistory(BTC, T0, 1);
    const [ethRate] = await client.fetchFundingRateHistory(ETH, T0, 1);
    expect(ethRate).toMatchObject({ symbol: ETH, timestamp: T0 });
    const mark = (r: typeof ethRate) => Number((r?.info as { markPrice: string }).markPrice);
    expect(mark(ethRate) / mark(btcRate)).toBeCloseTo(0.01, 3);
  });

  it("refuses an unknown symbol with Binance's -1121, and markets off one timeline at start", async () => {
    await start();
    const res = await fetch(`${exchange.baseUrl}/fapi/v1/klines?symbol=XRPUSDT&interval=1m`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    await expect(client.fapiPublicGetPremiumIndex({ symbol: 'XRPUSDT' })).rejects.toBeInstanceOf(ccxt.BadSymbol);
    await expect(client.fapiPrivatePostOrder({ symbol: 'XRPUSDT', side: 'BUY', type: 'MARKET', quantity: '1' })).rejects.toThrow(/-1121/);
    await expect(client.fapiPrivateGetLeverageBracket({ symbol: 'ETHUSDT' })).resolves.toMatchObject({ symbol: 'ETHUSDT' });

    const shifted = makeBars(41).slice(1);
    await expect(
      LocalExchange.start({
        markets: [
          { symbol: 'BTCUSDT', bars: makeBars(40) },
          { symbol: 'ETHUSDT', bars: shifted },
        ],
      }),
    ).rejects.toThrow(/one timeline: ETHUSDT's bar 0 opens at 2023-03-01T00:01:00.000Z, BTCUSDT's at 2023-03-01T00:00:00.000Z/);
    await expect(
      LocalExchange.start({
        markets: [
          { symbol: 'BTCUSDT', bars: makeBars(40) },
          { symbol: 'ETHUSDT', bars: makeBars(39) },
        ],
      }),
    ).rejects.toThrow(/ETHUSDT has 39 bars, BTCUSDT 40/);
  });
});

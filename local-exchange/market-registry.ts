/**
 * The symbols the local exchange lists, each with its own replay, instrument, funding series and account engine,
 * all on one market clock and one wallet (account-ledger.ts), as Binance's USD-M futures serve several symbols.
 *
 * The markets share one timeline: the same number of bars, bar i opening at the same time for every symbol, and
 * one start index, so one release closes every symbol's bar at the same instant. The single-symbol options
 * (`bars`, `instrument`, `funding`) are one market.
 */
import type { Bar } from '../domain/bars';
import { AccountEngine } from './account-engine';
import { AccountLedger } from './account-ledger';
import type { AccountTotals } from './account-types';
import { binanceErrors } from './binance-errors';
import type { InstrumentSpec } from './exchange-info';
import { FundingSeries, SYNTHETIC_FUNDING_SEED } from './funding-series';
import type { LocalExchangeOptions, MarketOptions } from './local-exchange-options';
import { MarketReplay } from './market-replay';
import { ResponseFormatter } from './rest-responses';
import { defaultInstrument } from './stand-in-instruments';

/** One listed symbol. */
export interface SymbolMarket {
  readonly symbol: string;
  readonly spec: InstrumentSpec;
  readonly replay: MarketReplay;
  readonly engine: AccountEngine;
  readonly format: ResponseFormatter;
  readonly funding: FundingSeries;
}

/** A bar one release closed, and whose it is. */
export interface ReleasedBar {
  readonly market: SymbolMarket;
  readonly bar: Bar;
}

export interface AccountSettings {
  readonly startingBalance: number;
  readonly takerFeeRate: number;
  readonly slippageBps: number;
  readonly leverage: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The account options with their defaults (10,000 USDT, 4 bps taker fee, no slippage, 20x). */
export function accountSettingsOf(options: LocalExchangeOptions): AccountSettings {
  return {
    startingBalance: options.startingBalance ?? 10_000,
    takerFeeRate: (options.takerFeeBps ?? 4) / 10_000,
    slippageBps: options.slippageBps ?? 0,
    leverage: options.leverage ?? 20,
  };
}

/** The options' markets: `markets`, or the single-symbol `bars` / `instrument` / `funding` as one. */
export function marketsOf(options: LocalExchangeOptions): readonly MarketOptions[] {
  if (options.markets !== undefined) {
    if (options.bars !== undefined || options.instrument !== undefined || options.funding !== undefined) {
      throw new Error('give either `markets` or the single-symbol `bars` / `instrument` / `funding`, not both');
    }
    if (options.markets.length === 0) throw new Error('`markets` needs at least one market');
    return options.markets;
  }
  if (options.bars === undefined) throw new Error('the local exchange needs `bars` (one symbol) or `markets` (several)');
  const symbol = options.instrument?.symbol ?? 'BTCUSDT';
  return [{ symbol, bars: options.bars, instrument: options.instrument, funding: options.funding }];
}

/** Refuses markets that do not share one timeline (bar i of every symbol opens at the same time). */
export function checkSameTimeline(markets: readonly MarketOptions[]): void {
  const [first, ...rest] = markets;
  if (first === undefined) return;
  for (const m of rest) {
    if (m.bars.length !== first.bars.length) {
      throw new Error(`markets must share one timeline: ${m.symbol} has ${m.bars.length} bars, ${first.symbol} ${first.bars.length}`);
    }
    const i = m.bars.findIndex((b, k) => b.openTime !== first.bars[k]!.openTime);
    if (i >= 0) {
      throw new Error(
        `markets must share one timeline: ${m.symbol}'s bar ${i} opens at ${iso(m.bars[i]!.openTime)}, ${first.symbol}'s at ${iso(first.bars[i]!.openTime)}`,
      );
    }
  }
}

// A per-symbol seed, so stand-ins' synthetic funding differs from BTCUSDT's (which keeps the historical seed).
function fundingSeed(symbol: string, single: boolean): number {
  if (single || symbol === 'BTCUSDT') return SYNTHETIC_FUNDING_SEED;
  let h = 0;
  for (let i = 0; i < symbol.length; i++) h = (Math.imul(h, 31) + symbol.charCodeAt(i)) >>> 0;
  return h;
}

export class MarketRegistry {
  readonly ledger: AccountLedger;
  private readonly bySymbol = new Map<string, SymbolMarket>();
  private readonly ordered: SymbolMarket[] = [];

  constructor(markets: readonly MarketOptions[], startIndex: number, account: AccountSettings, log: (line: string) => void) {
    const seen = new Set<string>();
    for (const m of markets) {
      if (!/^[A-Z0-9]{2,30}$/.test(m.symbol)) throw new Error(`market symbol must be a Binance symbol like ETHUSDT, got "${m.symbol}"`);
      if (seen.has(m.symbol)) throw new Error(`market ${m.symbol} is listed twice`);
      if (m.instrument !== undefined && m.instrument.symbol !== m.symbol) {
        throw new Error(`market ${m.symbol} has the instrument of ${m.instrument.symbol}`);
      }
      seen.add(m.symbol);
    }
    checkSameTimeline(markets);
    const replays = markets.map((m) => new MarketReplay(m.bars, startIndex));
    this.ledger = new AccountLedger(account.startingBalance, replays[0]!.clock());
    const single = markets.length === 1;
    markets.forEach((m, i) => {
      const replay = replays[i]!;
      const spec = m.instrument ?? defaultInstrument(m.symbol);
      const config = { ...account, spec, fundedAt: replay.clock() };
      const engine = new AccountEngine(config, { ledger: this.ledger, markPrice: () => replay.lastPrice() });
      const funding = m.funding === undefined ? FundingSeries.synthetic(m.bars, fundingSeed(m.symbol, single)) : FundingSeries.given(m.funding);
      if (funding.origin === 'synthetic') {
        log(`funding${single ? '' : ` of ${m.symbol}`}: a SYNTHETIC 8-hourly series of ${funding.length} rates (no funding series given)`);
      }
      const market: SymbolMarket = { symbol: m.symbol, spec, replay, engine, format: new ResponseFormatter(spec, engine), funding };
      this.bySymbol.set(m.symbol, market);
      this.ordered.push(market);
    });
  }

  /** The first market given (the default of every symbol-less operation). */
  get first(): SymbolMarket {
    return this.ordered[0]!;
  }

  get symbols(): string[] {
    return this.ordered.map((m) => m.symbol);
  }

  list(): readonly SymbolMarket[] {
    return this.ordered;
  }

  get(symbol: string): SymbolMarket | undefined {
    return this.bySymbol.get(symbol);
  }

  /** The market of `symbol`, or Binance's -1121 Invalid symbol. */
  require(symbol: string): SymbolMarket {
    const market = this.bySymbol.get(symbol);
    if (market === undefined) throw binanceErrors.invalidSymbol();
    return market;
  }

  /** The market of `symbol` (default: the first), or an Error naming the listed symbols (admin operations). */
  pick(symbol: string | undefined): SymbolMarket {
    if (symbol === undefined) return this.first;
    const market = this.bySymbol.get(symbol);
    if (market === undefined) throw new Error(`unknown symbol ${symbol}: the exchange lists ${this.symbols.join(', ')}`);
    return market;
  }

  /** The shared clock (every replay is on the same timeline). */
  get clockReplay(): MarketReplay {
    return this.first.replay;
  }

  /** Closes the bar in progress of every symbol (nothing once the replay has ended). */
  release(): ReleasedBar[] {
    const released: ReleasedBar[] = [];
    for (const market of this.ordered) {
      const bar = market.replay.release();
      if (bar !== undefined) released.push({ market, bar });
    }
    return released;
  }

  /** The whole account: one wallet, every position at its own market's last price. */
  totals(): AccountTotals {
    return this.ledger.totals();
  }
}

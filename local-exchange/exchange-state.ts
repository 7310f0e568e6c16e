// GET /__admin/state (and LocalExchange.state()): the replay clock, the account, faults and connections. The
// top-level figures are the first symbol's (what single-symbol callers read); `markets` has every symbol's.
import type { FaultSnapshot } from './fault-injector';
import type { KlineStreamServer } from './kline-stream';
import type { MarketRegistry } from './market-registry';

export interface StateSources {
  readonly markets: MarketRegistry;
  readonly serverTime: number;
  readonly replayRunning: boolean;
  readonly speed: number;
  readonly dualSidePosition: boolean;
  readonly faults: FaultSnapshot;
  readonly streams: KlineStreamServer;
}

export function exchangeState(s: StateSources): Record<string, unknown> {
  const first = s.markets.first;
  const replay = first.replay;
  const markets = Object.fromEntries(
    s.markets.list().map((m) => [
      m.symbol,
      {
        lastPrice: m.replay.lastPrice(),
        leverage: m.engine.leverage,
        marginType: m.engine.marginType,
        tickSize: m.spec.tickSize,
        stepSize: m.spec.stepSize,
        funding: { origin: m.funding.origin, rates: m.funding.length },
        position: m.engine.state(m.replay.lastPrice()),
        openConditionalOrders: m.engine.openAlgoOrders().length,
        klineSubscribers: s.streams.klineSubscribers(m.symbol),
      },
    ]),
  );
  return {
    serverTime: s.serverTime,
    closedBars: replay.closedCount,
    totalBars: replay.length,
    finished: replay.finished,
    lastPrice: replay.lastPrice(),
    replayRunning: s.replayRunning,
    speed: s.speed,
    leverage: first.engine.leverage,
    marginType: first.engine.marginType,
    dualSidePosition: s.dualSidePosition,
    funding: { origin: first.funding.origin, rates: first.funding.length },
    account: first.engine.state(replay.lastPrice()),
    totals: s.markets.totals(),
    openConditionalOrders: s.markets.list().reduce((n, m) => n + m.engine.openAlgoOrders().length, 0),
    faults: s.faults,
    webSocketConnections: s.streams.connectionCount(),
    klineSubscribers: s.streams.klineSubscribers(first.symbol),
    symbols: s.markets.symbols,
    markets,
  };
}

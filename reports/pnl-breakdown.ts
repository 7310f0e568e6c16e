/** Trades grouped by exit reason or side: count, wins, net PnL, fees, so the report shows where the PnL comes from. */
import type { TradeRow } from './types';

export interface PnlGroup {
  readonly key: string;
  readonly trades: number;
  readonly wins: number;
  readonly netPnl: number;
  readonly fees: number;
  /** Mean net PnL per trade. */
  readonly average: number;
}

export function pnlBy(trades: readonly TradeRow[], key: (t: TradeRow) => string): PnlGroup[] {
  const groups = new Map<string, { trades: number; wins: number; netPnl: number; fees: number }>();
  for (const t of trades) {
    const k = key(t);
    const g = groups.get(k) ?? { trades: 0, wins: 0, netPnl: 0, fees: 0 };
    g.trades++;
    if (t.netPnl > 0) g.wins++;
    g.netPnl += t.netPnl;
    g.fees += t.fees;
    groups.set(k, g);
  }
  // Largest absolute PnL first: the groups that matter most lead.
  return [...groups.entries()]
    .map(([k, g]) => ({ key: k, ...g, average: g.netPnl / g.trades }))
    .sort((x, y) => Math.abs(y.netPnl) - Math.abs(x.netPnl) || x.key.localeCompare(y.key));
}

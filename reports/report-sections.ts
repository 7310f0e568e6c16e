/** The report's analysis sections as HTML: returns by day and month beside buy-and-hold, PnL by exit reason and side. */
import { formatMoney, formatPercent } from './display-format';
import { escapeHtml as esc } from './html-escape';
import { pnlBy } from './pnl-breakdown';
import { joinReturns, periodReturns, type Period } from './returns-table';
import type { EquityPoint, TradeRow } from './types';

export function htmlTable(headers: readonly string[], rows: readonly string[]): string {
  return `<table>\n<thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

export const td = (text: string, cls?: string): string => `<td${cls ? ` class="${cls}"` : ''}>${esc(text)}</td>`;

const signed = (v: number | null): string => (v === null ? td('-', 'num') : td(formatPercent(v), `num ${v > 0 ? 'win' : v < 0 ? 'loss' : ''}`.trim()));

/** Strategy and buy-and-hold returns per UTC period. */
export function returnsTable(equity: readonly EquityPoint[], buyHold: readonly EquityPoint[], period: Period): string {
  const rows = joinReturns(periodReturns(equity, period), periodReturns(buyHold, period));
  if (rows.length === 0) return '<p class="empty">No returns.</p>';
  return htmlTable(
    [period === 'day' ? 'Day (UTC)' : 'Month (UTC)', 'Strategy', 'Buy and hold'],
    rows.map((r) => `<tr>${td(r.period)}${signed(r.a)}${signed(r.b)}</tr>`),
  );
}

/** Whole-period comparison: the strategy's return and buy-and-hold's over the same bars. */
export function comparisonLine(equity: readonly EquityPoint[], buyHold: readonly EquityPoint[]): string {
  const total = (p: readonly EquityPoint[]): number | null => (p.length < 2 || p[0]!.equity === 0 ? null : p[p.length - 1]!.equity / p[0]!.equity - 1);
  const s = total(equity);
  const b = total(buyHold);
  const text = (v: number | null): string => (v === null ? 'n/a' : formatPercent(v));
  return `<p>Strategy ${esc(text(s))}; buy and hold of the same test bars ${esc(text(b))} (bought at the first test bar's open, no fees).</p>`;
}

export function pnlTable(trades: readonly TradeRow[], by: 'exit reason' | 'side'): string {
  if (trades.length === 0) return '<p class="empty">No trades.</p>';
  const groups = pnlBy(trades, by === 'side' ? (t) => t.side : (t) => t.exitReason);
  return htmlTable(
    [by === 'side' ? 'Side' : 'Exit reason', 'Trades', 'Win rate', 'Net PnL', 'Average', 'Fees'],
    groups.map(
      (g) =>
        `<tr>${td(g.key)}${td(String(g.trades), 'num')}${td(formatPercent(g.wins / g.trades), 'num')}${td(formatMoney(g.netPnl), `num ${g.netPnl > 0 ? 'win' : 'loss'}`)}${td(formatMoney(g.average), 'num')}${td(formatMoney(g.fees), 'num')}</tr>`,
    ),
  );
}

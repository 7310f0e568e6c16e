/**
 * How the portfolio's status shows on its page: the parts that change, as ready HTML under `pf-` field names (the
 * bots' own fields keep their names), so the page and its live updates (portfolio-events.ts) render alike.
 */
import { normalisedWeight, PORTFOLIO_REASONS, type PortfolioSummary } from '../portfolio';
import type { PortfolioRefusals } from '../portfolio-queries';
import { errorBox, esc, num, signed, table, time } from './layout';

function haltedHtml(p: PortfolioSummary): string {
  const s = p.status;
  if (s === null) return '-';
  const fired = s.killSwitches.length === 0 ? 'never fired' : `fired at ${s.killSwitches.slice(-5).map(time).join(', ')} UTC`;
  if (!s.halted) return `no <small>(kill switch ${esc(fired)})</small>`;
  return `<span class="state state-halted">halted</span> no entries until the next UTC day (kill switch ${esc(fired)}); lift it with <code>npm run bot -- portfolio-resume --mode ${p.mode}</code>`;
}

export function countsHtml(counts: Readonly<Record<string, number>>): string {
  const others = Object.keys(counts).filter((r) => !(PORTFOLIO_REASONS as readonly string[]).includes(r));
  return [...PORTFOLIO_REASONS, ...others].map((r) => `<span data-reason="${esc(r)}">${esc(r)} ${counts[r] ?? 0}</span>`).join(', ');
}

/** The portfolio's changing fields: headline figures and each symbol's book. */
export function portfolioFields(p: PortfolioSummary): Record<string, string> {
  const s = p.status;
  const fields: Record<string, string> = {
    'pf-execution': esc(p.execution),
    'pf-statusError': p.statusError === null ? '' : `<div class="err">${esc(p.statusError)}</div>`,
    'pf-equity': num(s?.equity),
    'pf-dayOpen': num(s?.dayOpenEquity),
    'pf-pnlToday': s ? `${signed(s.pnlToday)}${s.dayOpenEquity > 0 ? ` (${signed((s.pnlToday / s.dayOpenEquity) * 100)} %)` : ''}` : '-',
    'pf-halted': haltedHtml(p),
    'pf-positions': s ? `${s.positions} / ${s.rules.maxPositions}` : '-',
    'pf-exposure': s ? `${num(s.grossExposure, 3)} / ${s.rules.maxGrossExposure === null ? 'no cap' : num(s.rules.maxGrossExposure, 3)}` : '-',
    'pf-minutes': s ? `${s.minutesServed} this run, last ${time(s.lastServed)}` : '-',
    'pf-counts': s ? countsHtml(s.refusalCounts) : '-',
  };
  for (const symbol of p.symbols) {
    const book = s?.books.find((b) => b.symbol === symbol);
    const weight = s ? normalisedWeight(s, symbol) : null;
    fields[`pf-${symbol}-allocation`] = s && weight !== null ? num(s.equity * weight) : '-';
    fields[`pf-${symbol}-equity`] = num(book?.equity);
    fields[`pf-${symbol}-notional`] = book === undefined ? '-' : book.notional > 0 ? num(book.notional) : 'flat';
    fields[`pf-${symbol}-pending`] = s?.waitingFor.includes(symbol) ? 'report pending' : '';
  }
  return fields;
}

export function refusalsHtml(r: PortfolioRefusals | Error): string {
  if (r instanceof Error) return errorBox('PostgreSQL', r);
  const rows = r.recent.map((d) => [
    time(d.openTime),
    `<a href="/bots/${esc(d.symbol)}/${esc(d.mode)}">${esc(d.symbol)}</a>`,
    esc(d.reason),
    d.prediction === null ? '-' : `${num(d.prediction * 1e4)} bp`,
    esc(d.action),
  ]);
  const counts = `<p>Recorded since ${time(r.since)} UTC: ${countsHtml(r.counts)}</p>`;
  return counts + table(['minute (UTC)', 'symbol', 'reason', 'prediction', 'action'], rows, 'no refusals recorded');
}

export function pfField(name: string, html: string | undefined): string {
  return `<span data-field="${esc(name)}">${html ?? ''}</span>`;
}

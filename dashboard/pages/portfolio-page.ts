/**
 * The Portfolio page of a mode (docs/portfolio.md): equity, PnL today, halt, positions and exposure against their
 * caps, each symbol's weight, allocation and book beside its bot (linked to the bot's page), the refusal counts and
 * the recent refusals the bots recorded. Live: the portfolio's fields from /events/portfolio, the bots' from
 * /events/bots (the Bots page's stream).
 */
import type { TradingMode } from '../../contracts/bot';
import { normalisedWeight, type PortfolioBot, type PortfolioSummary } from '../portfolio';
import type { PortfolioRefusals } from '../portfolio-queries';
import { field, positionText, stateBadge } from './bot-cells';
import { LIVE_SCRIPT } from './client-js';
import { errorBox, esc, num, page } from './layout';
import { pfField, portfolioFields, refusalsHtml } from './portfolio-cells';

export interface PortfolioPageData {
  readonly mode: TradingMode;
  readonly portfolio: PortfolioSummary | null | Error;
  readonly bots: readonly PortfolioBot[] | Error;
  readonly refusals: PortfolioRefusals | Error | null;
}

/** Swaps in the changed portfolio fields the server renders (as LIVE_SCRIPT does for the bots). */
export function portfolioLiveScript(mode: TradingMode): string {
  return `<script>
(function () {
  var live = document.getElementById('portfolio-live');
  var es = new EventSource('/events/portfolio?mode=${mode}');
  es.onmessage = function (e) {
    var d = JSON.parse(e.data);
    live.textContent = d.error ? 'portfolio: ' + d.error : 'portfolio live ' + new Date(d.at).toISOString().slice(11, 19) + ' UTC';
    document.querySelectorAll('[data-portfolio="' + d.workflowId + '"]').forEach(function (scope) {
      Object.keys(d.fields || {}).forEach(function (k) {
        scope.querySelectorAll('[data-field="' + k + '"]').forEach(function (el) {
          if (el.innerHTML !== d.fields[k]) el.innerHTML = d.fields[k];
        });
      });
    });
  };
  es.onerror = function () { live.textContent = 'portfolio: reconnecting'; };
})();
</script>`;
}

function symbolRows(p: PortfolioSummary, bots: readonly PortfolioBot[] | Error, f: Record<string, string>): string {
  const head = ['symbol', 'weight', 'allocation', 'equity', 'notional', 'report', 'bot', 'bot position'];
  const rows = p.symbols.map((symbol) => {
    const weight = p.status ? num(normalisedWeight(p.status, symbol), 3) : '-';
    const found = bots instanceof Error ? null : (bots.find((b) => b.symbol === symbol) ?? null);
    const bot = found?.bot ?? null;
    const why = bots instanceof Error ? `Temporal: ${bots.message}` : (found?.error ?? 'unknown');
    const botCells =
      bot === null ? `<td colspan="2">${esc(why)}</td>` : `<td>${field('state', stateBadge(bot))}</td><td>${field('position', positionText(bot))}</td>`;
    const cells = [
      `<a href="/bots/${esc(symbol)}/${p.mode}">${esc(symbol)}</a>`,
      weight,
      pfField(`pf-${symbol}-allocation`, f[`pf-${symbol}-allocation`]),
      pfField(`pf-${symbol}-equity`, f[`pf-${symbol}-equity`]),
      pfField(`pf-${symbol}-notional`, f[`pf-${symbol}-notional`]),
      pfField(`pf-${symbol}-pending`, f[`pf-${symbol}-pending`]),
    ];
    return `<tr data-bot="${esc(found?.workflowId ?? '')}" data-symbol="${esc(symbol)}">${cells.map((c) => `<td>${c}</td>`).join('')}${botCells}</tr>`;
  });
  return `<table id="portfolio-symbols"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function statusSection(p: PortfolioSummary, bots: readonly PortfolioBot[] | Error, refusals: PortfolioRefusals | Error | null): string {
  const f = portfolioFields(p);
  const rows: [string, string][] = [
    ['Temporal', `${p.workflowId} ${pfField('pf-execution', f['pf-execution'])}`],
    ['equity', pfField('pf-equity', f['pf-equity'])],
    ['day open equity', pfField('pf-dayOpen', f['pf-dayOpen'])],
    ['PnL today', pfField('pf-pnlToday', f['pf-pnlToday'])],
    ['halted', pfField('pf-halted', f['pf-halted'])],
    ['positions / max_positions', pfField('pf-positions', f['pf-positions'])],
    ['gross exposure / max_gross_exposure', pfField('pf-exposure', f['pf-exposure'])],
    ['minutes served', pfField('pf-minutes', f['pf-minutes'])],
    ['refusals (since the portfolio started)', pfField('pf-counts', f['pf-counts'])],
  ];
  const summary = `<table id="portfolio-status">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
  const recorded = refusals === null ? '' : `<h2>Recent refusals (recorded by the bots)</h2>${pfField('pf-refusals', refusalsHtml(refusals))}`;
  return `<div data-portfolio="${esc(p.workflowId)}">${pfField('pf-statusError', f['pf-statusError'])}${summary}<h2>Symbols</h2>${symbolRows(p, bots, f)}${recorded}</div>`;
}

export function portfolioPage(d: PortfolioPageData): string {
  const modes = (['paper', 'live'] as const).map((m) => (m === d.mode ? `<b>${m}</b>` : `<a href="/portfolio?mode=${m}">${m}</a>`)).join(' | ');
  const head = `<h1>Portfolio (${d.mode})</h1><p>${modes} <span id="portfolio-live"></span></p>`;
  if (d.portfolio instanceof Error) return page('Portfolio', head + errorBox('Temporal', d.portfolio));
  if (d.portfolio === null) {
    const none = `<p>No portfolio-${d.mode} workflow in Temporal: a portfolio runs when several symbols trade together (<code>data.symbols</code>, docs/portfolio.md).</p>`;
    return page('Portfolio', head + none);
  }
  return page('Portfolio', head + statusSection(d.portfolio, d.bots, d.refusals), LIVE_SCRIPT + portfolioLiveScript(d.mode));
}

/**
 * `npm run bot -- status` for a portfolio (docs/portfolio.md): the PortfolioWorkflow's status as text (equity, PnL
 * today, halt, positions and exposure against their caps, each symbol's weight, allocation and book, the refusals)
 * and one compact line per bot. Pure: the Temporal reads are dashboard/portfolio.ts's.
 */
import type { PortfolioStatus } from '../../contracts/portfolio';
import { normalisedWeight, PORTFOLIO_REASONS, type PortfolioBot, type PortfolioSummary } from '../../dashboard/portfolio';

/** Recent refusals printed (the workflow keeps a bounded list). */
export const REFUSALS_SHOWN = 10;
const KILL_SWITCHES_SHOWN = 5;

export const when = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
export const signed = (x: number, digits = 2) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
const bp = (x: number) => `${signed(x * 1e4)} bp`;

/** Every reason with its count (0 when none), then any other reason the workflow counted. */
export function refusalCountsText(counts: Readonly<Record<string, number>>): string {
  const others = Object.keys(counts).filter((r) => !(PORTFOLIO_REASONS as readonly string[]).includes(r));
  return [...PORTFOLIO_REASONS, ...others].map((r) => `${r} ${counts[r] ?? 0}`).join(', ');
}

function haltedText(s: PortfolioStatus): string {
  const fired = s.killSwitches.slice(-KILL_SWITCHES_SHOWN).map(when);
  const more = s.killSwitches.length > KILL_SWITCHES_SHOWN ? ` (${s.killSwitches.length} in all)` : '';
  const history = fired.length === 0 ? 'never fired' : `fired at ${fired.join(', ')}${more}`;
  if (!s.halted) return `no (kill switch ${history})`;
  return `YES: no entries until the next UTC day (kill switch ${history}); lift it with npm run bot -- portfolio-resume --mode ${s.mode}`;
}

function exposureText(s: PortfolioStatus): string {
  const cap = s.rules.maxGrossExposure === null ? 'no cap' : `max ${s.rules.maxGrossExposure.toFixed(3)}`;
  return `${s.grossExposure.toFixed(3)} of equity (${cap})`;
}

function symbolLine(s: PortfolioStatus, symbol: string, bots: readonly PortfolioBot[]): string {
  const book = s.books.find((b) => b.symbol === symbol);
  const weight = normalisedWeight(s, symbol);
  const side = bots.find((b) => b.symbol === symbol)?.bot?.status?.position?.side ?? (book !== undefined && book.notional > 0 ? 'open' : 'flat');
  const position = book === undefined || book.notional <= 0 ? 'flat' : `${side} ${book.notional.toFixed(2)}`;
  const pending = s.waitingFor.includes(symbol) ? '  report pending' : '';
  const equity = book === undefined ? '-' : book.equity.toFixed(2);
  return `    ${symbol.padEnd(12)} weight ${weight.toFixed(3)}  allocation ${(s.equity * weight).toFixed(2)}  equity ${equity}  position ${position}${pending}`;
}

function refusalLines(s: PortfolioStatus): string[] {
  if (s.recentRefusals.length === 0) return ['  recent refusals: none'];
  const newest = s.recentRefusals.slice(-REFUSALS_SHOWN).reverse();
  return [
    `  recent refusals (newest first${s.recentRefusals.length > REFUSALS_SHOWN ? `, ${REFUSALS_SHOWN} of ${s.recentRefusals.length} kept` : ''})`,
    ...newest.map(
      (r) => `    ${when(r.openTime)}  ${r.symbol.padEnd(12)} ${r.reason.padEnd(21)} prediction ${bp(r.prediction)}  notional ${r.notional.toFixed(2)}`,
    ),
  ];
}

/** The portfolio block: the status when known, else why it is missing. */
export function portfolioText(p: PortfolioSummary, bots: readonly PortfolioBot[]): string {
  const closed = p.closedAt === null ? '' : ` at ${new Date(p.closedAt).toISOString()}`;
  const head = `${p.workflowId}  (${p.mode}; workflow ${p.execution}${closed})`;
  const s = p.status;
  if (s === null) return [head, `  status     ${p.statusError ?? 'unknown'}`, `  symbols    ${p.symbols.join(', ') || '-'}`].join('\n');
  const pnlPct = s.dayOpenEquity > 0 ? ` (${signed((s.pnlToday / s.dayOpenEquity) * 100)} %)` : '';
  const served = s.lastServed === null ? 'none yet' : `${s.minutesServed} this run, last ${when(s.lastServed)}`;
  const rows: [string, string][] = [
    ['equity', `${s.equity.toFixed(2)} USDT (day open ${s.dayOpenEquity.toFixed(2)})`],
    ['pnl today', `${signed(s.pnlToday)} USDT${pnlPct}`],
    ['halted', haltedText(s)],
    ['positions', `${s.positions} / ${s.rules.maxPositions} (max_positions)`],
    ['exposure', exposureText(s)],
    ['minutes', served],
    ['refusals', refusalCountsText(s.refusalCounts)],
  ];
  return [head, ...rows.map(([k, v]) => `  ${k.padEnd(10)} ${v}`), '  symbols', ...s.symbols.map((sym) => symbolLine(s, sym, bots)), ...refusalLines(s)].join(
    '\n',
  );
}

/** One compact line per bot: state, position, equity, PnL today and last bar, or why it has no status. */
export function botLine(b: PortfolioBot): string {
  const id = b.workflowId.padEnd(22);
  if (b.bot === null) return `  ${id} ${b.error ?? 'unknown'}`;
  const s = b.bot.status;
  if (s === null) return `  ${id} ${b.bot.state} (workflow ${b.bot.execution})  ${b.bot.statusError ?? 'no status'}`;
  const p = s.position;
  const position = p === null ? 'flat' : `${p.side} ${p.qty.toFixed(4)} @ ${p.entryPrice.toFixed(2)}`;
  const last = s.lastBar === null ? 'no bar yet' : `last bar ${when(s.lastBar.openTime)} ${s.lastBar.action}`;
  return `  ${id} ${b.bot.state.padEnd(8)} ${position}  equity ${s.equity.toFixed(2)}  pnl today ${signed(s.pnlToday)}  ${last}`;
}

export function portfolioStatusText(p: PortfolioSummary, bots: readonly PortfolioBot[]): string {
  const closed =
    p.execution === 'RUNNING' ? [] : [`note: the portfolio is closed; one bot's own status: npm run bot -- status --symbol <SYMBOL> --mode ${p.mode}`];
  return [portfolioText(p, bots), 'bots', ...(bots.length === 0 ? ['  none known'] : bots.map(botLine)), ...closed].join('\n');
}

/** The structured form of --json. */
export function portfolioStatusJson(p: PortfolioSummary, bots: readonly PortfolioBot[]) {
  return {
    workflowId: p.workflowId,
    command: 'status',
    execution: p.execution,
    portfolio: p,
    bots: bots.map((b) => ({
      symbol: b.symbol,
      workflowId: b.workflowId,
      execution: b.bot?.execution ?? null,
      state: b.bot?.state ?? null,
      status: b.bot?.status ?? null,
      error: b.error ?? b.bot?.statusError ?? null,
    })),
  };
}

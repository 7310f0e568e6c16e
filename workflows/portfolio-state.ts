/**
 * The state of PortfolioWorkflow and its transitions, as plain functions (the entity pattern): collecting the bots'
 * minute reports, serving a minute with the pure rules (domain/portfolio/risk.ts portfolioMinute), and the verdict
 * each bot gets. Unit-tested without Temporal (test/bot/portfolio-state.test.ts).
 */
import { INITIAL_PORTFOLIO, portfolioMinute, resumePortfolio, type BookView, type PortfolioVerdict } from '../domain/portfolio';
import type { MinuteReport, PortfolioCarried, PortfolioInput, PortfolioStatus, RefusalRecord } from '../contracts/portfolio';

/** What a run remembers: the carried state plus the reports of minutes not served yet. */
export interface PortfolioRun extends PortfolioCarried {
  readonly pending: readonly MinuteReport[];
}

export interface AddressedVerdict {
  readonly symbol: string;
  readonly verdict: PortfolioVerdict;
}

const KEEP_RECENT = 50;

export function initialPortfolioRun(input: PortfolioInput): PortfolioRun {
  const carried = input.carried;
  if (carried !== undefined) return { ...carried, pending: carried.pending ?? [] };
  const books = Object.fromEntries(input.symbols.map((s) => [s, { symbol: s, equity: input.startingEquity[s] ?? 0, notional: 0 }]));
  return {
    portfolio: INITIAL_PORTFOLIO,
    books,
    owed: {},
    lastServed: null,
    minutesServed: 0,
    recentRefusals: [],
    refusalCounts: {},
    killSwitches: [],
    stopRequested: false,
    pending: [],
  };
}

/** What continue-as-new carries: everything, the reports of the next minute included. */
export function carriedPortfolio(run: PortfolioRun): PortfolioCarried {
  return run;
}

function refused(run: PortfolioRun, record: RefusalRecord): PortfolioRun {
  return {
    ...run,
    recentRefusals: [...run.recentRefusals, record].slice(-KEEP_RECENT),
    refusalCounts: { ...run.refusalCounts, [record.reason]: (run.refusalCounts[record.reason] ?? 0) + 1 },
  };
}

/** Hands a bot what it is owed (a transfer or halt decided while it did not report) with this verdict. */
function settleOwed(run: PortfolioRun, symbol: string, transfer: number, halt: boolean): { run: PortfolioRun; transfer: number; halt: boolean } {
  const owed = run.owed[symbol];
  if (owed === undefined) return { run, transfer, halt };
  const { [symbol]: _delivered, ...rest } = run.owed;
  return { run: { ...run, owed: rest }, transfer: transfer + owed.transfer, halt: halt || owed.halt };
}

/**
 * A bot's report. A report of a minute already served (the bot was late), or from a symbol not in the portfolio,
 * is answered at once: its entry is refused as `portfolio_unavailable` (the minute's limits were computed without
 * it), and what it is owed is delivered. A repeated report of a pending minute is ignored.
 */
export function reportReceived(input: PortfolioInput, run: PortfolioRun, report: MinuteReport): { run: PortfolioRun; immediate: AddressedVerdict | null } {
  const known = input.symbols.includes(report.symbol);
  const late = run.lastServed !== null && report.openTime <= run.lastServed;
  if (known && !late) {
    if (run.pending.some((r) => r.symbol === report.symbol && r.openTime === report.openTime)) return { run, immediate: null };
    return { run: { ...run, pending: [...run.pending, report] }, immediate: null };
  }
  let next = known ? { ...run, books: { ...run.books, [report.symbol]: report.book } } : run;
  if (report.request !== null)
    next = refused(next, {
      openTime: report.openTime,
      symbol: report.symbol,
      reason: 'portfolio_unavailable',
      prediction: report.request.prediction,
      notional: report.request.notional,
    });
  const delivered = known ? settleOwed(next, report.symbol, 0, false) : { run: next, transfer: 0, halt: false };
  const verdict: PortfolioVerdict = {
    openTime: report.openTime,
    refusal: report.request === null ? null : 'portfolio_unavailable',
    transfer: delivered.transfer,
    halt: delivered.halt,
  };
  return { run: delivered.run, immediate: { symbol: report.symbol, verdict } };
}

/** The oldest minute with a report waiting, or null. */
export function nextMinute(run: PortfolioRun): number | null {
  return run.pending.reduce<number | null>((min, r) => (min === null || r.openTime < min ? r.openTime : min), null);
}

/** Symbols whose report of `openTime` has not arrived. */
export function missingReports(input: PortfolioInput, run: PortfolioRun, openTime: number): string[] {
  return input.symbols.filter((s) => !run.pending.some((r) => r.symbol === s && r.openTime === openTime));
}

/**
 * Serves one minute: every book (reported, or the newest known plus what it is owed), the reporters' entry
 * requests, the rules; a verdict for each reporter. Transfers and halts of bots that did not report are owed.
 */
export function serveMinute(input: PortfolioInput, run: PortfolioRun, openTime: number): { run: PortfolioRun; verdicts: AddressedVerdict[] } {
  const reports = run.pending.filter((r) => r.openTime === openTime);
  const reported = new Map(reports.map((r) => [r.symbol, r]));
  const books: BookView[] = input.symbols.map((s) => {
    const r = reported.get(s);
    if (r !== undefined) return r.book;
    const last = run.books[s]!;
    return { ...last, equity: last.equity + (run.owed[s]?.transfer ?? 0) };
  });
  const requests = reports.flatMap((r) => (r.request === null ? [] : [r.request]));
  const outcome = portfolioMinute(run.portfolio, input.rules, { openTime, books, requests });
  let next: PortfolioRun = {
    ...run,
    portfolio: outcome.state,
    books: { ...run.books, ...Object.fromEntries(reports.map((r) => [r.symbol, r.book])) },
    pending: run.pending.filter((r) => r.openTime !== openTime),
    lastServed: openTime,
    minutesServed: run.minutesServed + 1,
    killSwitches: outcome.killSwitchFired ? [...run.killSwitches, openTime].slice(-KEEP_RECENT) : run.killSwitches,
  };
  const refusals = new Map(outcome.admissions.flatMap((a) => (a.admitted ? [] : [[a.symbol, a.reason] as const])));
  const verdicts: AddressedVerdict[] = [];
  for (const s of input.symbols) {
    const transfer = outcome.transfers[s] ?? 0;
    const report = reported.get(s);
    if (report === undefined) {
      if (transfer !== 0 || outcome.killSwitchFired) {
        const owed = next.owed[s] ?? { transfer: 0, halt: false };
        next = { ...next, owed: { ...next.owed, [s]: { transfer: owed.transfer + transfer, halt: owed.halt || outcome.killSwitchFired } } };
      }
      continue;
    }
    const reason = refusals.get(s) ?? null;
    if (reason !== null && report.request !== null)
      next = refused(next, { openTime, symbol: s, reason, prediction: report.request.prediction, notional: report.request.notional });
    const delivered = settleOwed(next, s, transfer, outcome.killSwitchFired);
    next = delivered.run;
    verdicts.push({ symbol: s, verdict: { openTime, refusal: reason, transfer: delivered.transfer, halt: delivered.halt } });
  }
  return { run: next, verdicts };
}

/** An operator's portfolio resume. */
export function portfolioResumed(input: PortfolioInput, run: PortfolioRun): PortfolioRun {
  return {
    ...run,
    portfolio: resumePortfolio(
      run.portfolio,
      input.symbols.map((s) => run.books[s]!),
    ),
  };
}

export function portfolioStatus(input: PortfolioInput, run: PortfolioRun): PortfolioStatus {
  const books = input.symbols.map((s) => run.books[s]!);
  const equity = books.reduce((sum, b) => sum + b.equity, 0);
  const exposure = books.reduce((sum, b) => sum + b.notional, 0);
  const collecting = nextMinute(run);
  return {
    mode: input.mode,
    symbols: input.symbols,
    rules: input.rules,
    equity,
    dayOpenEquity: run.portfolio.dayOpenEquity,
    pnlToday: run.portfolio.day === null ? 0 : equity - run.portfolio.dayOpenEquity,
    halted: run.portfolio.halted,
    positions: books.filter((b) => b.notional > 0).length,
    grossExposure: equity > 0 ? exposure / equity : 0,
    books,
    lastServed: run.lastServed,
    minutesServed: run.minutesServed,
    waitingFor: collecting === null ? [] : missingReports(input, run, collecting),
    recentRefusals: run.recentRefusals,
    refusalCounts: run.refusalCounts,
    killSwitches: run.killSwitches,
  };
}

/**
 * A bot's link to its PortfolioWorkflow (docs/portfolio.md, "When a bot hears back"): after each decision it reports
 * its book and the entry it asks for. Only a bot that asks waits for the minute's verdict; no answer in time refuses
 * the entry (`portfolio_unavailable`) and the bot carries on. Every other bot records its decision at once: exits and
 * holds never wait. A verdict's transfer and halt are booked at the bot's next bar, before it opens (the portfolio
 * backtest books them at the same point), so no cash the portfolio moved is lost, however late it arrives.
 */
import { condition, getExternalWorkflowHandle, log, patched, setHandler } from '@temporalio/workflow';
import { bookOf, entryRequestOf, foldBookings, type BookedVerdict, type EntryRefusal, type PortfolioVerdict } from '../domain/portfolio';
import type { Bar } from '../domain/bars';
import type { Decision, TradingParams } from '../domain/trading';
import type { BotInput } from '../contracts/bot';
import { minuteReportSignal, portfolioVerdictSignal } from '../contracts/portfolio';

export interface PortfolioLink {
  /** Reports the minute; for an entry, waits for the verdict and returns its refusal (null: admitted or no entry). */
  ask(bar: Bar, decision: Decision, prediction: number | null): Promise<EntryRefusal | null>;
  /**
   * What to book before the bar opening at `openTime`: every verdict of earlier minutes, folded. Waits for the last
   * reported minute's verdict until that report's timeout runs out, so a slow portfolio delays it by at most that.
   */
  dueBefore(openTime: number): Promise<BookedVerdict | null>;
  /** Verdicts received and not booked yet: carried over continue-as-new. */
  inbox(): readonly PortfolioVerdict[];
}

export function createPortfolioLink(input: BotInput, trading: TradingParams, carried: readonly PortfolioVerdict[]): PortfolioLink | null {
  const link = input.portfolio;
  if (link === undefined) return null;
  // Runs started before entries-only waiting waited every minute: they keep doing so on replay (same timers).
  const waitEveryMinute = !patched('portfolio-entries-only-wait');
  let received: PortfolioVerdict[] = [...carried];
  // The last minute reported and when its verdict stops being worth waiting for (workflow time: replay-safe).
  let outstanding: { openTime: number; deadline: number } | null = null;
  setHandler(portfolioVerdictSignal, (verdict) => {
    received.push(verdict);
  });
  const portfolio = getExternalWorkflowHandle(link.workflowId);
  const heardBack = (openTime: number) => received.some((v) => v.openTime >= openTime);
  const awaitVerdict = async (openTime: number, deadline: number): Promise<boolean> => {
    const left = deadline - Date.now();
    return heardBack(openTime) || (left > 0 && (await condition(() => heardBack(openTime), left)));
  };
  return {
    async ask(bar, decision, prediction) {
      const request = prediction === null ? null : entryRequestOf(input.symbol, decision, prediction, trading);
      const report = { symbol: input.symbol, openTime: bar.openTime, book: bookOf(input.symbol, decision.state, bar.close), request };
      const deadline = Date.now() + link.verdictTimeoutMs;
      try {
        await portfolio.signal(minuteReportSignal, report);
        outstanding = { openTime: bar.openTime, deadline };
      } catch (err) {
        log.warn('portfolio unreachable; entries refused until it answers', { error: err instanceof Error ? err.message : String(err) });
        return request === null ? null : 'portfolio_unavailable';
      }
      if (request === null && !waitEveryMinute) return null;
      const answered = await awaitVerdict(bar.openTime, deadline);
      if (!answered) {
        log.warn('no portfolio verdict in time', { openTime: bar.openTime, timeoutMs: link.verdictTimeoutMs });
        return request === null ? null : 'portfolio_unavailable';
      }
      if (request === null) return null;
      return received.find((v) => v.openTime === bar.openTime)?.refusal ?? null;
    },
    async dueBefore(openTime) {
      if (outstanding !== null && outstanding.openTime < openTime) {
        if (!(await awaitVerdict(outstanding.openTime, outstanding.deadline)))
          log.warn('no portfolio verdict yet; its transfer and halt are booked when it comes', { openTime: outstanding.openTime });
        outstanding = null;
      }
      const due = received.filter((v) => v.openTime < openTime);
      received = received.filter((v) => v.openTime >= openTime);
      return foldBookings(due);
    },
    inbox: () => received,
  };
}

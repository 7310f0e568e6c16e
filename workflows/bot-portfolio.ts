/**
 * A bot's link to its PortfolioWorkflow (docs/portfolio.md): after each decision it reports its book and the entry it
 * asks for, and waits for the minute's verdict. No answer in time (the portfolio is gone, or slow) refuses the entry
 * (`portfolio_unavailable`) and the bot carries on: exits never wait for the portfolio. A verdict that arrives late
 * is still booked (its transfer and halt) at the next bar, so no cash the portfolio moved is lost.
 */
import { condition, getExternalWorkflowHandle, log, setHandler } from '@temporalio/workflow';
import { bookOf, entryRequestOf, type PortfolioVerdict } from '../domain/portfolio';
import type { Bar } from '../domain/bars';
import type { Decision, TradingParams } from '../domain/trading';
import type { BotInput } from '../contracts/bot';
import { minuteReportSignal, portfolioVerdictSignal } from '../contracts/portfolio';

export interface PortfolioLink {
  /** Reports the minute and returns its verdict (older late verdicts folded in). */
  ask(bar: Bar, decision: Decision, prediction: number | null): Promise<PortfolioVerdict>;
  /** Verdicts received and not booked yet: carried over continue-as-new. */
  inbox(): readonly PortfolioVerdict[];
}

/** Folds every verdict up to `openTime` into one: transfers add up, a halt stays, the refusal is the minute's own. */
export function foldVerdicts(verdicts: readonly PortfolioVerdict[], openTime: number, answered: boolean, asked: boolean): PortfolioVerdict {
  const mine = verdicts.find((v) => v.openTime === openTime);
  return {
    openTime,
    refusal: answered ? (mine?.refusal ?? null) : asked ? 'portfolio_unavailable' : null,
    transfer: verdicts.reduce((sum, v) => sum + v.transfer, 0),
    halt: verdicts.some((v) => v.halt),
  };
}

export function createPortfolioLink(input: BotInput, trading: TradingParams, carried: readonly PortfolioVerdict[]): PortfolioLink | null {
  const link = input.portfolio;
  if (link === undefined) return null;
  let received: PortfolioVerdict[] = [...carried];
  setHandler(portfolioVerdictSignal, (verdict) => {
    received.push(verdict);
  });
  const portfolio = getExternalWorkflowHandle(link.workflowId);
  return {
    async ask(bar, decision, prediction) {
      const request = prediction === null ? null : entryRequestOf(input.symbol, decision, prediction, trading);
      const report = { symbol: input.symbol, openTime: bar.openTime, book: bookOf(input.symbol, decision.state, bar.close), request };
      let answered = false;
      try {
        await portfolio.signal(minuteReportSignal, report);
        answered = await condition(() => received.some((v) => v.openTime >= bar.openTime), link.verdictTimeoutMs);
      } catch (err) {
        log.warn('portfolio unreachable; entries refused until it answers', { error: err instanceof Error ? err.message : String(err) });
      }
      if (!answered) log.warn('no portfolio verdict in time', { openTime: bar.openTime, timeoutMs: link.verdictTimeoutMs });
      const due = received.filter((v) => v.openTime <= bar.openTime);
      received = received.filter((v) => v.openTime > bar.openTime);
      return foldVerdicts(due, bar.openTime, answered, request !== null);
    },
    inbox: () => received,
  };
}

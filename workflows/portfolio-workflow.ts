/**
 * PortfolioWorkflow: the portfolio rules of docs/portfolio.md for the bots of one trading mode. Every bot reports
 * each minute (its book after the decision, and the entry it asks for); once every symbol has reported a minute, or
 * `collectMs` after its first report, the minute is served by the pure rules and each reporter gets its verdict
 * (admitted or refused with the reason, the day's rebalancing transfer, the portfolio kill switch). Durable: the
 * portfolio's day opening, halt and books live here, across worker restarts and continue-as-new.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { assertPortfolioRules } from '../domain/portfolio';
import { botWorkflowId } from '../contracts/bot';
import {
  minuteReportSignal,
  portfolioStatusQuery,
  portfolioVerdictSignal,
  resumePortfolioSignal,
  stopPortfolioSignal,
  type PortfolioInput,
  type PortfolioStatus,
} from '../contracts/portfolio';
import { SEARCH_ATTRIBUTE_KEYS } from '../contracts/search-attributes';
import {
  carriedPortfolio,
  initialPortfolioRun,
  missingReports,
  nextMinute,
  portfolioResumed,
  portfolioStatus,
  reportReceived,
  serveMinute,
  type AddressedVerdict,
  type PortfolioRun,
} from './portfolio-state';

function checkInput(input: PortfolioInput): void {
  try {
    assertPortfolioRules(input.rules, input.symbols);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`Invalid portfolio input: ${(err as Error).message}`, 'InvalidPortfolioInput');
  }
  if (!(input.collectMs >= 100))
    throw ApplicationFailure.nonRetryable(`Invalid portfolio input: collectMs must be >= 100 (got ${input.collectMs})`, 'InvalidPortfolioInput');
  if (!(input.minutesPerRun >= 1)) throw ApplicationFailure.nonRetryable(`Invalid portfolio input: minutesPerRun must be >= 1`, 'InvalidPortfolioInput');
}

export async function PortfolioWorkflow(input: PortfolioInput): Promise<PortfolioStatus> {
  checkInput(input);
  let run: PortfolioRun = initialPortfolioRun(input);
  const outbox: AddressedVerdict[] = [];

  setHandler(minuteReportSignal, (report) => {
    const received = reportReceived(input, run, report);
    run = received.run;
    if (received.immediate !== null) outbox.push(received.immediate);
  });
  setHandler(resumePortfolioSignal, () => {
    log.info('portfolio resumed by an operator');
    run = portfolioResumed(input, run);
  });
  setHandler(stopPortfolioSignal, () => {
    run = { ...run, stopRequested: true };
  });
  setHandler(portfolioStatusQuery, () => portfolioStatus(input, run));
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTE_KEYS.TradingMode, value: input.mode },
    { key: SEARCH_ATTRIBUTE_KEYS.WorkflowKind, value: 'portfolio' },
  ]);

  /** A bot that is gone (stopped, not started yet) must not stop the portfolio: it asks again at its next bar. */
  const deliver = async (): Promise<void> => {
    const batch = outbox.splice(0);
    await Promise.all(
      batch.map(({ symbol, verdict }) =>
        getExternalWorkflowHandle(botWorkflowId(symbol, input.mode))
          .signal(portfolioVerdictSignal, verdict)
          .catch((err: unknown) =>
            log.warn('verdict not delivered', { symbol, openTime: verdict.openTime, error: err instanceof Error ? err.message : String(err) }),
          ),
      ),
    );
  };

  let servedThisRun = 0;
  while (!run.stopRequested) {
    await condition(() => run.stopRequested || outbox.length > 0 || nextMinute(run) !== null);
    if (outbox.length > 0) await deliver();
    const minute = nextMinute(run);
    if (minute === null) continue;
    // The others of this minute: every bot decides at the same close, so they come within moments of each other.
    await condition(() => run.stopRequested || missingReports(input, run, minute).length === 0, input.collectMs);
    const missing = missingReports(input, run, minute);
    if (missing.length > 0) log.warn('minute served without every report', { openTime: minute, missing });
    const served = serveMinute(input, run, minute);
    run = served.run;
    outbox.push(...served.verdicts);
    await deliver();
    servedThisRun += 1;
    if (servedThisRun >= input.minutesPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (outbox.length > 0) await deliver();
      return continueAsNew<typeof PortfolioWorkflow>({ ...input, carried: carriedPortfolio(run) });
    }
  }
  await condition(allHandlersFinished);
  return portfolioStatus(input, run);
}

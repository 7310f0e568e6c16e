/**
 * The portfolio commands of `npm run bot`: `status` without --symbol while a PortfolioWorkflow of the mode exists
 * (running or closed), and `portfolio-resume`, which lifts the portfolio kill switch (resumePortfolioSignal:
 * docs/portfolio.md, the day opening is re-based to the current equity; the bots' own halts stay).
 */
import type { Client } from '@temporalio/client';
import type { TradingMode } from '../../contracts/bot';
import { portfolioWorkflowId, resumePortfolioSignal } from '../../contracts/portfolio';
import { findPortfolio, portfolioBots } from '../../dashboard/portfolio';
import { portfolioStatusJson, portfolioStatusText } from './portfolio-status-text';

export interface PortfolioCommand {
  readonly mode: TradingMode;
  readonly json: boolean;
  /** How long the portfolio's and each bot's worker may take to answer. */
  readonly answerMs: number;
}

/** Prints the mode's portfolio and its bots; false (nothing printed) when Temporal has no portfolio of the mode. */
export async function printPortfolioStatus(client: Client, c: PortfolioCommand): Promise<boolean> {
  const portfolio = await findPortfolio(client, client.options.namespace, c.mode, c.answerMs);
  if (portfolio === null) return false;
  const bots = await portfolioBots(client, client.options.namespace, portfolio);
  console.log(c.json ? JSON.stringify(portfolioStatusJson(portfolio, bots)) : portfolioStatusText(portfolio, bots));
  return true;
}

export async function resumePortfolio(client: Client, c: PortfolioCommand): Promise<void> {
  const workflowId = portfolioWorkflowId(c.mode);
  const found = await findPortfolio(client, client.options.namespace, c.mode, c.answerMs);
  if (found === null)
    throw new Error(`no portfolio workflow '${workflowId}' in Temporal; one runs when several symbols trade together (data.symbols, docs/portfolio.md)`);
  if (found.execution !== 'RUNNING') throw new Error(`cannot resume: workflow ${workflowId} is closed (${found.execution})`);
  await client.workflow.getHandle(workflowId).signal(resumePortfolioSignal);
  const note = found.status?.halted
    ? 'resume sent: the portfolio kill switch is lifted and its day opening re-based to the current equity (bots halted by their own switch stay halted)'
    : 'resume sent: the portfolio was not halted; its day opening is re-based to the current equity';
  if (c.json) console.log(JSON.stringify({ workflowId, command: 'portfolio-resume', execution: found.execution, note, status: found.status }));
  else console.log(`${workflowId}: ${note}`);
}

/**
 * The portfolio commands of `npm run bot`: `status` without --symbol while a PortfolioWorkflow of the mode exists
 * (running or closed), and `portfolio-resume`, which lifts the portfolio kill switch (resumePortfolioSignal:
 * docs/portfolio.md, the day opening is re-based to the current equity; the bots' own halts stay), and
 * `portfolio-stop`, which stops the whole deployment (every bot, its market data and schedule, the portfolio).
 */
import type { Client } from '@temporalio/client';
import type { TradingMode } from '../../contracts/bot';
import { portfolioWorkflowId, resumePortfolioSignal } from '../../contracts/portfolio';
import { findPortfolio, portfolioBots } from '../../dashboard/portfolio';
import { stopDeploymentWorkflows } from '../../app/stop-demo';
import { portfolioStatusJson, portfolioStatusText } from './portfolio-status-text';

export interface PortfolioCommand {
  readonly mode: TradingMode;
  readonly json: boolean;
  /** How long the portfolio's and each bot's worker may take to answer. */
  readonly answerMs: number;
  /** status: show a closed portfolio too (else a closed one, e.g. an earlier demo's, leaves status to the bot). */
  readonly includeClosed?: boolean;
}

/** Prints the mode's portfolio and its bots; false (nothing printed) when Temporal has no portfolio of the mode. */
export async function printPortfolioStatus(client: Client, c: PortfolioCommand): Promise<boolean> {
  const portfolio = await findPortfolio(client, client.options.namespace, c.mode, c.answerMs);
  if (portfolio === null || (portfolio.execution !== 'RUNNING' && c.includeClosed !== true)) return false;
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

/** Stops the whole deployment of the mode: every bot of the portfolio, its market data and schedule, then the portfolio. */
export async function stopPortfolio(client: Client, c: PortfolioCommand): Promise<void> {
  const workflowId = portfolioWorkflowId(c.mode);
  const found = await findPortfolio(client, client.options.namespace, c.mode, c.answerMs);
  if (found === null) throw new Error(`no portfolio workflow '${workflowId}' in Temporal: stop single bots with npm run bot -- stop --symbol S`);
  if (found.execution !== 'RUNNING') throw new Error(`workflow ${workflowId} is already closed (${found.execution})`);
  const things = await stopDeploymentWorkflows(client, found.symbols, c.mode, 20_000);
  if (c.json) console.log(JSON.stringify({ workflowId, command: 'portfolio-stop', stopped: things }));
  else for (const t of things) console.log(t.line);
  const left = things.filter((t) => !t.gone);
  if (left.length > 0) throw new Error(`could not stop ${left.map((t) => t.name).join(', ')}`);
}

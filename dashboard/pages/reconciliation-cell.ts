/**
 * A live bot's reconciliation line on its page: status, last check, the differences, and the adopt / flatten
 * controls while it reports a mismatch. Rendered as a bot field, so the event stream keeps it current (the
 * controls appear with a mismatch and go once adopt or flatten has resolved it, without a reload).
 */
import type { BotSummary } from '../bots';
import { esc, time } from './layout';

/** A control posting `command` to the bot's operate endpoint after a confirmation (client-js.ts). */
export function controlButton(symbol: string, mode: string, command: string): string {
  const body = esc(JSON.stringify({ command }));
  const confirm = esc(`${command} the ${mode} bot ${symbol}?`);
  return `<button data-post="/api/bots/${esc(symbol)}/${mode}/operate" data-body="${body}" data-confirm="${confirm}" data-command="${command}">${command}</button>`;
}

/** Empty for a paper bot (not reconciled) or before its status is known. */
export function reconciliationText(bot: BotSummary): string {
  const recon = bot.status?.reconciliation;
  if (!recon) return '';
  const unexplained = recon.differences.filter((d) => !d.explained);
  const differences = unexplained.length > 0 ? `: ${unexplained.map((d) => `${d.field} bot ${d.bot}, exchange ${d.exchange}`).join('; ')}` : '';
  const controls =
    recon.status === 'mismatch' && recon.resolving === null && bot.execution === 'RUNNING'
      ? ` ${controlButton(bot.symbol, bot.mode, 'adopt')}${controlButton(bot.symbol, bot.mode, 'flatten')}`
      : '';
  return (
    `Reconciliation: <b data-reconciliation="${esc(recon.status)}">${esc(recon.status)}</b> checked ${time(recon.checkedAt)}${esc(differences)}` +
    `${recon.error ? ` (${esc(recon.error)})` : ''}${recon.resolving ? `, resolving by ${recon.resolving} at the next bar` : ''}${controls}`
  );
}

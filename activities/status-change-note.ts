/**
 * Why a model's status changes, told by the workflow whose activity changes it (workflows pass only version and
 * status, so the activity's context is what knows the caller). Recorded with the change in model_status_events.
 */
import { Context } from '@temporalio/activity';
import type { StatusChangeNote } from '../db/repositories/model-status-events';
import type { ModelStatus } from '../db/schema';

const BY_WORKFLOW: { readonly [workflowType: string]: Partial<Record<ModelStatus, string>> } = {
  RetrainWorkflow: { champion: 'promoted by retrain', shadow: 'challenger of a retrain (shadow)', rejected: 'rejected by retrain' },
  // The bot applies setChampion, sent by an operator (promote, rollback) or by a retrain that won its shadow.
  TradingBotWorkflow: { champion: 'champion swap by the bot (setChampion: operator promote / rollback or retrain)' },
  TrainChampionWorkflow: { champion: 'first champion (initial training)' },
};

export function statusChangeNote(workflowType: string, workflowId: string, status: ModelStatus): StatusChangeNote {
  return { reason: BY_WORKFLOW[workflowType]?.[status] ?? null, actor: `${workflowType} ${workflowId}` };
}

/** The note of the current activity's workflow; empty outside an activity (a script, a test). */
export function currentStatusChangeNote(status: ModelStatus): StatusChangeNote {
  let info: Context['info'];
  try {
    info = Context.current().info;
  } catch {
    return {};
  }
  const { workflowType, workflowExecution } = info;
  return workflowType && workflowExecution ? statusChangeNote(workflowType, workflowExecution.workflowId, status) : {};
}

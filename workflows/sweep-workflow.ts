/**
 * SweepWorkflow: many configurations on one test period. Each model group (combinations sharing every
 * model-relevant setting) runs ONE walk-forward, the standalone BacktestWorkflow of its first combination as a
 * child (models trained once, registry reuse, predictions stored once); then one activity replays all the group's
 * trading-only combinations over those stored predictions with the backtest's own bar step. At most
 * `maxParallel` groups run at once. History holds references and counts only; results live in the sweep's folder.
 */
import { ApplicationFailure, CancellationScope, executeChild, isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SweepActivities } from '../activities/sweep-activities';
import { sweepProgressQuery, type SweepGroup, type SweepPhase, type SweepRequest, type SweepSummary } from '../contracts/sweep';
import { TASK_QUEUES } from '../contracts/task-queues';
import { BacktestWorkflow } from './backtest-workflow';
import { errorText } from './error-text';

const { registerSweepRun, markSweep, simulateSweepGroup, finishSweep } = proxyActivities<SweepActivities>({
  taskQueue: TASK_QUEUES.trading,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '60 seconds',
  retry: { maximumAttempts: 5, initialInterval: '1 second' },
});

function checkRequest(r: SweepRequest): void {
  if (r.groups.length === 0) throw ApplicationFailure.nonRetryable('A sweep needs at least one group', 'InvalidSweepRequest');
  if (!Number.isInteger(r.maxParallel) || r.maxParallel < 1)
    throw ApplicationFailure.nonRetryable(`maxParallel must be >= 1 (got ${r.maxParallel})`, 'InvalidSweepRequest');
  if (!(r.splitTime > r.testFrom && r.splitTime < r.testTo))
    throw ApplicationFailure.nonRetryable('The split time must lie inside the test period', 'InvalidSweepRequest');
}

export async function SweepWorkflow(request: SweepRequest): Promise<SweepSummary> {
  checkRequest(request);
  const startedAt = Date.now(); // workflow time: deterministic
  const combosTotal = request.groups.reduce((n, g) => n + g.combos.length, 0);
  let phase: SweepPhase = 'walk-forward';
  let combosDone = 0;
  let groupsDone = 0;
  let models = 0;
  let simulateMs = 0;
  setHandler(sweepProgressQuery, () => {
    const elapsedMs = Date.now() - startedAt;
    const etaMs =
      groupsDone === 0 || phase !== 'walk-forward' ? (phase === 'walk-forward' ? null : 0) : (elapsedMs / groupsDone) * (request.groups.length - groupsDone);
    return { phase, combosDone, combosTotal, groupsDone, groupsTotal: request.groups.length, elapsedMs, etaMs };
  });

  const files: string[] = new Array<string>(request.groups.length);
  const runGroup = async (group: SweepGroup): Promise<void> => {
    await executeChild(BacktestWorkflow, {
      args: [group.backtest],
      taskQueue: TASK_QUEUES.trading,
      workflowId: `backtest-${group.backtest.symbol}-${group.backtest.runId}`,
    });
    const simulated = await simulateSweepGroup({
      sweepId: request.sweepId,
      outDir: request.outDir,
      group: group.index,
      runId: group.backtest.runId,
      symbol: group.backtest.symbol,
      data: group.backtest.data,
      funding: group.backtest.funding ?? null,
      testFrom: request.testFrom,
      testTo: request.testTo,
      splitTime: request.splitTime,
      combos: group.combos,
    });
    files[group.index] = simulated.file;
    combosDone += simulated.combos;
    simulateMs += simulated.simulateMs;
    groupsDone += 1;
    models += Math.ceil((request.testTo - request.testFrom) / 60_000 / group.backtest.retrainMinutes);
  };

  const { groups: planned, ...plan } = request;
  await registerSweepRun({ request: { ...plan, groups: planned.length, combinations: combosTotal }, workflowId: workflowInfo().workflowId, startedAt });
  try {
    // A small pool: each lane takes the next group when its current one ends.
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < request.groups.length) await runGroup(request.groups[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(request.maxParallel, request.groups.length) }, lane));
    phase = 'writing';
    const summary = await finishSweep({ request: { ...plan, groups: planned.length }, files, elapsedMs: Date.now() - startedAt, models, simulateMs });
    phase = 'completed';
    return summary;
  } catch (err) {
    if (isCancellation(err)) {
      phase = 'cancelled';
      // The row must say cancelled although this scope is cancelled: the update runs outside it.
      await CancellationScope.nonCancellable(() => markSweep({ sweepId: request.sweepId, status: 'cancelled' }));
      throw err;
    }
    phase = 'failed';
    await markSweep({ sweepId: request.sweepId, status: 'failed' });
    throw ApplicationFailure.nonRetryable(`Sweep ${request.sweepId} (${workflowInfo().workflowId}) failed: ${errorText(err)}`, 'SweepFailed');
  }
}

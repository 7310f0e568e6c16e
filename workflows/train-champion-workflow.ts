/**
 * TrainChampionWorkflow: trains a model on the newest stored window of a symbol and makes it the champion.
 * A bot starting with an empty registry runs it first; it uses the same training activity as backtests.
 */
import { BAR_MS } from '../domain/bars';
import { ApplicationFailure, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { RegistryActivities } from '../activities/registry-activities';
import type { TrainingActivities } from '../activities/training-activities';
import { SEARCH_ATTRIBUTE_KEYS } from '../contracts/search-attributes';
import { TASK_QUEUES } from '../contracts/task-queues';
import type { TrainedModel, TrainingSpec } from '../contracts/training';

export interface TrainChampionInput {
  readonly symbol: string;
  readonly training: Omit<TrainingSpec, 'symbol' | 'data' | 'purpose'>;
  /** Bars before the training end the features are computed over (window + warm-up, e.g. 72 h). */
  readonly historyMinutes: number;
}

const { trainModel } = proxyActivities<TrainingActivities>({
  taskQueue: TASK_QUEUES.training,
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 3 },
});
const { storedBarRange, setModelStatus } = proxyActivities<RegistryActivities>({
  taskQueue: TASK_QUEUES.trading,
  startToCloseTimeout: '1 minute',
});

export async function TrainChampionWorkflow(input: TrainChampionInput): Promise<TrainedModel> {
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTE_KEYS.Symbol, value: input.symbol },
    { key: SEARCH_ATTRIBUTE_KEYS.WorkflowKind, value: 'retrain' },
  ]);
  const range = await storedBarRange(input.symbol);
  if (range === null) throw ApplicationFailure.nonRetryable(`No stored bars for ${input.symbol}: start the market data first`, 'NoData');
  const trainEnd = range.last + BAR_MS;
  const from = Math.max(range.first, trainEnd - input.historyMinutes * BAR_MS);
  const model = await trainModel({
    ...input.training,
    symbol: input.symbol,
    data: { kind: 'db', symbol: input.symbol, from, to: trainEnd },
    purpose: 'live',
    trainEnd,
  });
  await setModelStatus({ version: model.version, status: 'champion' });
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE_KEYS.ModelVersion, value: model.version }]);
  return model;
}

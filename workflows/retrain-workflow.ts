/**
 * RetrainWorkflow: trains a candidate on the newest stored window of a symbol and decides whether it replaces the
 * bot's champion. One runs per symbol at a time (workflow id `retrain-<SYMBOL>`, see retrainWorkflowId).
 *
 *   record event -> train (training queue) -> validation gates (model/gates.ts)
 *     failing: status rejected, outcome gated
 *   -> status shadow, signal the bot `startShadow(version)`: it predicts with the candidate beside the champion
 *      (role 'challenger') and keeps trading the champion
 *   -> wait, polling once per bar, until shadowBars challenger predictions exist and their returns are known
 *      (H more bars stored); give up after shadowBars + horizon + SHADOW_GRACE_BARS bars (outcome failed)
 *   -> score both models on the same bars (model/shadow-score.ts)
 *     winner: signal the bot `setChampion(version)`; the bot swaps models (the position is kept) and sets the
 *             registry status itself; this workflow waits for the registry to show it. When no bot runs, the
 *             registry is set here instead: the next bot start serves the registry's champion.
 *     loser:  status rejected, outcome rejected
 *   -> retrain event finished with outcome, version, metrics and timings.
 *
 * Special cases: no champion yet -> a candidate passing the gates becomes champion directly (nothing to shadow
 * against, so no bot can be trading); the newest window gives a model the registry already judged (no new bars)
 * -> outcome rejected, its status untouched; the bot not running at the shadow -> outcome failed, status rejected;
 * the champion changed during the shadow (an operator's promote) -> outcome rejected, the operator's choice stands.
 * Cancellation or an unexpected error: the candidate is rejected, the bot told `endShadow`, the event failed.
 * Alerts (workflows/alerting.ts): retrain_triggered when a drift or performance trigger started it, then
 * retrain_promoted or retrain_rejected (rejected, gated or failed, with the reason), keyed by the event id.
 */
import { BAR_MS } from '../domain/bars';
import {
  ApplicationFailure,
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { RegistryActivities } from '../activities/registry-activities';
import type { RetrainActivities } from '../activities/retrain-activities';
import type { TrainingActivities } from '../activities/training-activities';
import { checkValidationGates } from '../model/gates';
import { SEARCH_ATTRIBUTE_KEYS } from '../contracts/search-attributes';
import { TASK_QUEUES } from '../contracts/task-queues';
import {
  RETRAIN_REASONS,
  type RetrainInput,
  type RetrainMetrics,
  type RetrainOutcome,
  type RetrainPhase,
  type RetrainProgress,
  type RetrainResult,
  retrainProgressQuery,
} from '../contracts/retrain';
import { endShadowSignal, setChampionSignal, startShadowSignal } from '../contracts/bot';
import { alertEvent, type AlertOrigin } from '../contracts/alerts';
import { alerter } from './alerting';
import { retrainOutcomeAlert } from './retrain-alerts';

/** Bars the shadow may take beyond shadowBars + horizon (the bot catching up, a late bar) before the retrain gives up. */
export const SHADOW_GRACE_BARS = 30;
/**
 * After signalling setChampion, how long the registry may take to show the new champion: the bot applies a swap
 * before its next bar, so it may first finish waiting for the current one (up to a bar or two).
 */
const CONFIRM_BARS = 3;
const MIN_CONFIRM_MS = 30_000;
/** The shadow wait never polls faster than this, whatever the acceleration. */
const MIN_POLL_MS = 250;

const { trainModel } = proxyActivities<TrainingActivities>({
  taskQueue: TASK_QUEUES.training,
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 3 },
});
const light = {
  taskQueue: TASK_QUEUES.trading,
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
} as const;
const { recordRetrainEvent, finishRetrainEvent, newestWindow, modelInfo, shadowProgress, scoreShadow } = proxyActivities<RetrainActivities>(light);
const { championOf, setModelStatus } = proxyActivities<RegistryActivities>(light);

function checkInput(input: RetrainInput): void {
  const problems: string[] = [];
  const positiveInt = (name: string, x: number) => {
    if (!(Number.isInteger(x) && x > 0)) problems.push(`${name} must be a positive integer (got ${x})`);
  };
  const finite = (name: string, x: number) => {
    if (!Number.isFinite(x)) problems.push(`${name} must be a finite number (got ${x})`);
  };
  if (!/^[A-Z0-9]{2,20}$/.test(input.symbol)) problems.push(`symbol '${input.symbol}' is not a Binance symbol`);
  if (!RETRAIN_REASONS.includes(input.reason)) problems.push(`reason must be one of ${RETRAIN_REASONS.join(', ')} (got '${String(input.reason)}')`);
  if (!input.botWorkflowId) problems.push('botWorkflowId is required');
  positiveInt('shadowBars', input.shadowBars);
  positiveInt('horizon', input.horizon);
  positiveInt('historyMinutes', input.historyMinutes);
  if (input.horizon !== input.training.horizon) problems.push(`horizon (${input.horizon}) must equal training.horizon (${input.training.horizon})`);
  if (input.historyMinutes < input.training.windowMinutes)
    problems.push(`historyMinutes (${input.historyMinutes}) must cover training.windowMinutes (${input.training.windowMinutes})`);
  if (input.barMs !== undefined && !(input.barMs > 0)) problems.push(`barMs must be positive (got ${input.barMs})`);
  finite('gates.maxRmseVsBaseline', input.gates.maxRmseVsBaseline);
  finite('gates.minDirectionalAccuracy', input.gates.minDirectionalAccuracy);
  finite('gates.shadowIcMargin', input.gates.shadowIcMargin);
  if (input.gates.minValidationSharpe !== null) finite('gates.minValidationSharpe', input.gates.minValidationSharpe);
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(`Invalid retrain input: ${problems.join('; ')}`, 'InvalidRetrainInput');
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function RetrainWorkflow(input: RetrainInput): Promise<RetrainResult> {
  checkInput(input);
  const { symbol } = input;
  const barMs = input.barMs ?? BAR_MS;
  // Stable across resets of this execution, so a reset run finishes the same event row.
  const eventId = workflowInfo().firstExecutionRunId;
  const startedAt = Date.now();
  const event = { id: eventId, symbol, reason: input.reason, detail: input.detail ?? null, startedAt };

  let phase: RetrainPhase = 'training';
  let version: string | null = null;
  let metrics: RetrainMetrics = { timingsMs: {} };
  let error: string | null = null;
  /** The bot was told to shadow the candidate (and must be told to stop if the retrain gives up). */
  let shadowing = false;
  /** The candidate's registry status is final (rejected, champion, or left as the registry had it). */
  let settled = false;

  const alert = alerter();
  const origin = (): AlertOrigin => ({ workflowId: workflowInfo().workflowId, id: eventId, at: Date.now() });

  setHandler(retrainProgressQuery, (): RetrainProgress => ({ symbol, reason: input.reason, phase, version, metrics, error }));
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTE_KEYS.Symbol, value: symbol },
    { key: SEARCH_ATTRIBUTE_KEYS.WorkflowKind, value: 'retrain' },
  ]);

  const note = (text: string) => {
    metrics = { ...metrics, note: text };
  };
  const timing = (step: string, ms: number) => {
    metrics = { ...metrics, timingsMs: { ...metrics.timingsMs, [step]: ms } };
  };
  const finish = async (outcome: RetrainOutcome): Promise<RetrainResult> => {
    phase = outcome;
    timing('total', Date.now() - startedAt);
    await finishRetrainEvent({ ...event, finishedAt: Date.now(), outcome, modelVersion: version, metrics, error });
    log.info('retrain finished', { symbol, outcome, version, error, note: metrics.note });
    await alert(retrainOutcomeAlert(origin(), { symbol, reason: input.reason, outcome, version, metrics, error }));
    return { eventId, outcome, version, metrics, error };
  };
  const settle = async (candidate: string, status: 'rejected' | 'champion') => {
    await setModelStatus({ version: candidate, status });
    settled = true;
  };
  /** Signals the bot; false (with the reason) when it does not run, which the server reports as a failure. */
  const signalBot = async (signal: SignalDefinition<[string]>, arg: string): Promise<{ ok: true } | { ok: false; reason: string }> => {
    try {
      await getExternalWorkflowHandle(input.botWorkflowId).signal(signal, arg);
      return { ok: true };
    } catch (err) {
      if (err instanceof ApplicationFailure) return { ok: false, reason: err.message };
      throw err;
    }
  };

  /** Hands the candidate to the bot, or to the registry when no bot runs; true once the registry shows it. */
  const promote = async (candidate: string): Promise<boolean> => {
    const sent = await signalBot(setChampionSignal, candidate);
    if (!sent.ok) {
      await settle(candidate, 'champion');
      note(`bot ${input.botWorkflowId} is not running (${sent.reason}): the registry was updated directly; the next bot start serves ${candidate}`);
      return true;
    }
    settled = true; // from here the bot owns the status change
    const deadline = Date.now() + Math.max(MIN_CONFIRM_MS, CONFIRM_BARS * barMs);
    const pollMs = Math.min(5_000, Math.max(MIN_POLL_MS, barMs / 4));
    for (;;) {
      if ((await championOf(symbol)) === candidate) return true;
      if (Date.now() >= deadline) {
        log.warn('the bot took the new champion but the registry does not show it yet', { candidate, bot: input.botWorkflowId });
        return false;
      }
      await sleep(pollMs);
    }
  };

  const retrain = async (): Promise<RetrainResult> => {
    if (input.reason === 'drift' || input.reason === 'performance') {
      await alert(alertEvent('retrain_triggered', origin(), { ...input.detail, symbol, reason: input.reason }));
    }
    const window = await newestWindow({ symbol, historyMinutes: input.historyMinutes });
    if (window === null) {
      error = `no stored bars of ${symbol}: the market data must run before a retrain`;
      return finish('failed');
    }
    metrics = { ...metrics, window: { from: window.from, trainEnd: window.trainEnd, bars: window.bars } };
    let t = Date.now();
    const model = await trainModel({
      ...input.training,
      symbol,
      data: { kind: 'db', symbol, from: window.from, to: window.trainEnd },
      purpose: 'live',
      trainEnd: window.trainEnd,
    });
    timing('train', Date.now() - t);
    version = model.version;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE_KEYS.ModelVersion, value: model.version }]);
    const champion = await championOf(symbol);
    metrics = { ...metrics, validation: model.validation, reused: model.reused, champion };

    if (model.reused) {
      const known = await modelInfo(model.version);
      if (known !== null && known.status !== 'candidate' && known.status !== 'shadow') {
        settled = true;
        note(`the newest window gives ${model.version}, already ${known.status}: no new bars since it was trained`);
        return finish('rejected');
      }
    }

    phase = 'gating';
    const gates = checkValidationGates(model.validation, input.gates);
    metrics = { ...metrics, gates };
    if (!gates.passed) {
      await settle(model.version, 'rejected');
      return finish('gated');
    }
    if (champion === null) {
      await settle(model.version, 'champion');
      note('the symbol had no champion, so no bot could shadow the candidate: promoted directly');
      return finish('promoted');
    }

    phase = 'shadow';
    await setModelStatus({ version: model.version, status: 'shadow' });
    const started = await signalBot(startShadowSignal, model.version);
    if (!started.ok) {
      error = `bot ${input.botWorkflowId} is not running (${started.reason}): nothing can shadow the candidate`;
      await settle(model.version, 'rejected');
      return finish('failed');
    }
    shadowing = true;
    t = Date.now();
    const patienceBars = input.shadowBars + input.horizon + SHADOW_GRACE_BARS;
    const deadline = t + patienceBars * barMs;
    const from = window.trainEnd; // bars before it are in the candidate's training data
    let progress = await shadowProgress({ symbol, challenger: model.version, from, shadowBars: input.shadowBars, horizon: input.horizon });
    while (progress.lastBar === null || progress.realised < input.shadowBars) {
      metrics = { ...metrics, shadow: { ...progress, from } };
      if (Date.now() >= deadline) {
        error =
          `shadow gave up after ${patienceBars} bars: ${progress.predictions} of ${input.shadowBars} challenger predictions ` +
          `recorded, ${progress.realised} returns known; does ${input.botWorkflowId} shadow (startShadow)?`;
        await settle(model.version, 'rejected');
        await signalBot(endShadowSignal, model.version);
        shadowing = false;
        return finish('failed');
      }
      await sleep(Math.max(MIN_POLL_MS, barMs));
      progress = await shadowProgress({ symbol, challenger: model.version, from, shadowBars: input.shadowBars, horizon: input.horizon });
    }
    shadowing = false; // the bot stops by itself after shadowBars bars
    metrics = { ...metrics, shadow: { ...progress, from } };
    timing('shadow', Date.now() - t);

    phase = 'scoring';
    t = Date.now();
    const current = await championOf(symbol);
    if (current !== champion) {
      await settle(model.version, 'rejected');
      note(`the champion changed during the shadow (${champion} -> ${current ?? 'none'}): that choice stands`);
      return finish('rejected');
    }
    const score = await scoreShadow({
      symbol,
      champion,
      challenger: model.version,
      from: progress.firstBar!,
      to: progress.lastBar + BAR_MS,
      horizon: input.horizon,
      icMargin: input.gates.shadowIcMargin,
      minBars: input.shadowBars,
    });
    metrics = { ...metrics, score };
    timing('score', Date.now() - t);
    if (score.verdict === 'reject') {
      await settle(model.version, 'rejected');
      return finish('rejected');
    }
    t = Date.now();
    metrics = { ...metrics, registryConfirmed: await promote(model.version) };
    timing('promote', Date.now() - t);
    return finish('promoted');
  };

  await recordRetrainEvent(event);
  try {
    return await retrain();
  } catch (err) {
    error = isCancellation(err) ? 'cancelled' : message(err);
    // Clean up even when cancelled: no candidate left in 'shadow', no bot left shadowing, no event left running.
    const cleanup = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (cleanupErr) {
        log.error(`retrain cleanup failed: ${what}`, { error: message(cleanupErr) });
      }
    };
    await CancellationScope.nonCancellable(async () => {
      const candidate = version;
      if (candidate !== null && !settled) await cleanup('reject the candidate', () => setModelStatus({ version: candidate, status: 'rejected' }));
      if (candidate !== null && shadowing) await cleanup('end the shadow', () => signalBot(endShadowSignal, candidate));
      await cleanup('record the failure', () => finish('failed'));
    });
    throw err;
  }
}

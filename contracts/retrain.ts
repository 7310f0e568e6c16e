/** The contract of RetrainWorkflow with its starters (schedule, bot triggers, CLI) and activities: plain JSON data. */
import type { GateReport, ValidationGates } from '../model/gates';
import type { ShadowScore } from '../model/shadow-score';
import { defineQuery } from '@temporalio/workflow';
import type { ModelValidation, TrainingSpec } from './training';

export type RetrainReason = 'scheduled' | 'drift' | 'performance' | 'manual';
export const RETRAIN_REASONS: readonly RetrainReason[] = ['scheduled', 'drift', 'performance', 'manual'];

/** At most one retrain per symbol runs at a time: every starter uses this id (and treats "already started" as busy). */
export function retrainWorkflowId(symbol: string): string {
  return `retrain-${symbol}`;
}

/** What a candidate must pass: validation gates before the shadow, and the shadow rule's IC margin. */
export interface RetrainGates extends ValidationGates {
  /** Shadow rule (model/shadow-score.ts): the challenger's IC may be below the champion's by at most this. */
  readonly shadowIcMargin: number;
}

export interface RetrainInput {
  readonly symbol: string;
  readonly reason: RetrainReason;
  /** Why a trigger fired, e.g. { feature: 'std60', psi: 0.31 } or { sharpe: -1.2 }. */
  readonly detail?: { readonly feature?: string; readonly psi?: number; readonly sharpe?: number };
  /** The bot that shadows the candidate and is told to swap to it (e.g. bot-BTCUSDT-paper). */
  readonly botWorkflowId: string;
  readonly training: Omit<TrainingSpec, 'symbol' | 'data' | 'purpose'>;
  /** Bars before the training end the features are computed over (window + warm-up, config data.history_hours x 60). */
  readonly historyMinutes: number;
  /** Bars the challenger predicts beside the champion before scoring (config retraining.shadow_mode_minutes). */
  readonly shadowBars: number;
  /** H of the realised returns the shadow is scored on; must equal training.horizon. */
  readonly horizon: number;
  readonly gates: RetrainGates;
  /**
   * Duration of one bar in wall-clock ms (60 000, or 60 000 / speed against an accelerated local exchange):
   * the shadow wait polls once per bar and gives up after shadowBars + horizon + SHADOW_GRACE_BARS bars.
   */
  readonly barMs?: number;
}

/** Everything but what a starter knows itself: the symbol, the reason and its detail, and the bot to work with. */
export type RetrainArgs = Omit<RetrainInput, 'symbol' | 'reason' | 'detail' | 'botWorkflowId'>;

export type RetrainOutcome = 'promoted' | 'rejected' | 'gated' | 'failed';
export type RetrainPhase = 'training' | 'gating' | 'shadow' | 'scoring' | RetrainOutcome;

/** Where the shadow stands (activity shadowProgress). */
export interface ShadowProgress {
  /** Challenger predictions recorded since the shadow started. */
  readonly predictions: number;
  /** Open times of the first and of the shadowBars-th challenger prediction (null until there are that many). */
  readonly firstBar: number | null;
  readonly lastBar: number | null;
  /** Shadow bars (of the first shadowBars) whose bar H minutes later is stored, i.e. whose return is known. */
  readonly realised: number;
}

/** Everything measured so far; stored as the retrain event's metrics when the workflow ends. */
export interface RetrainMetrics {
  /** Training data: bars opening in [from, trainEnd), of which `bars` are stored (fewer than the span: gaps). */
  readonly window?: { readonly from: number; readonly trainEnd: number; readonly bars: number };
  readonly validation?: ModelValidation;
  /** True when the registry already held the candidate (same window and parameters). */
  readonly reused?: boolean;
  readonly gates?: GateReport;
  /** The champion the candidate was compared with. */
  readonly champion?: string | null;
  readonly shadow?: ShadowProgress & { readonly from: number };
  readonly score?: ShadowScore;
  /** After a promotion: whether the registry showed the candidate as champion before the workflow ended. */
  readonly registryConfirmed?: boolean;
  /** Wall-clock (workflow time) per step: train, shadow, score, total. */
  readonly timingsMs: { readonly [step: string]: number };
  readonly note?: string;
}

export interface RetrainProgress {
  readonly symbol: string;
  readonly reason: RetrainReason;
  readonly phase: RetrainPhase;
  /** The candidate's registry version, once trained. */
  readonly version: string | null;
  readonly metrics: RetrainMetrics;
  /** Why the retrain failed (phase failed). */
  readonly error: string | null;
}

export interface RetrainResult {
  /** Id of the retrain_events row. */
  readonly eventId: string;
  readonly outcome: RetrainOutcome;
  readonly version: string | null;
  readonly metrics: RetrainMetrics;
  readonly error: string | null;
}

/** What the scheduled launcher returns: the retrain's result, or that one was already running. */
export type ScheduledRetrainResult = { readonly started: true; readonly result: RetrainResult } | { readonly started: false; readonly note: string };

// ---- activity inputs ----------------------------------------------------------------------------------------

export interface RetrainEventInput {
  readonly id: string;
  readonly symbol: string;
  readonly reason: RetrainReason;
  readonly detail: RetrainInput['detail'] | null;
  readonly startedAt: number;
}

export interface FinishRetrainEventInput extends RetrainEventInput {
  readonly finishedAt: number;
  readonly outcome: RetrainOutcome;
  readonly modelVersion: string | null;
  readonly metrics: RetrainMetrics;
  readonly error: string | null;
}

export interface ShadowProgressInput {
  readonly symbol: string;
  readonly challenger: string;
  /** Only challenger predictions of bars opening at or after this count (the candidate's training end). */
  readonly from: number;
  readonly shadowBars: number;
  readonly horizon: number;
}

export interface ScoreShadowInput {
  readonly symbol: string;
  readonly champion: string;
  readonly challenger: string;
  /** The shadow bars: open times in [from, to). */
  readonly from: number;
  readonly to: number;
  readonly horizon: number;
  readonly icMargin: number;
  readonly minBars: number;
}

// ---- workflow messages ----------------------------------------------------------------------------------

export const retrainProgressQuery = defineQuery<RetrainProgress>('progress');

/**
 * The contract of PortfolioWorkflow (one per trading mode: `portfolio-paper`, `portfolio-live`), the one place the
 * portfolio rules of docs/portfolio.md run for the live and paper bots: its input, carried state and status, the
 * bots' minute reports and its verdicts (signals both ways, so each side's history records what it was told).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BookView, EntryRequest, PortfolioRules, PortfolioState, PortfolioVerdict, RefusalReason } from '../domain/portfolio';
import type { TradingMode } from '../domain/trading-mode';

export interface PortfolioInput {
  readonly mode: TradingMode;
  readonly symbols: readonly string[];
  readonly rules: PortfolioRules;
  /** Each bot's capital at start (its allocation), the book assumed for a bot that has not reported yet. */
  readonly startingEquity: Readonly<Record<string, number>>;
  /** After the first report of a minute, how long the others are waited for before the minute is served. */
  readonly collectMs: number;
  /** Continue-as-new after this many served minutes (the history grows with symbols x minutes). */
  readonly minutesPerRun: number;
  readonly carried?: PortfolioCarried;
}

/** One bot's minute: its book after the decision and the entry it asks for (null: none). */
export interface MinuteReport {
  readonly symbol: string;
  readonly openTime: number;
  readonly book: BookView;
  readonly request: EntryRequest | null;
}

export interface RefusalRecord {
  readonly openTime: number;
  readonly symbol: string;
  readonly reason: RefusalReason | 'portfolio_unavailable';
  readonly prediction: number;
  readonly notional: number;
}

export interface PortfolioCarried {
  readonly portfolio: PortfolioState;
  /** The newest book each bot reported (or its starting one). */
  readonly books: Readonly<Record<string, BookView>>;
  /** Cash and halts decided for a bot that did not report that minute: delivered with its next verdict. */
  readonly owed: Readonly<Record<string, { readonly transfer: number; readonly halt: boolean }>>;
  /** The newest minute served; a report for it or an older one is late. */
  readonly lastServed: number | null;
  readonly minutesServed: number;
  /** The most recent refusals (bounded) and the count per reason since start. */
  readonly recentRefusals: readonly RefusalRecord[];
  readonly refusalCounts: Readonly<Record<string, number>>;
  readonly killSwitches: readonly number[];
  readonly stopRequested: boolean;
  /** Reports of minutes not served yet (bots already at the next minute when the run continued as new). */
  readonly pending?: readonly MinuteReport[];
}

export interface PortfolioStatus {
  readonly mode: TradingMode;
  readonly symbols: readonly string[];
  readonly rules: PortfolioRules;
  readonly equity: number;
  readonly dayOpenEquity: number;
  readonly pnlToday: number;
  readonly halted: boolean;
  readonly positions: number;
  /** Open notional over equity. */
  readonly grossExposure: number;
  readonly books: readonly BookView[];
  readonly lastServed: number | null;
  readonly minutesServed: number;
  /** Symbols whose report of the minute being collected has not arrived. */
  readonly waitingFor: readonly string[];
  readonly recentRefusals: readonly RefusalRecord[];
  readonly refusalCounts: Readonly<Record<string, number>>;
  readonly killSwitches: readonly number[];
}

export const minuteReportSignal = defineSignal<[MinuteReport]>('minuteReport');
/** Sent by the portfolio to a bot (TradingBotWorkflow handles it). */
export const portfolioVerdictSignal = defineSignal<[PortfolioVerdict]>('portfolioVerdict');
/** An operator lifts the portfolio kill switch (re-bases the day opening to the current equity). */
export const resumePortfolioSignal = defineSignal('resumePortfolio');
export const stopPortfolioSignal = defineSignal('stopPortfolio');
export const portfolioStatusQuery = defineQuery<PortfolioStatus>('portfolioStatus');

export const portfolioWorkflowId = (mode: TradingMode): string => `portfolio-${mode}`;

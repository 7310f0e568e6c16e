/** The one-line progress bar of `npm run backtest`: work done, models, bars, trades, elapsed and ETA. */
import { workDone } from '../../workflows/backtest-plan';
import type { BacktestProgress } from '../../contracts/backtest';

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}

export function progressLine(p: BacktestProgress): string {
  const width = 24;
  const done = workDone(p);
  const filled = Math.round(done * width);
  const eta = p.etaMs === null ? '--' : duration(p.etaMs);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)}% ${p.phase.padEnd(9)} models ${p.modelsTrained}/${p.modelsTotal}  bars ${p.barsDone}/${p.barsTotal}  trades ${p.trades}  equity ${p.equity.toFixed(2)}  elapsed ${duration(p.elapsedMs)}  eta ${eta}`;
}

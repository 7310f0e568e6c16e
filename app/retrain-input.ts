/**
 * RetrainWorkflow's input from the configuration: the same for the schedule, the bot's drift/performance
 * triggers (BotRetraining.retrainArgs) and manual retrains, so every path trains and judges models alike.
 */
import { BAR_MS } from '../domain/bars';
import type { BotConfig } from '../config/schema';
import type { RetrainArgs } from '../contracts/retrain';
import { trainingSpecFromConfig } from './trading-params';

export type { RetrainArgs };

/**
 * @param speed acceleration of the market against wall-clock time (the local exchange's replay speed; 1 live):
 *              one bar lasts 60 000 / speed ms, which paces the shadow wait.
 */
export function retrainArgsFromConfig(config: BotConfig, options: { readonly speed?: number } = {}): RetrainArgs {
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new Error(`speed must be positive (got ${speed})`);
  const gates = config.retraining.gates;
  return {
    training: trainingSpecFromConfig(config),
    historyMinutes: config.data.history_hours * 60,
    shadowBars: config.retraining.shadow_mode_minutes,
    horizon: config.training.prediction_horizon_minutes,
    gates: {
      maxRmseVsBaseline: gates.max_rmse_vs_baseline,
      minDirectionalAccuracy: gates.min_directional_accuracy,
      minValidationSharpe: gates.min_validation_sharpe,
      shadowIcMargin: gates.shadow_ic_margin,
    },
    barMs: BAR_MS / speed,
  };
}

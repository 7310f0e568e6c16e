import type { TradingParams } from '../domain/trading';
import type { BotConfig } from '../config/schema';
import type { TrainingSpec } from '../contracts/training';

/** config.yaml speaks in bps and percent; the engine in fractions (and bps for fees/slippage). */
export function tradingParamsFromConfig(config: BotConfig): TradingParams {
  return {
    entryThreshold: config.trading.entry_threshold_bps / 1e4,
    exitThreshold: config.trading.exit_threshold_bps / 1e4,
    stopLossFraction: config.trading.stop_loss_pct / 100,
    takeProfitFraction: config.trading.take_profit_pct / 100,
    cooldownMinutes: config.trading.cooldown_minutes,
    maxDailyDrawdownFraction: config.execution.max_daily_drawdown_pct / 100,
    takerFeeBps: config.execution.taker_fee_bps,
    slippageBps: config.execution.slippage_bps,
    positionFraction: config.execution.position_fraction,
    leverage: config.execution.leverage,
    startingCapital: config.execution.base_capital,
  };
}

/** How every model is trained (backtest, champion, retrains), from the configuration. */
export function trainingSpecFromConfig(config: BotConfig): Omit<TrainingSpec, 'symbol' | 'data' | 'purpose'> {
  return {
    windowMinutes: config.data.rolling_window_hours * 60,
    horizon: config.training.prediction_horizon_minutes,
    validationFraction: config.training.validation_fraction,
    lightgbm: { ...config.training.lightgbm },
    trading: tradingParamsFromConfig(config),
  };
}

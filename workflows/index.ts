// The workflow bundle's entry: every workflow type a worker of the trading queue can run.
export { BacktestWorkflow } from './backtest-workflow';
export { BacktestTrainingWorkflow } from './backtest-training-workflow';
export { MarketDataWorkflow } from './market-data-workflow';
export { PortfolioWorkflow } from './portfolio-workflow';
export { TradingBotWorkflow } from './trading-bot-workflow';
export { TrainChampionWorkflow } from './train-champion-workflow';
export { RetrainWorkflow } from './retrain-workflow';
export { ScheduledRetrainWorkflow } from './scheduled-retrain-workflow';
export { SweepWorkflow } from './sweep-workflow';
export { PortfolioBacktestWorkflow } from './portfolio-backtest-workflow';

// The workflow bundle's entry: every workflow type a worker of the trading queue can run.
export { BacktestWorkflow } from './backtest-workflow';

// Worker of the `trading` task queue: all workflows and their light activities (prediction, backtest I/O).
import { createTradingWorker } from './create-workers';
import { runWorker } from './run-worker';

runWorker('trading-worker', createTradingWorker).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

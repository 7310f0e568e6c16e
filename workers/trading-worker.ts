// Worker of the `trading` task queue: all workflows and their light activities (prediction, backtest I/O).
import { createTradingWorker } from './create-workers';
import { runWorker } from './run-worker';
import { logEvent } from '../observability/structured-log';

runWorker('trading-worker', createTradingWorker).catch((err: unknown) => {
  logEvent('ERROR', 'worker failed', { process: 'trading-worker', error: err });
  process.exit(1);
});

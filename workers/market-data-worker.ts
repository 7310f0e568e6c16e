// Worker of the `market-data` task queue: the long-running kline streams (streamBars) and REST backfills.
import { createMarketDataWorker } from './create-workers';
import { runWorker } from './run-worker';
import { logEvent } from '../observability/structured-log';

runWorker('market-data-worker', createMarketDataWorker).catch((err: unknown) => {
  logEvent('ERROR', 'worker failed', { process: 'market-data-worker', error: err });
  process.exit(1);
});

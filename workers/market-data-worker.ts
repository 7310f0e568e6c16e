// Worker of the `market-data` task queue: the long-running kline streams (streamBars) and REST backfills.
import { createMarketDataWorker } from './create-workers';
import { runWorker } from './run-worker';

runWorker('market-data-worker', createMarketDataWorker).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

// Worker of the `training` task queue: CPU-bound LightGBM training, TRAINING_SLOTS at a time (default: CPU count).
import { createTrainingWorker } from './create-workers';
import { runWorker } from './run-worker';
import { logEvent } from '../observability/structured-log';

runWorker('training-worker', createTrainingWorker).catch((err: unknown) => {
  logEvent('ERROR', 'worker failed', { process: 'training-worker', error: err });
  process.exit(1);
});

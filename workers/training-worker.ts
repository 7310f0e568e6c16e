// Worker of the `training` task queue: CPU-bound LightGBM training, TRAINING_SLOTS at a time (default: CPU count).
import { createTrainingWorker } from './create-workers';
import { runWorker } from './run-worker';

runWorker('training-worker', createTrainingWorker).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

import { ApplicationFailure } from '@temporalio/common';
import { TrainingSetError } from '../model/training-set';
import { DataError } from './bar-series';

const NON_RETRYABLE = new Set(['DataError', 'BadInputError', 'TrainingSetError']);

/**
 * Runs an activity body, turning errors that no retry can fix (bad data, a too-short window, bad input) into
 * non-retryable failures with their message, so a workflow fails fast with the reason instead of retrying.
 */
export async function failFastOnBadInput<T>(body: () => T | Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    // By name as well: errors raised on a training thread arrive as plain Errors carrying their class's name.
    if (err instanceof DataError || err instanceof BadInputError || err instanceof TrainingSetError || (err instanceof Error && NON_RETRYABLE.has(err.name))) {
      throw ApplicationFailure.nonRetryable(err.message, err.name);
    }
    throw err;
  }
}

/** Input that cannot become valid by retrying. */
export class BadInputError extends Error {
  override name = 'BadInputError';
}

/** Model-registry activities used by workflows: champion lookup and status changes (idempotent). */
import type { Database } from '../db/client';
import { barRange } from '../db/repositories/bars';
import { liveSeries } from '../domain/markets';
import { getChampion, getModel, setModelStatus } from '../db/repositories/models';
import { BadInputError, failFastOnBadInput } from './activity-errors';
import type { ModelStatus } from '../db/schema';
import { currentStatusChangeNote } from './status-change-note';

export function createRegistryActivities({ db }: { db: Database }) {
  return {
    async championOf(symbol: string): Promise<string | null> {
      return (await getChampion(db, symbol))?.version ?? null;
    },
    /**
     * Sets a model's status; promoting retires the previous champion in the same transaction. An unknown version or
     * a backtest model fails without retrying (a retry would fail the same way).
     */
    async setModelStatus(input: { version: string; status: ModelStatus }): Promise<void> {
      return failFastOnBadInput(async () => {
        const model = await getModel(db, input.version);
        if (!model) throw new BadInputError(`Model ${input.version} is not in the registry`);
        if (input.status === 'champion' && model.purpose !== 'live')
          throw new BadInputError(`Model ${input.version} was trained for a backtest and cannot serve as champion`);
        await setModelStatus(db, input.version, input.status, Date.now(), currentStatusChangeNote(input.status));
      });
    },
    /** First and last stored bar of a symbol on the bot's market (null when none). */
    async storedBarRange(symbol: string): Promise<{ first: number; last: number; count: number } | null> {
      return barRange(db, liveSeries(symbol));
    },
  };
}

export type RegistryActivities = ReturnType<typeof createRegistryActivities>;

import { config as loadDotenv } from 'dotenv';
import { join } from 'node:path';
import { projectRoot } from './project-root';

export interface ExchangeCredentials {
  readonly apiKey: string;
  readonly secret: string;
}

let loaded = false;

/** Loads .env of the project root once; variables already in the environment win. */
export function loadEnvFile(): void {
  if (loaded) return;
  loaded = true;
  loadDotenv({ path: join(projectRoot(), '.env'), quiet: true });
}

/**
 * Binance API credentials from the environment (or .env). Returns null when absent.
 * They are read only inside activities and never passed to workflows, logs or the database.
 */
export function exchangeCredentials(): ExchangeCredentials | null {
  loadEnvFile();
  const apiKey = process.env.BINANCE_API_KEY?.trim();
  const secret = process.env.BINANCE_API_SECRET?.trim();
  if (!apiKey && !secret) return null;
  if (!apiKey || !secret) {
    throw new Error(`Incomplete Binance credentials: ${apiKey ? 'BINANCE_API_SECRET' : 'BINANCE_API_KEY'} is missing from the environment/.env`);
  }
  return { apiKey, secret };
}

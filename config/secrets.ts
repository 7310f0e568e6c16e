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
  return credentialsFrom('BINANCE_API_KEY', 'BINANCE_API_SECRET');
}

/**
 * Keys of Binance's USD-M Demo Trading (the testnet's successor), from BINANCE_TESTNET_API_KEY / _SECRET: kept apart
 * from the real ones, so a rehearsal can never send real keys to the demo endpoints or trade a real account.
 */
export function testnetCredentials(): ExchangeCredentials | null {
  return credentialsFrom('BINANCE_TESTNET_API_KEY', 'BINANCE_TESTNET_API_SECRET');
}

function credentialsFrom(keyName: string, secretName: string): ExchangeCredentials | null {
  loadEnvFile();
  const apiKey = process.env[keyName]?.trim();
  const secret = process.env[secretName]?.trim();
  if (!apiKey && !secret) return null;
  if (!apiKey || !secret) throw new Error(`Incomplete Binance credentials: ${apiKey ? secretName : keyName} is missing from the environment/.env`);
  return { apiKey, secret };
}

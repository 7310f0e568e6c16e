/**
 * The local exchange in its own process (scripts/local-exchange.ts, manual clock), for benchmarks that measure the
 * workers' process: Binance is never on the worker host, so neither its replayed bars nor its books may count
 * against the worker's memory or CPU. Bars are released through the admin API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import { DEMO_API_KEY, DEMO_API_SECRET } from '../../local-exchange/local-exchange';
import { isPortOpen, LOCALHOST, sleep } from '../../infra/processes';

export const EXCHANGE_SCRIPT = join('scripts', 'local-exchange.ts');

export interface ExchangeProcess {
  readonly pid: number;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Releases the next bar of every symbol; the open times released. */
  advance(bars?: number): Promise<number[]>;
  stop(): Promise<void>;
}

const advanceReply = z.object({ released: z.array(z.number()) });

export async function startExchangeProcess(options: { symbols: readonly string[]; startIndex: number; port: number }): Promise<ExchangeProcess> {
  const args = ['--import', 'tsx', EXCHANGE_SCRIPT, '--port', String(options.port), '--speed', '0', '--quiet'];
  args.push('--symbols', options.symbols.join(','), '--start-index', String(options.startIndex));
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = `${stderr}${chunk.toString('utf8')}`.slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  while (!(await isPortOpen(options.port))) {
    if (child.exitCode !== null) throw new Error(`the local exchange exited with code ${child.exitCode}:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the local exchange did not listen on port ${options.port} within 60 s:\n${stderr}`);
    }
    await sleep(100);
  }
  const baseUrl = `http://${LOCALHOST}:${options.port}`;
  return {
    pid: child.pid!,
    baseUrl,
    apiKey: DEMO_API_KEY,
    apiSecret: DEMO_API_SECRET,
    async advance(bars = 1) {
      const response = await fetch(`${baseUrl}/__admin/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ bars }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`POST /__admin/advance answered ${response.status}: ${text}`);
      return advanceReply.parse(JSON.parse(text)).released;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killed);
    },
  };
}

/**
 * Server-Sent Events at /events/bots: one poller shared by every open page asks Temporal for the bots' status
 * every POLL_MS while at least one page listens, and sends each bot's changed fields as ready HTML (the same
 * rendering as the pages). A failure is sent as `error` and the stream stays open, so pages recover by themselves.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { listBots } from './bots';
import { botFields } from './pages/bot-cells';
import type { DashboardSources } from './sources';

export const POLL_MS = 2_000;

export interface BotsEvent {
  readonly at: number;
  readonly error?: string;
  readonly bots: readonly {
    workflowId: string;
    symbol: string;
    mode: string;
    lastBarTime: number | null;
    fields: Record<string, string>;
    paused: boolean | null;
    equity: number | null;
    position: { side: string; entryTime: number; entryPrice: number } | null;
  }[];
}

export function eventRoutes(app: FastifyInstance, src: DashboardSources, pollMs = POLL_MS): void {
  const clients = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  const send = (res: ServerResponse, event: BotsEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`);

  async function poll(): Promise<void> {
    if (polling) return; // a slow Temporal must not pile up polls
    polling = true;
    let event: BotsEvent;
    try {
      const bots = await listBots(await src.temporal(), src.namespace);
      event = {
        at: Date.now(),
        bots: bots.map((b) => ({
          workflowId: b.workflowId,
          symbol: b.symbol,
          mode: b.mode,
          lastBarTime: b.status?.lastBar?.openTime ?? null,
          paused: b.status?.paused ?? null,
          equity: b.status?.equity ?? null,
          position: b.status?.position
            ? { side: b.status.position.side, entryTime: b.status.position.entryTime, entryPrice: b.status.position.entryPrice }
            : null,
          fields: botFields(b),
        })),
      };
    } catch (err) {
      event = { at: Date.now(), error: `Temporal: ${err instanceof Error ? err.message : String(err)}`, bots: [] };
    } finally {
      polling = false;
    }
    for (const res of clients) send(res, event);
  }

  app.get('/events/bots', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 3000\n\n');
    clients.add(res);
    timer ??= setInterval(() => void poll(), pollMs);
    void poll();
    req.raw.on('close', () => {
      clients.delete(res);
      if (clients.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    });
  });

  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', (done) => {
    clearInterval(timer);
    timer = undefined;
    for (const res of clients) res.end();
    clients.clear();
    done();
  });
}

/**
 * Server-Sent Events at /events/portfolio?mode=paper|live, as /events/bots (events.ts) does for the bots: one poller
 * per mode, shared by every open Portfolio page of that mode, asks Temporal for the portfolio's status and
 * PostgreSQL for the recorded refusals every POLL_MS while a page listens, and sends the fields as ready HTML. A
 * failure is sent as `error` and the stream stays open.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { TradingMode } from '../contracts/bot';
import { portfolioWorkflowId } from '../contracts/portfolio';
import { POLL_MS } from './events';
import { portfolioFields, refusalsHtml } from './pages/portfolio-cells';
import { portfolioQuery, validated } from './params';
import { findPortfolio } from './portfolio';
import { portfolioRefusals } from './portfolio-queries';
import type { DashboardSources } from './sources';

export interface PortfolioEvent {
  readonly at: number;
  readonly workflowId: string;
  readonly error?: string;
  /** False while Temporal has no portfolio of the mode. */
  readonly found: boolean;
  readonly fields: Record<string, string>;
}

/** One event: the portfolio's fields, the refusals table (an error box when PostgreSQL is away). */
export async function portfolioEvent(src: DashboardSources, mode: TradingMode): Promise<PortfolioEvent> {
  const workflowId = portfolioWorkflowId(mode);
  try {
    const p = await findPortfolio(await src.temporal(), src.namespace, mode);
    if (p === null) return { at: Date.now(), workflowId, found: false, fields: {} };
    const refusals = await portfolioRefusals(src.db, mode, p.symbols, p.status?.lastServed ?? Date.now()).catch((err: unknown) =>
      err instanceof Error ? err : new Error(String(err)),
    );
    return { at: Date.now(), workflowId, found: true, fields: { ...portfolioFields(p), 'pf-refusals': refusalsHtml(refusals) } };
  } catch (err) {
    return { at: Date.now(), workflowId, found: false, error: `Temporal: ${err instanceof Error ? err.message : String(err)}`, fields: {} };
  }
}

interface Poller {
  readonly clients: Set<ServerResponse>;
  timer: NodeJS.Timeout | undefined;
  polling: boolean;
}

export function portfolioEventRoutes(app: FastifyInstance, src: DashboardSources, pollMs = POLL_MS): void {
  const pollers = new Map<TradingMode, Poller>();

  async function poll(mode: TradingMode, poller: Poller): Promise<void> {
    if (poller.polling) return; // a slow Temporal must not pile up polls
    poller.polling = true;
    const event = await portfolioEvent(src, mode).finally(() => (poller.polling = false));
    for (const res of poller.clients) res.write(`data: ${JSON.stringify(event)}\n\n`);
  }

  app.get('/events/portfolio', (req, reply) => {
    const q = validated(portfolioQuery, req.query, reply);
    if (!q) return reply;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 3000\n\n');
    let poller = pollers.get(q.mode);
    if (poller === undefined) pollers.set(q.mode, (poller = { clients: new Set(), timer: undefined, polling: false }));
    const p = poller;
    p.clients.add(res);
    p.timer ??= setInterval(() => void poll(q.mode, p), pollMs);
    void poll(q.mode, p);
    req.raw.on('close', () => {
      p.clients.delete(res);
      if (p.clients.size === 0 && p.timer !== undefined) {
        clearInterval(p.timer);
        p.timer = undefined;
      }
    });
  });

  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', (done) => {
    for (const p of pollers.values()) {
      clearInterval(p.timer);
      p.timer = undefined;
      for (const res of p.clients) res.end();
      p.clients.clear();
    }
    done();
  });
}

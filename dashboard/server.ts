/**
 * The dashboard's Fastify app: auth first (token, control header), then pages, JSON API and the event stream.
 * Errors of a route become a JSON 500 with the reason; nothing a source throws stops the server.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { installAuth } from './auth';
import { eventRoutes } from './events';
import { portfolioEventRoutes } from './portfolio-events';
import type { DashboardOptions } from './options';
import { apiRoutes } from './routes-api';
import { pageRoutes } from './routes-pages';
import type { DashboardSources } from './sources';

export interface Dashboard {
  readonly app: FastifyInstance;
  /** The address to open (without the token: it is never printed). */
  readonly url: string;
  close(): Promise<void>;
}

export function buildDashboard(src: DashboardSources, options: Pick<DashboardOptions, 'token'>, extra: { pollMs?: number } = {}): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 });
  installAuth(app, options.token);
  pageRoutes(app, src);
  apiRoutes(app, src);
  eventRoutes(app, src, extra.pollMs);
  portfolioEventRoutes(app, src, extra.pollMs);
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no such page: ${req.method} ${req.url.split('?')[0]}` }));
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const code = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    return reply.code(code).send({ error: err.message ?? 'internal error' });
  });
  return app;
}

/** Builds and listens; `url` is http://host:port/. */
export async function startDashboard(src: DashboardSources, options: DashboardOptions, extra: { pollMs?: number } = {}): Promise<Dashboard> {
  const app = buildDashboard(src, options, extra);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { app, url: `http://${host}:${port}/`, close: () => app.close() };
}

/**
 * Token check on every request when a token is configured: `Authorization: Bearer <token>`, the HttpOnly cookie set
 * after a `?token=` visit (the redirect drops the token from the address bar and history), or nothing. Every POST
 * also needs the `x-dashboard: 1` header: a cross-site form cannot send it, so a page elsewhere cannot drive the
 * controls of a localhost dashboard through the operator's browser (CSRF).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const TOKEN_COOKIE = 'dashboard_token';
export const CONTROL_HEADER = 'x-dashboard';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function presentedToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  return cookieValue(request.headers.cookie, TOKEN_COOKIE);
}

function queryToken(request: FastifyRequest): string | undefined {
  const q = request.query;
  if (typeof q !== 'object' || q === null || !('token' in q)) return undefined;
  const t = (q as { token?: unknown }).token;
  return typeof t === 'string' ? t : undefined;
}

function pathWithoutToken(url: string): string {
  const parsed = new URL(url, 'http://dashboard.invalid');
  parsed.searchParams.delete('token');
  return `${parsed.pathname}${parsed.search}`;
}

export function installAuth(app: FastifyInstance, token: string | undefined): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'POST' && request.headers[CONTROL_HEADER] !== '1')
      return reply.code(403).send({ error: `controls need the ${CONTROL_HEADER}: 1 header (sent by the dashboard's own pages)` });
    if (token === undefined) return;
    const fromQuery = queryToken(request);
    if (fromQuery !== undefined && request.method === 'GET' && sameSecret(fromQuery, token)) {
      void reply
        .header('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`)
        .redirect(pathWithoutToken(request.url), 303);
      return reply;
    }
    const given = presentedToken(request);
    if (given === undefined)
      return reply.code(401).send({ error: 'this dashboard needs its token: open it with ?token=<DASHBOARD_TOKEN> or send Authorization: Bearer' });
    if (!sameSecret(given, token)) return reply.code(401).send({ error: 'wrong dashboard token' });
  });
}

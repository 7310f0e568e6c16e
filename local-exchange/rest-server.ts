/**
 * One HTTP request to the local exchange: admin endpoints first (never faulted or delayed), then armed REST faults
 * and delays, the route table, Binance's signature check for signed routes, and Binance's error JSON for failures.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_PREFIX, handleAdmin, type AdminTarget } from './admin-api';
import { BinanceApiError, binanceErrors } from './binance-errors';
import type { FaultInjector } from './fault-injector';
import { readBody, writeJson } from './http-io';
import { verifySignedRequest } from './request-auth';
import { RequestParams } from './request-params';
import { REST_ROUTES, type RestContext } from './rest-api';

export interface RestServerDeps {
  readonly ctx: RestContext;
  readonly faults: FaultInjector;
  readonly admin: AdminTarget;
  readonly credentials: { readonly apiKey: string; readonly apiSecret: string };
  readonly timestampToleranceMs: number;
  wall(): number;
  log(line: string): void;
  /** A delay that the server's stop() cuts short. */
  delay(ms: number): Promise<void>;
  stopped(): boolean;
}

export async function handleRestRequest(req: IncomingMessage, res: ServerResponse, deps: RestServerDeps): Promise<void> {
  const method = req.method ?? 'GET';
  const rawUrl = req.url ?? '/';
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  // Binance signs the query exactly as sent: keep it raw.
  const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
  try {
    const rawBody = await readBody(req);
    if (path.startsWith(ADMIN_PREFIX)) {
      const answer = handleAdmin(method, path, rawBody, deps.admin);
      writeJson(res, answer.status, answer.body);
      return;
    }
    const fault = deps.faults.takeRestFault(method, path);
    const delayMs = deps.faults.latencyMs + (deps.faults.takeSlowRequest(method, path) ?? 0);
    if (delayMs > 0) await deps.delay(delayMs);
    if (deps.stopped()) return;
    if (fault !== undefined) {
      res.writeHead(fault.status, fault.headers).end(fault.body);
      return;
    }
    const route = REST_ROUTES[`${method} ${path}`];
    if (route === undefined) {
      deps.log(`not implemented: ${method} ${path}`);
      throw binanceErrors.notImplemented(method, path);
    }
    const params = RequestParams.merge(rawQuery, rawBody);
    if (route.signed) {
      const apiKeyHeader = req.headers['x-mbx-apikey'];
      verifySignedRequest(
        { apiKeyHeader: Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader, rawQuery, rawBody, params },
        deps.credentials,
        deps.wall(),
        deps.timestampToleranceMs,
      );
    }
    writeJson(res, 200, route.handle(new RequestParams(params), deps.ctx));
  } catch (e) {
    if (e instanceof BinanceApiError) {
      writeJson(res, e.httpStatus, e.toJSON());
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    deps.log(`internal error on ${method} ${path}: ${message}`);
    writeJson(res, 500, binanceErrors.unknown(`An unknown error occurred while processing the request: ${message}`).toJSON());
  }
}

/**
 * The one /metrics endpoint of a process: the bot's registry (bot_*, and Node's process_* / nodejs_* defaults)
 * followed by the Temporal SDK's own exporter text (temporal_*), fetched from its internal 127.0.0.1 port at each
 * scrape. Both are Prometheus text format 0.0.4 with disjoint metric names, so their concatenation is one valid
 * exposition. When the SDK exporter does not answer (or this process's Runtime has none), the bot's metrics are
 * still served and bot_temporal_sdk_metrics_up is 0.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge } from 'prom-client';
import { botRegistry } from './bot-metrics';
import { metricsConfig, type MetricsConfig } from './metrics-config';
import { sdkExporterUrl } from './runtime-options';
import { logEvent } from './structured-log';

const SDK_FETCH_TIMEOUT_MS = 2_000;

const sdkUp = new Gauge({
  name: 'bot_temporal_sdk_metrics_up',
  help: "1 when this scrape included the Temporal SDK exporter's metrics, 0 when it did not answer",
  registers: [botRegistry],
});

let defaultsCollected = false;

/** The exposition text: the bot's registry, then the SDK's (or a comment saying why it is missing). */
export async function metricsText(sdkUrl: string | null): Promise<string> {
  let sdk = '';
  if (sdkUrl !== null) {
    try {
      const res = await fetch(sdkUrl, { signal: AbortSignal.timeout(SDK_FETCH_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      sdk = await res.text();
      sdkUp.set(1);
    } catch (err) {
      sdkUp.set(0);
      sdk = `# Temporal SDK metrics unavailable from ${sdkUrl}: ${(err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ')}\n`;
    }
  } else {
    sdkUp.set(0);
  }
  const own = await botRegistry.metrics();
  return `${own.endsWith('\n') ? own : `${own}\n`}${sdk}`;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics on config.host:config.port. The server does not keep the process alive (unref), so a worker
 * still exits when its workers stop even if close() is never reached.
 */
export async function startMetricsServer(config: MetricsConfig, options: { sdkUrl?: string | null } = {}): Promise<MetricsServer> {
  if (!defaultsCollected) {
    // Process CPU, memory, event-loop lag and GC, computed at scrape time (no timers).
    collectDefaultMetrics({ register: botRegistry });
    defaultsCollected = true;
  }
  // Only the exporter this process's Runtime really started (never whatever else might listen on the port).
  const sdkUrl = options.sdkUrl !== undefined ? options.sdkUrl : sdkExporterUrl();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metricsText(sdkUrl).then(
      (text) => res.writeHead(200, { 'content-type': botRegistry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  };
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Starts the server when METRICS_PORT is set (null otherwise) and logs where it listens. */
export async function startMetricsServerFromEnv(processName: string, env: NodeJS.ProcessEnv = process.env): Promise<MetricsServer | null> {
  const config = metricsConfig(env);
  if (config === null) return null;
  const server = await startMetricsServer(config);
  logEvent('INFO', 'metrics served', { process: processName, url: server.url, sdkExporter: sdkExporterUrl() });
  return server;
}

/**
 * The /metrics server against a stand-in for the Temporal SDK's exporter (the real one is scraped in
 * paper-metrics.test.ts): one response with the bot's registry followed by the SDK's text, and the bot's metrics
 * still served when the SDK exporter is down.
 */
import { createServer, type Server } from 'node:http';
import { recordRetrainOutcome, resetBotMetrics } from '../../observability/bot-metrics';
import { metricsConfig } from '../../observability/metrics-config';
import { startMetricsServer, startMetricsServerFromEnv, type MetricsServer } from '../../observability/metrics-server';
import { freePorts } from '../helpers/free-ports';

const SDK_TEXT =
  '# HELP temporal_request Count of client request successes by rpc name\n# TYPE temporal_request counter\ntemporal_request{operation="PollWorkflowTaskQueue"} 3\n';

let fakeSdk: Server | undefined;
let server: MetricsServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
  if (fakeSdk) await new Promise((resolve) => fakeSdk!.close(resolve));
  fakeSdk = undefined;
  resetBotMetrics();
});

async function startFakeSdk(port: number): Promise<void> {
  fakeSdk = createServer((req, res) => {
    if (req.url === '/metrics') res.writeHead(200, { 'content-type': 'text/plain' }).end(SDK_TEXT);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => fakeSdk!.listen(port, '127.0.0.1', resolve));
}

test("GET /metrics: the bot's registry and Node's defaults, then the SDK exporter's text, as one Prometheus text exposition", async () => {
  const [port, sdkPort] = (await freePorts(2)) as [number, number];
  await startFakeSdk(sdkPort);
  recordRetrainOutcome('BTCUSDT', 'manual', 'promoted');
  server = await startMetricsServer({ host: '127.0.0.1', port, sdkPort }, { sdkUrl: `http://127.0.0.1:${sdkPort}/metrics` });
  expect(server.url).toBe(`http://127.0.0.1:${port}/metrics`);
  const res = await fetch(server.url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const body = await res.text();
  expect(body).toContain('bot_retrains_total{symbol="BTCUSDT",reason="manual",outcome="promoted"} 1');
  expect(body).toContain('bot_temporal_sdk_metrics_up 1');
  expect(body).toContain('process_resident_memory_bytes');
  expect(body).toContain('nodejs_eventloop_lag_seconds');
  expect(body.endsWith(SDK_TEXT)).toBe(true);
  // Every metric family is declared once (no clash between the two sources).
  const types = body.split('\n').filter((l) => l.startsWith('# TYPE '));
  expect(new Set(types).size).toBe(types.length);
  expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
});

test('with the SDK exporter down the bot metrics are still served, and say so', async () => {
  const [port, sdkPort] = (await freePorts(2)) as [number, number];
  server = await startMetricsServer({ host: '127.0.0.1', port, sdkPort }, { sdkUrl: `http://127.0.0.1:${sdkPort}/metrics` });
  const body = await (await fetch(server.url)).text();
  expect(body).toContain('bot_temporal_sdk_metrics_up 0');
  expect(body).toContain(`# Temporal SDK metrics unavailable from http://127.0.0.1:${sdkPort}/metrics`);
});

test("without an SDK exporter in this process's Runtime, the SDK port is never read", async () => {
  const [port, sdkPort] = (await freePorts(2)) as [number, number];
  await startFakeSdk(sdkPort);
  // This jest process installed no Runtime with metrics: sdkExporterUrl() is null.
  server = await startMetricsServer({ host: '127.0.0.1', port, sdkPort });
  const body = await (await fetch(server.url)).text();
  expect(body).toContain('bot_temporal_sdk_metrics_up 0');
  expect(body).not.toContain('temporal_request');
});

test('from the environment: nothing without METRICS_PORT; a taken port is an error, not a silent fallback', async () => {
  expect(await startMetricsServerFromEnv('test', {})).toBeNull();
  const [port] = (await freePorts(1)) as [number];
  const first = await startMetricsServer(metricsConfig({ METRICS_PORT: String(port) })!);
  try {
    await expect(startMetricsServer(metricsConfig({ METRICS_PORT: String(port) })!)).rejects.toThrow(/EADDRINUSE/);
  } finally {
    await first.close();
  }
});

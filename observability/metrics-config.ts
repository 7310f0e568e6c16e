/**
 * Where a process serves /metrics, from the environment. Off unless METRICS_PORT is set, so tests and several
 * processes on one host never clash on a port. METRICS_HOST (default 127.0.0.1; 0.0.0.0 in a container) is what
 * the operator's Prometheus reaches. The Temporal SDK's own exporter listens on 127.0.0.1:METRICS_SDK_PORT
 * (default METRICS_PORT + 1), internal only: the /metrics server appends its text, so one scrape gets both.
 *
 * Why a fixed internal port and not a free one: the SDK exporter is bound when the Temporal Runtime is installed
 * (installQuietRuntime, synchronous and first thing in a process), before anything asynchronous could pick a port.
 */
export interface MetricsConfig {
  readonly host: string;
  readonly port: number;
  /** The Temporal SDK's Prometheus exporter, always on 127.0.0.1. */
  readonly sdkPort: number;
}

function port(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) throw new Error(`${name} must be a TCP port 1-65535 (got '${raw}')`);
  return value;
}

/** The metrics endpoint of this process, or null when METRICS_PORT is unset (metrics off). */
export function metricsConfig(env: NodeJS.ProcessEnv = process.env): MetricsConfig | null {
  const raw = env.METRICS_PORT?.trim();
  if (raw === undefined || raw === '') return null;
  const main = port('METRICS_PORT', raw);
  const sdkRaw = env.METRICS_SDK_PORT?.trim();
  const sdkPort = sdkRaw ? port('METRICS_SDK_PORT', sdkRaw) : main + 1;
  if (sdkPort === main) throw new Error(`METRICS_SDK_PORT must differ from METRICS_PORT (${main})`);
  if (sdkPort > 65_535) throw new Error(`METRICS_PORT ${main} leaves no port for the SDK exporter: set METRICS_SDK_PORT`);
  return { host: env.METRICS_HOST?.trim() || '127.0.0.1', port: main, sdkPort };
}

/** The bind address of the SDK's exporter (Runtime.install's telemetryOptions.metrics.prometheus.bindAddress). */
export function sdkBindAddress(config: MetricsConfig): string {
  return `127.0.0.1:${config.sdkPort}`;
}

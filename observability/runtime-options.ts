/**
 * The Temporal Runtime of a process, observed: the structured logger (LOG_LEVEL, default WARN) for the SDK's,
 * workflows' and activities' logs, native Core's own lines as JSON too when the format is JSON, and, when
 * METRICS_PORT is set, the SDK's Prometheus exporter on its internal port (metrics-config.ts).
 *
 * Why Core logs are not forwarded to the logger: forwarding holds the event loop open until the Runtime shuts down,
 * so a command that installed the Runtime but opened no connection would never exit. Core's JSON lines carry
 * `timestamp`, `level`, `fields.message` and `target` instead of ts / level / msg. Remembers whether this process's Runtime
 * really has that exporter, so /metrics never appends whatever else might listen on the port.
 */
import { IllegalStateError } from '@temporalio/common';
import { makeTelemetryFilterString, Runtime, type LogLevel, type RuntimeOptions } from '@temporalio/worker';
import { metricsConfig, sdkBindAddress } from './metrics-config';
import { createRuntimeLogger, logEvent, logFormat, logLevel } from './structured-log';

let sdkExporter: string | null = null;

export function observedRuntimeOptions(env: NodeJS.ProcessEnv = process.env, options: { metrics?: boolean } = {}): RuntimeOptions {
  const level: LogLevel = logLevel(env);
  const format = logFormat(env);
  const metrics = options.metrics === false ? null : metricsConfig(env);
  return {
    logger: createRuntimeLogger(level, format),
    telemetryOptions: {
      // Core's dependencies are chatty below ERROR; Core itself follows LOG_LEVEL, except its client's retry
      // warnings (`gRPC call ... retried N times`, several a second while Temporal is away): the dependency watch
      // (app/supervise-infra.ts) says once that Temporal went away and once that it is back.
      logging: {
        filter: `${makeTelemetryFilterString({ core: level, other: 'ERROR' })},temporalio_client::retry=ERROR`,
        console: { format: format === 'json' ? 'json' : 'compact' },
      },
      ...(metrics ? { metrics: { prometheus: { bindAddress: sdkBindAddress(metrics) } } } : {}),
    },
  };
}

/**
 * Runtime.install with the observed options (plus `extra`, e.g. shutdownSignals). Returns false when a Runtime was
 * already installed (by a host process such as a test): that one is kept. A taken SDK exporter port does not stop
 * the process: it runs without the SDK's metrics and says so.
 */
export function installObservedRuntime(extra: Partial<RuntimeOptions> = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  const options = observedRuntimeOptions(env);
  const address =
    options.telemetryOptions?.metrics && 'prometheus' in options.telemetryOptions.metrics ? options.telemetryOptions.metrics.prometheus.bindAddress : null;
  try {
    Runtime.install({ ...options, ...extra });
    sdkExporter = address;
    return true;
  } catch (err) {
    if (err instanceof IllegalStateError) return false;
    if (address === null) throw err;
    logEvent('WARN', 'Temporal SDK metrics exporter not started', { bindAddress: address, error: err instanceof Error ? err.message : String(err) });
    Runtime.install({ ...observedRuntimeOptions(env, { metrics: false }), ...extra });
    sdkExporter = null;
    return true;
  }
}

/** The /metrics URL of this process's SDK exporter, or null when its Runtime has none. */
export function sdkExporterUrl(): string | null {
  return sdkExporter === null ? null : `http://${sdkExporter}/metrics`;
}

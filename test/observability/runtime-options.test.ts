/**
 * installObservedRuntime: the SDK's Prometheus exporter when METRICS_PORT is set, and a process that still starts
 * (without the SDK's metrics, saying so) when the exporter's port is taken. A Runtime installs once per module
 * instance, so each case loads its own copy of the modules (jest.isolateModules).
 */
import { createServer } from 'node:net';
import type * as RuntimeOptionsModule from '../../observability/runtime-options';
import { freePorts } from '../helpers/free-ports';

function freshModule(): typeof RuntimeOptionsModule {
  let mod: typeof RuntimeOptionsModule | undefined;
  jest.isolateModules(() => {
    mod = jest.requireActual<typeof RuntimeOptionsModule>('../../observability/runtime-options');
  });
  return mod!;
}

function quietStdout(): jest.SpyInstance {
  return jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
}

test('with METRICS_PORT the Runtime carries the SDK exporter on 127.0.0.1:METRICS_SDK_PORT; a second install keeps the first', async () => {
  const [port, sdkPort] = (await freePorts(2)) as [number, number];
  const mod = freshModule();
  expect(mod.installObservedRuntime({}, { METRICS_PORT: String(port), METRICS_SDK_PORT: String(sdkPort) })).toBe(true);
  expect(mod.sdkExporterUrl()).toBe(`http://127.0.0.1:${sdkPort}/metrics`);
  const res = await fetch(mod.sdkExporterUrl()!);
  expect(res.status).toBe(200);
  expect(mod.installObservedRuntime({}, {})).toBe(false);
  expect(mod.sdkExporterUrl()).toBe(`http://127.0.0.1:${sdkPort}/metrics`);
});

test('a taken SDK exporter port: installed without the SDK metrics, with a structured warning', async () => {
  const [port, sdkPort] = (await freePorts(2)) as [number, number];
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(sdkPort, '127.0.0.1', resolve));
  const lines: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const mod = freshModule();
    process.env.LOG_FORMAT = 'json';
    expect(mod.installObservedRuntime({}, { METRICS_PORT: String(port), METRICS_SDK_PORT: String(sdkPort) })).toBe(true);
    expect(mod.sdkExporterUrl()).toBeNull();
  } finally {
    delete process.env.LOG_FORMAT;
    stdout.mockRestore();
    await new Promise((resolve) => blocker.close(resolve));
  }
  const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'Temporal SDK metrics exporter not started');
  expect(warning).toMatchObject({ level: 'warn', bindAddress: `127.0.0.1:${sdkPort}` });
  expect(String(warning!.error)).toMatch(/Address already in use/);
});

test('a bad LOG_LEVEL fails the start, before anything is installed', () => {
  const mod = freshModule();
  const stdout = quietStdout();
  try {
    expect(() => mod.installObservedRuntime({}, { LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
  } finally {
    stdout.mockRestore();
  }
});

// ensureTemporal against real `temporal server start-dev` processes from the project toolchain, on free ports
// and a temporary data dir, so a developer's running server is never touched.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { SEARCH_ATTRIBUTE_KEYS } from '../../contracts/search-attributes';
import { isPortOpen, sleep, spawnServer, stopPid, waitForPortClosed } from '../../infra/processes';
import { SEARCH_ATTRIBUTES, indexedValueType } from '../../infra/search-attributes';
import { ensureTemporal, startDevArgs, temporalSettings, type TemporalHandle } from '../../infra/temporal';
import { requireTemporalCli } from '../../infra/toolchain';
import { freePorts } from '../helpers/free-ports';
import * as activities from './fixtures/hello-activities';
import { helloWorkflow } from './fixtures/hello-workflow';

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'bot-infra-temporal-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** Custom search attributes of the namespace, name -> indexed value type. */
async function customSearchAttributes(address: string): Promise<Record<string, number>> {
  const connection = await Connection.connect({ address });
  try {
    return (await connection.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes;
  } finally {
    await connection.close();
  }
}

async function waitForPortOpen(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isPortOpen(port))) {
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

const expectedSearchAttributes = () => Object.fromEntries(SEARCH_ATTRIBUTES.map((a) => [a.name, indexedValueType(a.type)]));

describe('ensureTemporal with no TEMPORAL_ADDRESS', () => {
  let port: number;
  let uiPort: number;
  let handle: TemporalHandle | undefined;
  // Only BOT_DATA_DIR: a TEMPORAL_ADDRESS in the developer's environment must not redirect the test.
  const env = () => ({ BOT_DATA_DIR: dataDir });

  beforeAll(async () => {
    [port, uiPort] = (await freePorts(2)) as [number, number];
  });
  afterAll(async () => {
    await handle?.stop();
  });

  test('starts the dev server from the project toolchain, with the search attributes and the Web UI', async () => {
    const log: string[] = [];
    // Secrets of this process (loaded from .env) must not reach the server's environment.
    process.env.BINANCE_API_SECRET = 'fake-secret-must-not-leak';
    try {
      handle = await ensureTemporal({ env: env(), port, uiPort, log: (m) => log.push(m) });
    } finally {
      delete process.env.BINANCE_API_SECRET;
    }
    const pid = readFileSync(join(dataDir, 'temporal', 'server.pid'), 'utf8').trim();
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    expect(environ).toContain('PATH=');
    expect(environ).not.toContain('fake-secret-must-not-leak');

    expect(handle).toMatchObject({ address: `127.0.0.1:${port}`, namespace: 'default', uiUrl: `http://127.0.0.1:${uiPort}`, startedHere: true });
    expect(await customSearchAttributes(handle.address)).toMatchObject(expectedSearchAttributes());
    expect(await isPortOpen(uiPort)).toBe(true);
    expect(log.join('\n')).toContain(`Web UI: http://127.0.0.1:${uiPort}`);
    expect(existsSync(join(dataDir, 'temporal', 'temporal.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'temporal', 'server.pid'))).toBe(true);
  });

  test('a worker runs a workflow that uses an activity and a custom search attribute', async () => {
    const address = handle!.address;
    const taskQueue = 'infra-smoke-test';
    const workerConnection = await NativeConnection.connect({ address });
    const clientConnection = await Connection.connect({ address });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        namespace: 'default',
        taskQueue,
        workflowsPath: require.resolve('./fixtures/hello-workflow'),
        activities,
      });
      const client = new Client({ connection: clientConnection, namespace: 'default' });
      const workflowId = `hello-${Date.now()}`;
      const result = await worker.runUntil(
        client.workflow.execute(helloWorkflow, {
          taskQueue,
          workflowId,
          args: ['Temporal'],
          typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.Symbol, value: 'BTCUSDT' }],
        }),
      );

      expect(result).toBe('Hello, Temporal!');
      const description = await client.workflow.getHandle(workflowId).describe();
      expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.Symbol)).toBe('BTCUSDT');
      expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.WorkflowKind)).toBe('smoke-test');
    } finally {
      await clientConnection.close();
      await workerConnection.close();
    }
  });

  test('the SQLite store runs in write-ahead-log mode (no fsync per workflow task)', () => {
    // Bytes 18 and 19 of a SQLite file are its write and read format: 2 is WAL, 1 the rollback journal.
    const header = readFileSync(join(dataDir, 'temporal', 'temporal.db')).subarray(0, 20);
    expect([header[18], header[19]]).toEqual([2, 2]);
    expect(existsSync(join(dataDir, 'temporal', 'temporal.db-wal'))).toBe(true);
  });

  test('a second call on the same port reuses the server, and its stop() leaves it running', async () => {
    const reused = await ensureTemporal({ env: env(), port, uiPort });

    expect(reused).toMatchObject({ address: handle!.address, startedHere: false, uiUrl: `http://127.0.0.1:${uiPort}` });
    await reused.stop();
    expect(await isPortOpen(port)).toBe(true);
  });

  test('with TEMPORAL_ADDRESS it only connects, whatever the port options say', async () => {
    const external = await ensureTemporal({ env: { TEMPORAL_ADDRESS: handle!.address }, port: 1, uiPort: 2 });

    expect(external).toMatchObject({ address: handle!.address, startedHere: false, uiUrl: undefined });
  });

  test('stop() shuts the server down, frees the port and removes the pid file', async () => {
    await handle!.stop();

    expect(await isPortOpen(port)).toBe(false);
    expect(await isPortOpen(uiPort)).toBe(false);
    expect(existsSync(join(dataDir, 'temporal', 'server.pid'))).toBe(false);
    handle = undefined;
  });
});

describe('ensureTemporal reusing a server it did not start', () => {
  test('registers the search attributes that server lacks', async () => {
    const [port, uiPort] = (await freePorts(2)) as [number, number];
    const settings = temporalSettings({ env: {}, dataDir: join(dataDir, 'bare'), port, uiPort });
    // A dev server started by hand, without --search-attribute flags.
    const bare = await spawnServer({
      command: requireTemporalCli({}),
      args: startDevArgs(settings, false),
      logFile: settings.logFile,
      detached: false,
      exitSignal: 'SIGTERM',
    });
    try {
      await waitForPortOpen(port, 30_000);
      expect(Object.keys(await customSearchAttributes(`127.0.0.1:${port}`))).not.toContain('Symbol');

      const handle = await ensureTemporal({ env: {}, dataDir: join(dataDir, 'bare'), port, uiPort });

      expect(handle.startedHere).toBe(false);
      expect(await customSearchAttributes(handle.address)).toMatchObject(expectedSearchAttributes());
    } finally {
      await stopPid(bare.pid, [
        { signal: 'SIGTERM', waitMs: 10_000 },
        { signal: 'SIGKILL', waitMs: 2_000 },
      ]);
      await waitForPortClosed(port, 5_000);
    }
  });
});

describe('ensureTemporal with TEMPORAL_ADDRESS', () => {
  test('fails with a message naming the address when nothing answers there', async () => {
    const [closedPort] = (await freePorts(1)) as [number];
    const address = `127.0.0.1:${closedPort}`;

    await expect(ensureTemporal({ env: { TEMPORAL_ADDRESS: address, BOT_DATA_DIR: dataDir } })).rejects.toThrow(
      `Temporal at TEMPORAL_ADDRESS=${address} (namespace default) is not reachable`,
    );
    expect(await isPortOpen(closedPort)).toBe(false); // and nothing was started there
  });
});

// `scripts/infra.ts` as a developer runs it: up, status, down, on free ports and a temporary data dir.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPortOpen } from '../../infra/processes';
import { findProjectRoot } from '../../infra/toolchain';
import { freePorts } from '../helpers/free-ports';

const root = findProjectRoot(__dirname);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function infra(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      join(root, 'node_modules', '.bin', 'tsx'),
      [join(root, 'scripts', 'infra.ts'), ...args],
      { cwd: root, env, timeout: 90_000 },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      },
    );
  });
}

describe('npm run infra', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let ports: { temporal: number; ui: number; postgres: number };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bot-infra-cli-'));
    chmodSync(dataDir, 0o755); // reachable by the 'postgres' OS user when we are root
    const [temporal, ui, postgres] = (await freePorts(3)) as [number, number, number];
    ports = { temporal, ui, postgres };
    // No TEMPORAL_ADDRESS / DATABASE_URL from the developer's environment: this test must start its own.
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BOT_DATA_DIR: dataDir,
      TEMPORAL_PORT: String(temporal),
      TEMPORAL_UI_PORT: String(ui),
      PGPORT_EMBEDDED: String(postgres),
    };
  });
  afterAll(async () => {
    await infra(['down'], env); // in case a test failed half-way
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('up starts both servers in the background and prints where they are', async () => {
    const run = await infra(['up'], env);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Temporal   127.0.0.1:${ports.temporal}  namespace default  (started)`);
    expect(run.stdout).toContain(`Web UI     http://127.0.0.1:${ports.ui}`);
    expect(run.stdout).toContain(`PostgreSQL postgres://postgres:postgres@127.0.0.1:${ports.postgres}/bot  (started)`);
    // The CLI has exited; the servers have not.
    expect(await isPortOpen(ports.temporal)).toBe(true);
    expect(await isPortOpen(ports.postgres)).toBe(true);
  });

  test('status reports both running (exit 0)', async () => {
    const run = await infra(['status'], env);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Temporal   running on 127\\.0\\.0\\.1:${ports.temporal} \\(pid \\d+`));
    expect(run.stdout).toMatch(new RegExp(`PostgreSQL running on 127\\.0\\.0\\.1:${ports.postgres} \\(pid \\d+`));
  });

  test('down stops both; status then exits 1', async () => {
    const run = await infra(['down'], env);

    expect(run.stdout).toContain('Temporal   stopped');
    expect(run.stdout).toContain('PostgreSQL stopped');
    expect(await isPortOpen(ports.temporal)).toBe(false);
    expect(await isPortOpen(ports.postgres)).toBe(false);
    expect((await infra(['status'], env)).code).toBe(1);
  });

  test('an unknown command or option is a usage error (exit 2)', async () => {
    const unknownCommand = await infra(['restart'], env);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("unknown command 'restart' (expected up, down, status)");

    const unknownOption = await infra(['up', '--force'], env);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("Unknown option '--force'");
    expect(await isPortOpen(ports.temporal)).toBe(false); // nothing was started
  });
});

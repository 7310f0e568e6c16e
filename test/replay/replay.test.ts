/**
 * Deploys never break running bots: histories recorded by earlier versions of the workflow code (test/replay/
 * histories, gzipped protobuf from `RECORD_HISTORIES=<dir>` test runs) must replay against today's code without a
 * nondeterminism error. A change that fails here needs `patched()` or worker versioning (README, "Upgrading").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { installQuietRuntime } from '../../app/local-runtime';

jest.setTimeout(120_000);

const folder = join(__dirname, 'histories');
const files = readdirSync(folder).filter((f) => f.endsWith('.pb.gz'));
let bundle: WorkflowBundle;

beforeAll(async () => {
  installQuietRuntime();
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
});

test('the recorded histories cover every long-running workflow type', () => {
  const types = new Set(files.map((f) => f.split('--')[0]));
  expect([...types].sort()).toEqual(
    expect.arrayContaining([
      'BacktestTrainingWorkflow',
      'BacktestWorkflow',
      'MarketDataWorkflow',
      'PortfolioWorkflow',
      'RetrainWorkflow',
      'TradingBotWorkflow',
    ]),
  );
});

test.each(files)('%s replays against the current workflow code', async (file) => {
  const history = temporal.api.history.v1.History.decode(gunzipSync(readFileSync(join(folder, file))));
  const workflowId = file.split('--')[1]!;
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId)).resolves.toBeUndefined();
});

/**
 * Saves the history of every workflow of a test stack (protobuf, gzipped) when RECORD_HISTORIES names a folder, so replay
 * tests (test/replay) can check that changed workflow code still replays what running bots have recorded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { gzipSync } from 'node:zlib';

export async function recordHistories(client: Client, folder = process.env.RECORD_HISTORIES): Promise<void> {
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  for await (const execution of client.workflow.list()) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const name = `${execution.type}--${execution.workflowId}--${execution.runId}.pb.gz`.replace(/[^\w.-]+/g, '_');
    writeFileSync(join(folder, name), gzipSync(temporal.api.history.v1.History.encode(history).finish()));
  }
}

/**
 * A paper run rides out, one after the other and each while it holds a position: kill -9 of the Temporal dev server
 * (kept away for 20 s, then restarted by this process's supervisor), kill -9 of PostgreSQL (the same), and kill -9
 * of the market-data worker process (a separate process, started again 2 s later as a process manager would). The
 * market moves on meanwhile (bars close on the exchange). Afterwards every bar has exactly one decision and one
 * equity row, in order, no bar was handed to the bot twice, no trade is recorded twice; each outage got one
 * "went away" and one "is back" line from the supervisor; the recovery times are printed (README, Outages and
 * shutdown). Longer outages: npm run soak:outages.
 */
import { finishAndCheck, marketDataWorkerKill, openPosition, serverOutage, startDrillStack, type DrillStack, type OutageResult } from './fixtures/outage-drill';

jest.setTimeout(300_000);

const HOLD_MS = 20_000;

let stack: DrillStack;
const results: OutageResult[] = [];

beforeAll(async () => {
  const started = Date.now();
  stack = await startDrillStack();
  console.log(`stack up in ${Date.now() - started} ms`);
});

afterAll(async () => {
  if (results.length > 0) console.log(results.map((r) => JSON.stringify(r)).join('\n'));
  await stack?.stop();
});

function linesAbout(name: string, what: RegExp): string[] {
  return stack.lines.filter((l) => l.includes(name) && what.test(l));
}

test('Temporal dev server kill -9 for 20 s: restarted by the supervisor, the bot carries on', async () => {
  const held = await openPosition(stack);
  expect(held.position).not.toBeNull();
  const result = await serverOutage(stack, 'temporal', HOLD_MS);
  results.push(result);
  console.log(JSON.stringify(result));
  expect(result.position).not.toBeNull();
  expect(result.outageMs).toBeGreaterThanOrEqual(HOLD_MS);
  expect(linesAbout('Temporal', /went away/)).toHaveLength(1);
  expect(linesAbout('Temporal', /is back after/)).toHaveLength(1);
  // The workers stayed up (Core retries its polls through the outage) or were recreated: either way they poll.
  expect(stack.runtime.workers?.current()).toHaveLength(2);
});

test('PostgreSQL kill -9 for 20 s: restarted by the supervisor, the bot carries on', async () => {
  await openPosition(stack);
  const result = await serverOutage(stack, 'postgres', HOLD_MS);
  results.push(result);
  console.log(JSON.stringify(result));
  expect(result.position).not.toBeNull();
  expect(result.outageMs).toBeGreaterThanOrEqual(HOLD_MS);
  expect(linesAbout('PostgreSQL', /went away/)).toHaveLength(1);
  expect(linesAbout('PostgreSQL', /is back after/)).toHaveLength(1);
  // The standalone market-data worker saw both outages of servers it did not start: it waited, once each.
  const worker = stack.marketDataOutput();
  expect(worker.match(/"msg":"Temporal at \S+ went away/g)).toHaveLength(1);
  expect(worker.match(/"msg":"PostgreSQL at \S+ went away/g)).toHaveLength(1);
  expect(worker.match(/"msg":"[^"]+ is back after/g)).toHaveLength(2);
});

test('market-data worker process kill -9: a new process takes the stream over, no bar is lost', async () => {
  await openPosition(stack);
  const result = await marketDataWorkerKill(stack, 2_000);
  results.push(result);
  console.log(JSON.stringify(result));
  expect(result.position).not.toBeNull();
});

test('the whole run: one decision per bar, in order, none handed twice, no duplicated trade', async () => {
  const check = await finishAndCheck(stack);
  console.log(`${check.bars} bars, ${check.trades} trades; supervisor lines:\n${stack.lines.join('\n')}`);
  expect(check.final.barsProcessed).toBe(check.bars);
  expect(check.missing).toEqual([]);
  expect(check.repeatedInHistory).toEqual([]);
  expect(check.duplicateTrades).toBe(0);
  expect(check.trades).toBe(check.final.tradesClosed);
  expect(check.trades).toBeGreaterThanOrEqual(1);
});

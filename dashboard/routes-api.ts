/**
 * JSON endpoints: bots and one bot's history, and the controls. Controls go through the bot's `operate` update
 * (answered with the resulting status) and, for models, through the `setChampion` signal as `npm run models` does.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { botWorkflowId, operateUpdate, setChampionSignal } from '../contracts/bot';
import { portfolioWorkflowId } from '../contracts/portfolio';
import { lastRetired } from '../db/repositories/model-history';
import { getModel } from '../db/repositories/models';
import { listBots } from './bots';
import { describeError } from './pages/layout';
import { botFilter, botParams, operateBody, portfolioQuery, promoteBody, rollbackBody, validated } from './params';
import { portfolioView } from './portfolio-view';
import { botHistory, botMonitors } from './queries';
import type { DashboardSources } from './sources';

const UPDATE_MS = 15_000;

function unavailable(reply: FastifyReply, what: string, err: unknown): FastifyReply {
  return reply.code(503).send({ error: `${what}: ${describeError(err)}` });
}

export function apiRoutes(app: FastifyInstance, src: DashboardSources): void {
  app.get('/api/bots', async (req, reply) => {
    const f = validated(botFilter, req.query, reply);
    if (!f) return reply;
    try {
      return await listBots(await src.temporal(), src.namespace, f);
    } catch (err) {
      return unavailable(reply, 'Temporal', err);
    }
  });

  // The mode's portfolio (status, its bots, the refusals they recorded); 404 while Temporal has none.
  app.get('/api/portfolio', async (req, reply) => {
    const q = validated(portfolioQuery, req.query, reply);
    if (!q) return reply;
    const v = await portfolioView(src, q.mode);
    if (v.portfolio instanceof Error) return unavailable(reply, 'Temporal', v.portfolio);
    if (v.portfolio === null) return reply.code(404).send({ error: `no portfolio workflow ${portfolioWorkflowId(q.mode)} in Temporal` });
    const failed = (x: unknown) => (x instanceof Error ? describeError(x) : null);
    return {
      ...v.portfolio,
      bots: v.bots instanceof Error ? [] : v.bots,
      botsError: failed(v.bots),
      refusals: v.refusals instanceof Error ? null : v.refusals,
      refusalsError: failed(v.refusals),
    };
  });

  app.get('/api/bots/:symbol/:mode/history', async (req, reply) => {
    const p = validated(botParams, req.params, reply);
    if (!p) return reply;
    try {
      const [history, monitors] = await Promise.all([botHistory(src.db, p.symbol, p.mode), botMonitors(src.db, p.symbol, p.mode)]);
      return { history, monitors };
    } catch (err) {
      return unavailable(reply, 'PostgreSQL', err);
    }
  });

  app.post('/api/bots/:symbol/:mode/operate', async (req, reply) => {
    const p = validated(botParams, req.params, reply);
    const body = p && validated(operateBody, req.body, reply);
    if (!p || !body) return reply;
    const id = botWorkflowId(p.symbol, p.mode);
    try {
      const client = await src.temporal();
      const status = await client.withDeadline(Date.now() + UPDATE_MS, () =>
        client.workflow.getHandle(id).executeUpdate(operateUpdate, { args: [body.command] }),
      );
      return { message: `${body.command}: done`, status };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return reply.code(404).send({ error: `no running bot ${id}` });
      return unavailable(reply, `${body.command} ${id}`, err);
    }
  });

  app.post('/api/models/promote', async (req, reply) => {
    const body = validated(promoteBody, req.body, reply);
    if (!body) return reply;
    const model = await getModel(src.db, body.version).catch((err: unknown) => err as Error);
    if (model instanceof Error) return unavailable(reply, 'PostgreSQL', model);
    if (model === null) return reply.code(404).send({ error: `unknown model version ${body.version}` });
    if (model.purpose !== 'live') return reply.code(400).send({ error: `${body.version} was trained inside a backtest and cannot serve a bot` });
    return signalChampion(reply, src, model.symbol, body.mode, model.version);
  });

  app.post('/api/models/rollback', async (req, reply) => {
    const body = validated(rollbackBody, req.body, reply);
    if (!body) return reply;
    const previous = await lastRetired(src.db, body.symbol).catch((err: unknown) => err as Error);
    if (previous instanceof Error) return unavailable(reply, 'PostgreSQL', previous);
    if (previous === null) return reply.code(409).send({ error: `no retired ${body.symbol} model to roll back to` });
    return signalChampion(reply, src, body.symbol, body.mode, previous.version);
  });
}

async function signalChampion(reply: FastifyReply, src: DashboardSources, symbol: string, mode: 'paper' | 'live', version: string) {
  const id = botWorkflowId(symbol, mode);
  try {
    const handle = (await src.temporal()).workflow.getHandle(id);
    const info = await handle.describe();
    if (info.status.name !== 'RUNNING') return reply.code(409).send({ error: `bot ${id} is not running (${info.status.name})` });
    await handle.signal(setChampionSignal, version);
    return { message: `${id} will trade ${version} from its next bar (the registry follows)` };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return reply.code(404).send({ error: `no bot ${id} in Temporal` });
    return unavailable(reply, 'Temporal', err);
  }
}

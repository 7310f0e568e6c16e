/**
 * The HTML pages. Each source is read on its own, so a missing Temporal or PostgreSQL shows as an error box on the
 * page while the rest still renders.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { listAlerts } from '../db/repositories/alerts-sent';
import { listModels } from '../db/repositories/models';
import { statusEventsOf } from '../db/repositories/model-status-events';
import { echartsSource } from '../reports/echarts-asset';
import { findBot, listBots } from './bots';
import { alertsPage } from './pages/alerts-page';
import { backtestsPage } from './pages/backtests-page';
import { botPage } from './pages/bot-page';
import { botsPage } from './pages/bots-page';
import { modelsPage } from './pages/models-page';
import { botParams, portfolioQuery, runParams, sweepParams, validated } from './params';
import { portfolioPage } from './pages/portfolio-page';
import { portfolioView } from './portfolio-view';
import { sweepsPage } from './pages/sweeps-page';
import { listSweeps, sweepOutDir } from './sweep-queries';
import { backtestOutDir, botHistory, botMonitors, listBacktestRuns } from './queries';
import type { DashboardSources } from './sources';

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));
const settle = <T>(p: Promise<T>): Promise<T | Error> => p.catch(asError);
/** Alerts on a bot's page; the Alerts page has the rest. */
const BOT_ALERTS = 20;

export function pageRoutes(app: FastifyInstance, src: DashboardSources): void {
  app.get('/', async (_req, reply) => {
    const bots = await settle(src.temporal().then((c) => listBots(c, src.namespace)));
    return reply.type('text/html; charset=utf-8').send(botsPage(bots, src.temporalUiUrl, src.namespace));
  });

  app.get('/portfolio', async (req, reply) => {
    const q = validated(portfolioQuery, req.query, reply);
    if (!q) return reply;
    return reply.type('text/html; charset=utf-8').send(portfolioPage(await portfolioView(src, q.mode)));
  });

  app.get('/bots/:symbol/:mode', async (req, reply) => {
    const p = validated(botParams, req.params, reply);
    if (!p) return reply;
    const [bot, history, monitors, alerts] = await Promise.all([
      settle(src.temporal().then((c) => findBot(c, src.namespace, p.symbol, p.mode))),
      settle(botHistory(src.db, p.symbol, p.mode)),
      settle(botMonitors(src.db, p.symbol, p.mode)),
      settle(listAlerts(src.db, { symbol: p.symbol, mode: p.mode, limit: BOT_ALERTS })),
    ]);
    const html = botPage({ ...p, bot, history, monitors, alerts, uiUrl: src.temporalUiUrl, namespace: src.namespace });
    return reply.type('text/html; charset=utf-8').send(html);
  });

  // ECharts from node_modules, served by the app itself (no CDN) and cached, so a bot page stays small.
  app.get('/assets/echarts.min.js', async (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(echartsSource()),
  );

  app.get('/models', async (_req, reply) => {
    const models = await settle(listModels(src.db, { purpose: 'live', limit: 200 }));
    const history =
      models instanceof Error
        ? models
        : await settle(
            statusEventsOf(
              src.db,
              models.map((m) => m.version),
            ),
          );
    return reply.type('text/html; charset=utf-8').send(modelsPage(models, history));
  });

  app.get('/alerts', async (_req, reply) => {
    return reply.type('text/html; charset=utf-8').send(alertsPage(await settle(listAlerts(src.db, { limit: 200 }))));
  });

  app.get('/backtests', async (_req, reply) => {
    return reply.type('text/html; charset=utf-8').send(backtestsPage(await settle(listBacktestRuns(src.db))));
  });

  // report.html is self-contained (ECharts inlined by reports/), so serving the one file is enough.
  app.get('/backtests/:runId/report.html', async (req, reply) => {
    const p = validated(runParams, req.params, reply);
    if (!p) return reply;
    const row = await settle(backtestOutDir(src.db, p.runId));
    const dir = !(row instanceof Error) && row.outDir !== null ? row.outDir : join(src.backtestsDir, p.runId);
    const html = await readFile(join(dir, 'report.html'), 'utf8').catch(() => null);
    if (html === null) return reply.code(404).send({ error: `no report.html for backtest run ${p.runId}` });
    return reply.type('text/html; charset=utf-8').send(html);
  });

  app.get('/sweeps', async (_req, reply) => {
    return reply.type('text/html; charset=utf-8').send(sweepsPage(await settle(listSweeps(src.db))));
  });

  // A sweep's report.html is self-contained too; its folder is the one its row names.
  app.get('/sweeps/:sweepId/report.html', async (req, reply) => {
    const p = validated(sweepParams, req.params, reply);
    if (!p) return reply;
    const dir = await settle(sweepOutDir(src.db, p.sweepId));
    if (dir instanceof Error) return reply.code(503).send({ error: `PostgreSQL: ${dir.message}` });
    const html = dir === null ? null : await readFile(join(dir, 'report.html'), 'utf8').catch(() => null);
    if (html === null) return reply.code(404).send({ error: `no report.html for sweep ${p.sweepId}` });
    return reply.type('text/html; charset=utf-8').send(html);
  });
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { projectRoot } from '../../config/project-root';

// No Docker engine runs here, so the production compose file is checked for structure and consistency.
const service = z.object({
  image: z.string().optional(),
  build: z.unknown().optional(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  depends_on: z.union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.string() }))]).optional(),
  ports: z.array(z.string()).optional(),
  volumes: z.array(z.string()).optional(),
});
const compose = z.object({ services: z.record(z.string(), service), volumes: z.record(z.string(), z.unknown()).optional() });

const root = projectRoot();
const file = compose.parse(parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }));
const services = file.services;
const workers = Object.entries(services).filter(([name]) => name.startsWith('worker-'));

describe('docker-compose.yml', () => {
  it('has the production services', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'setup', 'prometheus']));
    expect(workers.map(([name]) => name).sort()).toEqual(['worker-market-data', 'worker-trading', 'worker-training']);
  });

  it('only depends on services it defines', () => {
    for (const [name, svc] of Object.entries(services)) {
      const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
      for (const dep of deps) expect(`${name} -> ${dep}: ${dep in services}`).toBe(`${name} -> ${dep}: true`);
    }
  });

  it('runs worker entry points that exist in the repository', () => {
    for (const [name, svc] of [...workers, ['setup', services.setup!] as const]) {
      const script = svc.command?.find((part) => part.endsWith('.ts'));
      expect(`${name}: ${script}`).toMatch(/\.ts$/);
      expect(`${name}: ${existsSync(join(root, script!))}`).toBe(`${name}: true`);
    }
  });

  it('wires every worker to the Temporal and PostgreSQL services with consistent credentials', () => {
    const pg = services.postgres!.environment!;
    for (const [name, svc] of workers) {
      const env = svc.environment!;
      expect(`${name}: ${env.TEMPORAL_ADDRESS}`).toBe(`${name}: temporal:7233`);
      const url = new URL(String(env.DATABASE_URL).replace('${BOT_DB_PASSWORD:-bot}', 'bot'));
      expect([url.hostname, url.port, url.username, url.pathname.slice(1)]).toEqual(['postgres', '5432', pg.POSTGRES_USER, pg.POSTGRES_DB]);
      expect(env.BINANCE_API_KEY).toBeDefined();
    }
    expect(services.temporal!.environment!.POSTGRES_SEEDS).toBe('postgres');
    expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services['temporal-ui']!.ports).toContain('8233:8080');
  });

  it('serves /metrics from every worker and has Prometheus scrape each of them (every replica, by DNS)', () => {
    const prometheus = services.prometheus!;
    // Pinned, never :latest, so a redeploy cannot change the scraper underneath the dashboards.
    expect(prometheus.image).toMatch(/^prom\/prometheus:v3\.\d+\.\d+$/);
    const mount = prometheus.volumes?.find((v) => v.endsWith(':/etc/prometheus/prometheus.yml:ro'));
    expect(mount).toBeDefined();
    const configPath = join(root, mount!.split(':')[0]!);
    expect(existsSync(configPath)).toBe(true);

    const scrape = z.object({
      scrape_configs: z.array(
        z.object({
          job_name: z.string(),
          metrics_path: z.string().default('/metrics'),
          dns_sd_configs: z.array(z.object({ names: z.array(z.string()), type: z.literal('A'), port: z.number() })).default([]),
          static_configs: z.array(z.object({ targets: z.array(z.string()) })).default([]),
        }),
      ),
    });
    const config = scrape.parse(parse(readFileSync(configPath, 'utf8')));
    const targets = new Set(
      config.scrape_configs.flatMap((job) => [
        ...job.dns_sd_configs.flatMap((sd) => sd.names.map((name) => `${name}:${sd.port}${job.metrics_path}`)),
        ...job.static_configs.flatMap((sc) => sc.targets.map((t) => `${t}${job.metrics_path}`)),
      ]),
    );
    for (const [name, svc] of workers) {
      const env = svc.environment!;
      // Off unless METRICS_PORT is set (observability/metrics-config.ts); in a container it must listen beyond loopback.
      expect(`${name}: ${env.METRICS_HOST}`).toBe(`${name}: 0.0.0.0`);
      const port = Number(env.METRICS_PORT);
      expect(Number.isInteger(port) && port > 0 && port < 65_535).toBe(true);
      expect(`${name}: ${targets.has(`${name}:${port}/metrics`)}`).toBe(`${name}: true`);
    }
  });
});

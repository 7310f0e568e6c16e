/**
 * An HTTP proxy in front of the local exchange that can lose answers: a request is forwarded (so the exchange
 * executes it) but the client gets a 503, an empty JSON object or no answer at all, which is what makes an
 * order's outcome ambiguous.
 * It can also answer chosen requests itself without forwarding them, and counts what reached the exchange.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Match {
  readonly method: string;
  /** Path without the query, e.g. /fapi/v1/order. */
  readonly path: string;
  /** Let this many matching requests through before the rule applies. Default 0. */
  readonly skip?: number;
  /** How many matching requests the rule applies to. Default 1. */
  readonly count?: number;
}

/** What the client gets instead of the exchange's answer. */
type LostAnswer = 503 | 'empty' | 'hang';

type Rule =
  (Match & { readonly kind: 'lose'; readonly answer: LostAnswer }) | (Match & { readonly kind: 'fake'; readonly status: number; readonly body: string });

export class LossyProxy {
  private readonly rules: { rule: Rule; skip: number; remaining: number }[] = [];
  private readonly forwarded: string[] = [];
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  static async start(targetBaseUrl: string): Promise<LossyProxy> {
    const server = createServer();
    const proxy = new LossyProxy(server, new URL(targetBaseUrl));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void proxy.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Forward the matching requests, but answer 503, `{}` (status 200) or nothing to the client. */
  loseAnswers(match: Match & { answer: LostAnswer }): void {
    this.add({ ...match, kind: 'lose' });
  }

  /** Answer the matching requests with `status` and `body` without forwarding them. */
  fakeAnswers(match: Match & { status: number; body: string }): void {
    this.add({ ...match, kind: 'fake' });
  }

  /** How many requests with this method and path reached the exchange. */
  forwardedCount(method: string, path: string): number {
    return this.forwarded.filter((f) => f === `${method} ${path}`).length;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private add(rule: Rule): void {
    this.rules.push({ rule, skip: rule.skip ?? 0, remaining: rule.count ?? 1 });
  }

  private takeRule(method: string, path: string): Rule | undefined {
    for (const entry of this.rules) {
      if (entry.remaining <= 0 || entry.rule.method !== method || entry.rule.path !== path) continue;
      if (entry.skip > 0) {
        entry.skip--;
        continue;
      }
      entry.remaining--;
      return entry.rule;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? url;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const rule = this.takeRule(method, path);
    if (rule?.kind === 'fake') {
      res.writeHead(rule.status, { 'content-type': 'application/json' }).end(rule.body);
      return;
    }
    this.forwarded.push(`${method} ${path}`);
    let answer: Awaited<ReturnType<LossyProxy['forward']>>;
    try {
      answer = await this.forward(method, url, req.headers, body);
    } catch (err) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (rule?.kind === 'lose') {
      if (rule.answer === 'hang') this.hanging.add(res);
      else if (rule.answer === 'empty') res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable.');
      return;
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
  }

  private forward(method: string, url: string, headers: IncomingMessage['headers'], body: Buffer) {
    return new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
      const outgoing = httpRequest(
        { host: this.target.hostname, port: this.target.port, method, path: url, headers: { ...headers, host: this.target.host } },
        (incoming) => {
          const parts: Buffer[] = [];
          incoming.on('data', (part: Buffer) => parts.push(part));
          incoming.on('end', () =>
            resolve({
              status: incoming.statusCode ?? 502,
              headers: { 'content-type': String(incoming.headers['content-type'] ?? 'application/json') },
              body: Buffer.concat(parts),
            }),
          );
          incoming.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}

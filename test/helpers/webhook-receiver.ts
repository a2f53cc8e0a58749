import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  path: string;
  id: string;
  type: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  headers: IncomingMessage['headers'];
}

/** What the receiver answers on a path: a status (200 by default; 204 once verified, after `delayMs`), or a redirect. */
export type Answer = { status: number; location?: string; delayMs?: number };

/**
 * A webhook endpoint on 127.0.0.1, as a customer would run one: every request on a path with a
 * secret is verified with standardwebhooks' `Webhook.verify`; a request that fails verification is
 * kept apart (and answered 400), so a test can assert there were none.
 */
export class WebhookReceiver {
  readonly events: ReceivedEvent[] = [];
  readonly rejected: { path: string; reason: string }[] = [];
  /** Every request, verified or not, by path. */
  readonly hits = new Map<string, number>();
  private readonly secrets = new Map<string, string>();
  private readonly answers = new Map<string, (n: number) => Answer>();
  private server?: Server;
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Requests to `path` are verified with `secret` from now on. */
  secret(path: string, secret: string): void {
    this.secrets.set(path, secret);
  }

  /** How `path` answers its n-th request (1-based). */
  answer(path: string, answer: (n: number) => Answer): void {
    this.answers.set(path, answer);
  }

  on(path: string, type?: string): ReceivedEvent[] {
    return this.events.filter((e) => e.path === path && (type === undefined || e.type === type));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = (this.hits.get(path) ?? 0) + 1;
      this.hits.set(path, n);
      const answer = this.answers.get(path)?.(n) ?? { status: 200 };
      if (answer.status >= 300 && answer.status < 400) {
        res.writeHead(answer.status, { location: answer.location ?? '/' }).end();
        return;
      }
      if (answer.status !== 200) {
        res.writeHead(answer.status).end('receiver failing on purpose');
        return;
      }
      const secret = this.secrets.get(path);
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        if (!secret) throw new Error('no secret for this path');
        const payload = new Webhook(secret).verify(body, req.headers as Record<string, string>) as ReceivedEvent['payload'];
        if (req.headers['content-type'] !== 'application/json') throw new Error(`content-type ${req.headers['content-type']}`);
        this.events.push({ path, id: String(req.headers['webhook-id']), type: payload.type, payload, headers: req.headers });
        if (answer.delayMs) setTimeout(() => res.writeHead(204).end(), answer.delayMs);
        else res.writeHead(204).end();
      } catch (err) {
        this.rejected.push({ path, reason: (err as Error).message });
        res.writeHead(400).end();
      }
    });
  }
}

/** A minimal HTTP client for the benchmark's set-up calls and timed single requests (127.0.0.1 only). */
import { Agent, request } from 'node:http';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed JSON body when it is an object, otherwise undefined. */
  json: Record<string, unknown> | undefined;
  /** Milliseconds from sending the request to the end of the response body. */
  ms: number;
}

export interface HttpOptions {
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  agent?: Agent;
}

export function httpRequest(method: string, url: string, opts: HttpOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') {
    return Promise.reject(new Error(`the benchmark only talks to 127.0.0.1, not ${target.hostname}`));
  }
  const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method,
        headers,
        agent: opts.agent ?? false,
        timeout: opts.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            const parsed: unknown = text ? JSON.parse(text) : undefined;
            json = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${target.pathname}: no answer within ${opts.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

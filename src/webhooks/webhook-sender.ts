import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { isPublicAddress, safeLookup } from './url-safety';

/** What one attempt ended with; `error` is short and never holds a secret. */
export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  headers: Record<string, string>;
}

/** The most of an answer read before the connection is dropped: nothing in it is used. */
const MAX_RESPONSE_BYTES = 16 * 1024;
export const USER_AGENT = 'Kaizen-Studio-Webhooks/1.0 (+https://kaizen.studio)';

function describe(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EUNSAFEADDRESS':
      return err.message;
    default:
      return err.code ? `network error ${err.code}` : err.message;
  }
}

/**
 * One POST of a signed event. Connects only to a public address unless allowed (checked on the
 * address actually connected to), never follows a redirect (a 3xx is a failure), reads at most
 * MAX_RESPONSE_BYTES of the answer, and gives up after `timeoutMs` in all.
 */
export function sendWebhook(rawUrl: string, body: string, options: SendOptions): Promise<SendResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return finish({ ok: false, statusCode: null, error: 'invalid url' });
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    // An IP literal is connected to without a lookup, so it is checked here.
    if (!options.allowPrivate && isIP(host) && !isPublicAddress(host)) {
      return finish({ ok: false, statusCode: null, error: 'url points at a non-public address' });
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      // A fresh connection per attempt: no pooled socket outlives the check of its address.
      agent: false,
      lookup: safeLookup(options.allowPrivate) as never,
      headers: {
        ...options.headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': USER_AGENT,
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ ok: false, statusCode: null, error: `timed out after ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, statusCode: null, error: describe(err) }));
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      let read = 0;
      const done = () => {
        const ok = status >= 200 && status < 300;
        const error = ok
          ? null
          : status >= 300 && status < 400
            ? `HTTP ${status}: redirects are not followed`
            : `HTTP ${status}`;
        finish({ ok, statusCode: status, error });
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read >= MAX_RESPONSE_BYTES) done();
      });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.end(body);
  });
}

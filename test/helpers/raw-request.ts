import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

/**
 * One request written byte for byte as given: the path and header values are sent as latin1 (so
 * '\xff' is the byte 0xFF), the body as the bytes passed. fetch() would re-encode a URL and refuse
 * such headers, and a client that means harm does neither.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Buffer | string; localAddress?: string } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        // Any 127.x.y.z is this machine: binding to one lets a test act as a distinct client or proxy.
        localAddress: options.localAddress,
        method,
        path,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

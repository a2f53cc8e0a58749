import type { IncomingMessage } from 'node:http';

/** Routes whose handlers need the exact bytes received: a signature over the body is checked on them. */
const RAW_BODY_PATHS = ['/api/v1/secret-scanning/'];

type WithRawBody = IncomingMessage & { rawBody?: Buffer };

/** Called by the body parser with the bytes it parsed: keeps them on the request where a route needs them. */
export function keepRawBody(req: IncomingMessage, body: Buffer): void {
  if (RAW_BODY_PATHS.some((path) => req.url?.startsWith(path))) (req as WithRawBody).rawBody = body;
}

/** The bytes of the request's body as received, on the routes that keep them. */
export function rawBodyOf(req: IncomingMessage): Buffer | undefined {
  return (req as WithRawBody).rawBody;
}

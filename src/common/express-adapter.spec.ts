import { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { PrototypedExpressAdapter } from './express-adapter';

describe('PrototypedExpressAdapter', () => {
  it('serves requests and responses born with Express’s prototypes, so Express’s setPrototypeOf changes nothing', async () => {
    const adapter = new PrototypedExpressAdapter();
    const app = adapter.getInstance<express.Express>();
    const seen: unknown[] = [];
    // Before Express's own handling: what the server created.
    adapter.initHttpServer({});
    const server = adapter.getHttpServer();
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen.push(Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response);
      seen.push(req instanceof IncomingMessage, res instanceof ServerResponse);
    });
    app.get('/x', (req, res) => {
      res.json({ ip: typeof req.ip, query: req.query, header: req.get('x-test') });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/x?a=1`, { headers: { 'x-test': 'yes' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ip: 'string', query: { a: '1' }, header: 'yes' });
      expect(seen).toEqual([true, true, true, true]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

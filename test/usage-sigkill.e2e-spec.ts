import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from './helpers/server-process';

// With Redis, every answered request is counted in Redis as it is answered, so a process killed
// without warning has lost nothing it answered: another instance (here: the restarted one) moves
// the counts to the database.
const withRedis = process.env.REDIS_URL ? describe : describe.skip;

withRedis('usage survives SIGKILL with Redis (e2e, compiled server)', () => {
  it('an API process killed under load loses none of the requests it answered', async () => {
    const env = {
      LOG_LEVEL: 'warn',
      // A flush interval far longer than the test: without Redis every count would still be in memory.
      USAGE_FLUSH_MS: '60000',
      ...(process.env.DATABASE_URL ? {} : { PGLITE_DATA_DIR: mkdtempSync(join(tmpdir(), 'kaizen-sigkill-')) }),
    };
    const first = await startServerProcess(env);
    const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, string> });
    const reg = await fetch(`${first.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `sigkill-${Date.now()}@example.com`, password: 'correct-horse-9', name: 'K', organization_name: 'K' }),
    }).then(json);
    const token = reg.body.access_token;
    const key = await fetch(`${first.baseUrl}/api/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'k', scopes: ['agents:read'], rate_limit: 100000 }),
    }).then(json);

    // Four clients in a loop for about a second and a half; then SIGKILL in the middle of it.
    let answered = 0;
    let unanswered = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        try {
          const res = await fetch(`${first.baseUrl}/api/v1/agents`, { headers: { 'x-api-key': key.body.key } });
          await res.arrayBuffer();
          if (res.status === 200) answered += 1;
        } catch {
          unanswered += 1; // sent, never answered: the process died with it
          return;
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    first.child.kill('SIGKILL');
    await Promise.all(clients);
    stop = true;
    expect(answered).toBeGreaterThan(20);

    const second = await startServerProcess({ ...env, USAGE_FLUSH_MS: '200' });
    try {
      const history = async () => {
        const res = await fetch(`${second.baseUrl}/api/v1/api-keys/${key.body.id}/usage/history`, {
          headers: { authorization: `Bearer ${token}` },
        }).then(json);
        return Number((res.body as unknown as { data: { served_count: number }[] }).data[0]?.served_count ?? 0);
      };
      const served = await history();
      // Nothing answered is lost; at most the requests in flight at the kill are counted without an answer.
      expect(served).toBeGreaterThanOrEqual(answered);
      expect(served).toBeLessThanOrEqual(answered + unanswered);
    } finally {
      await second.terminate();
    }
  });
});

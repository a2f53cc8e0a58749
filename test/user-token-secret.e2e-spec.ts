import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from './helpers/server-process';

// Without JWT_SECRET the service generates one on its first start and keeps it in the database, so a
// user's token survives a restart and works on every instance that shares the database.
describe('access tokens without JWT_SECRET (e2e, compiled server)', () => {
  const env = {
    JWT_SECRET: '', // unset: the secret comes from the database
    LOG_LEVEL: 'warn',
    ...(process.env.DATABASE_URL ? {} : { PGLITE_DATA_DIR: mkdtempSync(join(tmpdir(), 'kaizen-jwt-')) }),
  };

  async function register(baseUrl: string): Promise<string> {
    const res = await fetch(`${baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `jwt-${Date.now()}-${Math.random()}@example.com`, password: 'correct-horse-9', name: 'J', organization_name: 'J' }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  const me = (baseUrl: string, token: string) =>
    fetch(`${baseUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  it('a token outlives the process that signed it', async () => {
    const first = await startServerProcess(env);
    const token = await register(first.baseUrl);
    expect(await me(first.baseUrl, token)).toBe(200);
    await first.terminate();
    const second = await startServerProcess(env);
    try {
      expect(await me(second.baseUrl, token)).toBe(200);
    } finally {
      await second.terminate();
    }
  });

  (process.env.DATABASE_URL ? it : it.skip)('a token signed by one instance is accepted by another', async () => {
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    try {
      const token = await register(a.baseUrl);
      expect(await me(b.baseUrl, token)).toBe(200);
      const other = await register(b.baseUrl);
      expect(await me(a.baseUrl, other)).toBe(200);
    } finally {
      await Promise.all([a.terminate(), b.terminate()]);
    }
  });
});

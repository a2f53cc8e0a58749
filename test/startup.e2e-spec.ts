import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { kill, privatePort, spawnServer, waitUntilHealthy } from './helpers/process-tools';

/**
 * What an operator sees when the compiled server starts: JSON lines only, one line with the URL
 * and the docs URL, one per migration applied; and when it cannot start, exit 1 quickly with one
 * line naming the problem and the fix.
 */
const PG = { host: '127.0.0.1', port: 5432 };
const JWT_SECRET = 'startup-test-secret-startup-test-secret-0';
// Generous for a loaded CI machine; the requirement is 5 s, measured figures are in the report.
const FAIL_WITHIN_MS = 15_000;

async function failsWithOneLine(env: Record<string, string | undefined>): Promise<{ line: Record<string, unknown>; tookMs: number }> {
  const server = spawnServer({ JWT_SECRET, PORT: String(await privatePort()), ...env });
  const { code, at } = await server.exited;
  const lines = server.lines();
  expect({ code, lines: lines.length, output: server.output() }).toEqual({ code: 1, lines: 1, output: expect.any(String) });
  expect(lines[0]).toMatchObject({ level: 60, msg: expect.stringMatching(/^cannot start: /) });
  console.log(`exit 1 after ${at - server.spawnedAt} ms (spawn to exit): ${String(lines[0].msg)}`);
  return { line: lines[0], tookMs: at - server.spawnedAt };
}

describe('start-up (compiled server)', () => {
  const migrations = readdirSync(join(__dirname, '..', 'src', 'database', 'migrations')).filter((f) => f.endsWith('.ts'));

  it('says where it listens and where the docs are, and names each migration it applied, in JSON lines', async () => {
    const port = await privatePort();
    const server = spawnServer({ JWT_SECRET, PORT: String(port), PGLITE_DATA_DIR: 'memory://', DATABASE_URL: undefined });
    try {
      await waitUntilHealthy(server, `http://127.0.0.1:${port}/api/v1/health`);
      const lines = server.lines();
      const listening = lines.filter((l) => /listening on/.test(String(l.msg)));
      expect(listening).toEqual([
        expect.objectContaining({ msg: `listening on http://localhost:${port}; API docs at http://localhost:${port}/api/docs` }),
      ]);
      const applied = lines.filter((l) => /^applied migration /.test(String(l.msg)));
      expect(applied).toHaveLength(migrations.length);
      // In order: what was applied, then where it listens.
      expect(lines.indexOf(applied[applied.length - 1])).toBeLessThan(lines.indexOf(listening[0]));
      expect(lines.some((l) => /successfully started|dependencies initialized|Mapped \{/.test(String(l.msg)))).toBe(false);
    } finally {
      await kill(server.child, 'SIGTERM');
    }
  });

  it('refuses a taken port with one line saying to set PORT, and never claims to have started', async () => {
    const port = await privatePort();
    const holder = spawnServer({ JWT_SECRET, PORT: String(port), PGLITE_DATA_DIR: 'memory://', DATABASE_URL: undefined });
    try {
      await waitUntilHealthy(holder, `http://127.0.0.1:${port}/api/v1/health`);
      const second = spawnServer({ JWT_SECRET, PORT: String(port), PGLITE_DATA_DIR: 'memory://', DATABASE_URL: undefined });
      const { code } = await second.exited;
      expect(code).toBe(1);
      const lines = second.lines();
      const errors = lines.filter((l) => Number(l.level) >= 50);
      expect(errors).toEqual([expect.objectContaining({ msg: `cannot start: port ${port} is in use; set PORT to a free port` })]);
      expect(lines.some((l) => /successfully started|listening on/.test(String(l.msg)))).toBe(false);
    } finally {
      await kill(holder.child, 'SIGTERM');
    }
  });

  describe('with a DATABASE_URL that does not work', () => {
    it('names a missing database and says to create it', async () => {
      const { line, tookMs } = await failsWithOneLine({ DATABASE_URL: `postgres://postgres@${PG.host}:${PG.port}/kaizen_missing_${process.pid}` });
      expect(line.msg).toContain(`database "kaizen_missing_${process.pid}" does not exist`);
      expect(line.msg).toContain(`createdb -h ${PG.host} -p ${PG.port} -U postgres kaizen_missing_${process.pid}`);
      expect(tookMs).toBeLessThan(FAIL_WITHIN_MS);
    });

    it('asks whether PostgreSQL is running when nothing listens on the port', async () => {
      const port = await privatePort();
      const { line, tookMs } = await failsWithOneLine({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/kaizen` });
      expect(line.msg).toContain(`is PostgreSQL running on 127.0.0.1:${port}?`);
      expect(tookMs).toBeLessThan(FAIL_WITHIN_MS);
    });

    it('names a user PostgreSQL refuses, without echoing the password', async () => {
      const { line, tookMs } = await failsWithOneLine({ DATABASE_URL: `postgres://nobody_${process.pid}:hunter2-secret@${PG.host}:${PG.port}/postgres` });
      expect(line.msg).toContain(`refused user "nobody_${process.pid}"`);
      expect(JSON.stringify(line)).not.toContain('hunter2-secret');
      expect(tookMs).toBeLessThan(FAIL_WITHIN_MS);
    });
  });

  it('reports a bad environment variable in one JSON line', async () => {
    const { line } = await failsWithOneLine({ PGLITE_DATA_DIR: 'memory://', DATABASE_URL: undefined, BCRYPT_COST: 'lots' });
    expect(line.msg).toMatch(/Invalid environment: .*BCRYPT_COST/);
  });

});


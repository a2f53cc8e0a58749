import { Agent, request } from 'node:http';
import { kill, privatePort, spawnServer, SpawnedServer, waitUntilHealthy } from './helpers/process-tools';

/**
 * SIGTERM under keep-alive load: the server stops accepting, answers every request it received
 * (the last one on each connection with `Connection: close`), closes idle connections and exits
 * soon after the last answer. And `npm start` passes the signal on instead of orphaning the server.
 */
const JWT_SECRET = 'shutdown-test-secret-shutdown-test-secret';
// The requirement is 2 s after the last request; the bound leaves room for a loaded CI machine
// and is still far below the 11 s measured before (the real figure is printed).
const EXIT_AFTER_LAST_MS = 5_000;

interface Outcome {
  status?: number;
  error?: string;
  connectionClose?: boolean;
  endedAt: number;
}

function get(agent: Agent, port: number, path: string, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode, connectionClose: res.headers.connection === 'close', endedAt: Date.now() }),
      );
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message, endedAt: Date.now() }));
    req.end();
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads a few known fields of each answer
async function json(port: number, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return res.json();
}

function serverPid(server: SpawnedServer): number {
  const line = server.lines().find((l) => /listening on/.test(String(l.msg)));
  return Number(line?.pid);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('shutdown (compiled server)', () => {
  it('answers every request in flight at SIGTERM, resets none, and exits soon after the last answer', async () => {
    const port = await privatePort();
    const server = spawnServer({ JWT_SECRET, PORT: String(port), PGLITE_DATA_DIR: 'memory://', DATABASE_URL: undefined, REDIS_URL: undefined, BCRYPT_COST: '4' });
    try {
      await waitUntilHealthy(server, `http://127.0.0.1:${port}/api/v1/health`);
      const owner = await json(port, 'POST', '/api/v1/auth/register', {
        email: 'drain@example.com',
        password: 'correct-horse-9',
        name: 'Drain',
        organization_name: 'Drain Inc',
      });
      const key = await json(port, 'POST', '/api/v1/api-keys', { name: 'load', scopes: ['agents:read'], rate_limit: 1_000_000 }, {
        authorization: `Bearer ${owner.access_token}`,
      });
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const outcomes: Outcome[] = [];
      let stop = false;
      const loop = async () => {
        while (!stop) {
          const outcome = await get(agent, port, '/api/v1/agents', { 'x-api-key': key.key });
          outcomes.push(outcome);
          // Refused: the server no longer accepts connections; this client is done.
          if (outcome.error === 'ECONNREFUSED') return;
        }
      };
      const loops = Array.from({ length: 8 }, loop);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const servedBefore = outcomes.filter((o) => o.status === 200).length;
      server.child.kill('SIGTERM');
      const exit = await server.exited;
      stop = true;
      await Promise.all(loops);
      agent.destroy();

      const answered = outcomes.filter((o) => o.status !== undefined);
      const errors = outcomes.filter((o) => o.error !== undefined).map((o) => o.error);
      const lastAnswer = Math.max(...answered.map((o) => o.endedAt));
      console.log(
        `shutdown under keep-alive load: ${answered.length} answered (${servedBefore} before SIGTERM), ` +
          `errors ${JSON.stringify(errors)}, exit ${exit.at - lastAnswer} ms after the last answer`,
      );
      expect(servedBefore).toBeGreaterThan(0);
      expect(answered.every((o) => o.status === 200)).toBe(true);
      // Refused connections after the listener closed are fine; a reset request is not.
      expect(errors.filter((e) => e !== 'ECONNREFUSED')).toEqual([]);
      expect(answered.filter((o) => o.connectionClose).length).toBeGreaterThan(0);
      expect(exit.code).toBe(0);
      expect(exit.at - lastAnswer).toBeLessThan(EXIT_AFTER_LAST_MS);
    } finally {
      await kill(server.child);
    }
  });

  it.each(['start', 'start:prod'])('npm run %s passes SIGTERM to the server: it exits and frees the port', async (script) => {
    const port = await privatePort();
    // --ignore-scripts skips prestart's rebuild (the suite has built already); the signal path is the same.
    const npm = spawnServer(
      { JWT_SECRET, PORT: String(port), PGLITE_DATA_DIR: 'memory://', DATABASE_URL: undefined, REDIS_URL: undefined },
      ['npm', 'run', '--silent', '--ignore-scripts', script],
    );
    let pid = 0;
    try {
      await waitUntilHealthy(npm, `http://127.0.0.1:${port}/api/v1/health`);
      pid = serverPid(npm);
      expect(pid).toBeGreaterThan(0);
      npm.child.kill('SIGTERM');
      await npm.exited;
      const deadline = Date.now() + 10_000;
      while (running(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(running(pid)).toBe(false);
      await expect(fetch(`http://127.0.0.1:${port}/api/v1/health`)).rejects.toThrow();
    } finally {
      await kill(npm.child);
      if (pid && running(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});

/**
 * Starts and stops the compiled API server (`node dist/src/main.js`) as a child process for the
 * benchmark. Every child is tracked, and all of them are killed when this process exits, errs or is
 * interrupted. Traffic goes to 127.0.0.1 only.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { httpRequest } from './http';

export const HOST = '127.0.0.1';
export const API = '/api/v1';

const live = new Set<ChildProcess>();
let shuttingDown = false;

/** After this no server is started any more (Ctrl-C, fatal error). */
export function beginShutdown(): void {
  shuttingDown = true;
}

/** SIGKILLs every child still running (synchronous: safe in an 'exit' handler). */
export function killAllChildrenNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when every child has exited. */
export async function stopAllChildren(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((child) => terminate(child, graceMs)));
}

process.once('exit', killAllChildrenNow);

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export interface StartOptions {
  label: string;
  /** Environment added to (and overriding) the bench's own. */
  env: Record<string, string | undefined>;
  /** How long to wait for GET /health to answer 200. */
  startupTimeoutMs: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when it exited on SIGTERM within the grace period (no SIGKILL needed). */
  graceful: boolean;
}

function terminate(child: ChildProcess, graceMs: number): Promise<ExitInfo> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      live.delete(child);
      resolve({ code: child.exitCode, signal: child.signalCode, graceful: true });
      return;
    }
    let graceful = true;
    const timer = setTimeout(() => {
      graceful = false;
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }, graceMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, graceful });
    });
    try {
      child.kill('SIGTERM');
    } catch {
      /* gone */
    }
  });
}

export class ServerProcess {
  private readonly output: string[] = [];
  private outputChars = 0;
  private exited = false;
  readonly startedAt = Date.now();
  /** Milliseconds from spawn to the first 200 from /health. */
  startupMs = 0;

  private constructor(
    readonly label: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      // Keeps the last ~64 KB of output for error reports.
      const text = chunk.toString('utf8');
      this.output.push(text);
      this.outputChars += text.length;
      while (this.outputChars > 65_536 && this.output.length > 1) {
        this.outputChars -= this.output.shift()!.length;
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => {
      this.exited = true;
      live.delete(child);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get baseUrl(): string {
    return `http://${HOST}:${this.port}`;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** The last `lines` lines the server printed. */
  logTail(lines = 40): string {
    return this.output.join('').split('\n').slice(-lines).join('\n');
  }

  static async start(opts: StartOptions): Promise<ServerProcess> {
    if (shuttingDown) throw new Error('the benchmark is shutting down');
    const main = join(process.cwd(), 'dist', 'src', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} not found: run npm run build first`);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [name, value] of Object.entries(opts.env)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    env.PORT = String(port);
    if (shuttingDown) throw new Error('the benchmark is shutting down');
    // BENCH_NODE_ARGS: flags for the server's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see
    // where a scenario's time goes (--cpu-prof is not allowed in NODE_OPTIONS).
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    const server = new ServerProcess(opts.label, port, child);
    try {
      await server.waitHealthy(opts.startupTimeoutMs);
    } catch (err) {
      await server.stop(2000);
      throw err;
    }
    server.startupMs = Date.now() - server.startedAt;
    return server;
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(
          `server "${this.label}" exited during start-up (code ${this.child.exitCode}, signal ${this.child.signalCode}):\n${this.logTail()}`,
        );
      }
      try {
        const res = await httpRequest('GET', `${this.baseUrl}${API}/health`, { timeoutMs: 2000 });
        if (res.status === 200) return;
        last = `HTTP ${res.status}: ${res.text.slice(0, 300)}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      await sleep(250);
    }
    throw new Error(
      `server "${this.label}" did not answer GET ${API}/health with 200 within ${timeoutMs} ms (last: ${last}):\n${this.logTail()}`,
    );
  }

  /** SIGTERM (the service flushes and exits), SIGKILL after `graceMs`. */
  stop(graceMs = 15_000): Promise<ExitInfo> {
    return terminate(this.child, graceMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

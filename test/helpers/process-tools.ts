import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const MAIN_JS = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

export interface SpawnedServer {
  child: ChildProcess;
  /** When spawn() was called, for start-up and exit timings. */
  spawnedAt: number;
  output: () => string;
  /** The JSON log lines printed so far (a line that is not JSON fails the parse, on purpose). */
  lines: () => Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Spawns the compiled server (`npm run build` first) without waiting for anything. */
export function spawnServer(env: Record<string, string | undefined>, command: string[] = [process.execPath, MAIN_JS]): SpawnedServer {
  const spawnedAt = Date.now();
  const merged: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'info', ...env };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  const child = spawn(command[0], command.slice(1), { env: merged, stdio: ['ignore', 'pipe', 'pipe'], cwd: join(__dirname, '..', '..') });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return {
    child,
    spawnedAt,
    output: () => output,
    lines: () =>
      output
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
  };
}

/** Resolves once `url` answers 200, or rejects after `timeoutMs` or when the process exits. */
export async function waitUntilHealthy(server: SpawnedServer, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`server exited during start-up:\n${server.output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A free port in this suite's private range (7800-7899), for servers and fault tools it starts. */
export async function privatePort(): Promise<number> {
  const start = 7800 + Math.floor(Math.random() * 100);
  for (let i = 0; i < 100; i++) {
    const port = 7800 + ((start - 7800 + i) % 100);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 7800-7899');
}

/** Ends a child this test started, and waits for it. */
export async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

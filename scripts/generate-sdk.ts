/**
 * Regenerates the SDK's committed OpenAPI snapshot and its types:
 *   sdk/generated/openapi.json  the document the app serves at /api/docs-json
 *   sdk/generated/schema.d.ts   openapi-typescript's types for it
 * Run with `npm run sdk:generate`; sdk/generated.spec.ts fails when these are stale.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { createApp } from '../src/app.factory';

export const OPENAPI_FILE = join(__dirname, '..', 'sdk', 'generated', 'openapi.json');
export const SCHEMA_FILE = join(__dirname, '..', 'sdk', 'generated', 'schema.d.ts');

const run = promisify(execFile);

/**
 * Starts the real app (as main.ts does) on a throwaway in-memory embedded database, with no Redis,
 * and returns the document it serves: no database server or network is needed.
 */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const env: Record<string, string | undefined> = {
    PGLITE_DATA_DIR: 'memory://',
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    LOG_LEVEL: 'silent',
    // A throwaway secret keeps start-up quiet (and possible where NODE_ENV=production); no token is issued.
    JWT_SECRET: process.env.JWT_SECRET ?? 'sdk-generate-sdk-generate-sdk-generate',
  };
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  setEnv(env);
  try {
    const app = await createApp();
    try {
      await app.listen(0, '127.0.0.1');
      const res = await fetch(new URL('/api/docs-json', await app.getUrl()));
      if (!res.ok) throw new Error(`GET /api/docs-json answered ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    } finally {
      await app.close();
    }
  } finally {
    setEnv(saved);
  }
}

function setEnv(vars: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** The snapshot's text: keys sorted at every level (so it changes only when the API does), 2-space JSON. */
export function serializeDocument(document: Record<string, unknown>): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

/**
 * openapi-typescript's output for the document in `openApiFile`. Its CLI runs in a child process because
 * it loads ES-only modules that Jest cannot require. With --default-non-nullable=false a request field
 * that has a server-side default (rate_limit, grace_period_seconds) stays optional.
 */
export async function renderSchema(openApiFile: string): Promise<string> {
  const cli = join(dirname(require.resolve('openapi-typescript/package.json')), 'bin', 'cli.js');
  const { stdout } = await run(process.execPath, [cli, openApiFile, '--default-non-nullable=false'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

async function main(): Promise<void> {
  const document = await buildOpenApiDocument();
  await mkdir(dirname(OPENAPI_FILE), { recursive: true });
  await writeFile(OPENAPI_FILE, serializeDocument(document));
  await writeFile(SCHEMA_FILE, await renderSchema(OPENAPI_FILE));
  const paths = Object.keys((document.paths ?? {}) as object).length;
  for (const file of [OPENAPI_FILE, SCHEMA_FILE]) console.log(`wrote ${relative(process.cwd(), file)}`);
  console.log(`${paths} paths`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

import { userInfo } from 'node:os';

/** How long a connection attempt to PostgreSQL may take, at start-up and for every new pool connection. */
export const CONNECT_TIMEOUT_MS = 3_000;

interface Target {
  host: string;
  port: string;
  user: string;
  database: string;
}

/** Where DATABASE_URL points, with pg's defaults; never the password. */
export function targetOf(databaseUrl: string): Target {
  const url = new URL(databaseUrl);
  const user = decodeURIComponent(url.username) || process.env.PGUSER || userInfo().username;
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: url.port || '5432',
    user,
    database: decodeURIComponent(url.pathname.slice(1)) || user,
  };
}

function codesOf(err: unknown): string[] {
  const e = err as { code?: unknown; errors?: unknown[] } | null;
  const own = typeof e?.code === 'string' ? [e.code] : [];
  // Connecting to "localhost" tries ::1 and 127.0.0.1: Node reports both in an AggregateError.
  return own.concat(Array.isArray(e?.errors) ? e.errors.flatMap(codesOf) : []);
}

/**
 * The one line that says why PostgreSQL refused us at start-up and what to do about it, or
 * undefined for an error that is not about reaching the database.
 */
export function describeConnectionError(err: unknown, databaseUrl: string): string | undefined {
  const { host, port, user, database } = targetOf(databaseUrl);
  const at = `${host}:${port}`;
  const codes = codesOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (codes.includes('3D000')) {
    return `database "${database}" does not exist on PostgreSQL at ${at}; create it with \`createdb -h ${host} -p ${port} -U ${user} ${database}\`, or fix the database name in DATABASE_URL`;
  }
  if (codes.includes('28P01')) {
    return `PostgreSQL at ${at} refused the password of user "${user}"; fix the user and password in DATABASE_URL`;
  }
  if (codes.includes('28000')) {
    return `PostgreSQL at ${at} refused user "${user}" (${message}); fix the user in DATABASE_URL, or create the role with \`createuser -h ${host} -p ${port} ${user}\``;
  }
  if (codes.includes('ECONNREFUSED')) {
    return `cannot connect to PostgreSQL at ${at} (connection refused): is PostgreSQL running on ${at}? Otherwise fix the host and port in DATABASE_URL`;
  }
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) {
    return `cannot resolve the host "${host}" of DATABASE_URL; check its spelling`;
  }
  if (codes.includes('ETIMEDOUT') || codes.includes('EHOSTUNREACH') || /timeout/i.test(message)) {
    return `no answer from PostgreSQL at ${at} within ${CONNECT_TIMEOUT_MS / 1000} s: is PostgreSQL running on ${at}, and reachable from here?`;
  }
  if (codes.includes('57P03')) return `PostgreSQL at ${at} is starting up or shutting down; try again in a moment`;
  if (codes.includes('ECONNRESET') || /Connection terminated/i.test(message)) {
    return `PostgreSQL at ${at} closed the connection during login (${message}): is it PostgreSQL, and does it accept this client (pg_hba.conf, SSL)?`;
  }
  return undefined;
}

/** What a client is told to wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Told when a request failed because the database could not be reached (it logs the outage once). */
export interface DependencyFailureListener {
  databaseUnreachable(reason: string): void;
}

// PostgreSQL's connection-exception class (08) and the server going away or not yet accepting.
const PG_CODES = /^(08\w{3}|57P01|57P02|57P03|53300)$/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// What node-postgres says (without a code) when a connection dies, times out or is unusable.
const PG_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|is not queryable|connection timeout/i;

/**
 * Why a database call failed for want of the database ("ECONNREFUSED", "Connection terminated
 * unexpectedly", ...), or undefined when the error is anything else (bad input, a bug).
 */
export function databaseUnreachable(exception: unknown): string | undefined {
  const driverError = (exception as { driverError?: unknown } | null)?.driverError;
  for (const err of driverError ? [driverError, exception] : [exception]) {
    const e = err as { code?: unknown; message?: unknown; errors?: unknown[] } | null;
    if (!e || typeof e !== 'object') continue;
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (PG_CODES.test(code) || SOCKET_CODES.has(code) || PG_MESSAGES.test(message)) return message || code;
    // "localhost" is ::1 and 127.0.0.1: Node reports both refusals in an AggregateError.
    const inner = Array.isArray(e.errors) ? e.errors.map(databaseUnreachable).find(Boolean) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

/** What a client is told to wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Told when a request failed because the database could not be reached (it logs the outage once). */
export interface DependencyFailureListener {
  /** The database server's port, to tell its refused connections from other outbound calls'. */
  readonly databasePort?: number;
  databaseUnreachable(reason: string): void;
}

// PostgreSQL's connection-exception class (08) and the server going away or not yet accepting.
const PG_CODES = /^(08\w{3}|57P01|57P02|57P03|53300)$/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// What node-postgres says (without a code) when a connection dies, times out or is unusable.
const PG_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|is not queryable|connection timeout/i;

/**
 * Why a database call failed for want of the database ("ECONNREFUSED", "Connection terminated
 * unexpectedly", ...), or undefined when the error is anything else (bad input, a bug). A socket
 * error counts when TypeORM reports it as a query's failure, or when it names `databasePort` (a
 * pool connection refused): another outbound call's refused connection is not the database's.
 */
export function databaseUnreachable(exception: unknown, databasePort?: number): string | undefined {
  const driverError = (exception as { driverError?: unknown } | null)?.driverError;
  const candidates = driverError ? [{ err: driverError, fromQuery: true }] : [{ err: exception, fromQuery: false }];
  for (const { err, fromQuery } of candidates) {
    const e = err as { code?: unknown; message?: unknown; port?: unknown; errors?: unknown[] } | null;
    if (!e || typeof e !== 'object') continue;
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (PG_CODES.test(code) || PG_MESSAGES.test(message)) return message || code;
    if (SOCKET_CODES.has(code) && (fromQuery || (databasePort !== undefined && e.port === databasePort))) return message || code;
    // "localhost" is ::1 and 127.0.0.1: Node reports both refusals in an AggregateError.
    const inner = Array.isArray(e.errors)
      ? e.errors.map((one) => databaseUnreachable(fromQuery ? { driverError: one } : one, databasePort)).find(Boolean)
      : undefined;
    if (inner) return inner;
  }
  return undefined;
}

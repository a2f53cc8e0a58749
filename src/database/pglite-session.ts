import type { PGlite } from '@electric-sql/pglite';
import { serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages';
import { Parser } from 'pg-protocol/dist/parser';

/** What the session needs of a connection: somewhere to deliver the engine's answers. */
export interface SessionClient {
  /** `note` is whatever the client submitted with the messages this answer is to. */
  deliver(message: BackendMessage, note: unknown): void;
  fail(err: unknown): void;
}

interface Unit {
  client: SessionClient;
  message: Uint8Array;
  note: unknown;
}

/**
 * PGlite's single database session, shared by several pg connections the way PgBouncer shares a
 * server connection in transaction mode.
 *
 * - **Transactions stay whole.** A connection that leaves the session inside a transaction (or in
 *   the middle of a query) owns it until the engine reports ReadyForQuery with status idle; the
 *   other connections' messages wait. A connection that goes away while owning the session has
 *   its transaction rolled back, as PostgreSQL does for a closed socket.
 * - **Named statements are the session's.** pg records which statements a connection has parsed;
 *   the connections share one record, so a statement is parsed once and reused by all, and so is
 *   its row description (see PgliteConnection).
 * - **The engine runs like a socket answers.** Messages submitted during one event-loop turn are
 *   run together once the turn's I/O has been handled (`setImmediate`), synchronously and in order,
 *   and every answer is then delivered. With one pg connection (the upstream adapter's design) a
 *   request's query could only reach the engine after the previous request had finished, so each
 *   request ran start to end alone; here the requests that arrived together reach the engine
 *   together (measured under load: /health 1,700 → 3,000 req/s, /agents 1,000 → 1,970;
 *   docs/benchmarks.md).
 */
export class PgliteSession {
  readonly parsedStatements: Record<string, string> = {};
  readonly submittedNamedStatements: Record<string, string> = {};
  /** The row description of each named statement's result, by statement and result format. */
  readonly rowDescriptions = new Map<string, BackendMessage>();

  private readonly queue: Unit[] = [];
  private readonly parser = new Parser();
  private owner: SessionClient | undefined;
  private scheduled = false;

  constructor(readonly pglite: PGlite) {}

  submit(client: SessionClient, message: Uint8Array, note?: unknown): void {
    this.queue.push({ client, message, note });
    this.schedule();
  }

  /** The client is gone: drop what it still had queued and end its transaction if it owned one. */
  release(client: SessionClient): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].client === client) this.queue.splice(i, 1);
    }
    if (this.owner !== client) return;
    this.owner = undefined;
    // The answer is discarded: nobody is listening any more.
    this.pglite.execProtocolRawStream(serialize.query('ROLLBACK'), { syncToFs: false, onRawData: () => {} }).catch(() => {
      /* the engine is closing */
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || !this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  /** Runs queued messages in order until none is left or an open transaction's owner has none queued. */
  private drain(): void {
    for (;;) {
      const owner = this.owner;
      const next = owner ? this.queue.findIndex((unit) => unit.client === owner) : this.queue.length ? 0 : -1;
      if (next < 0) break;
      const [unit] = this.queue.splice(next, 1);
      this.run(unit);
    }
    this.scheduled = false;
    // No syncToFs(): the app opens PGlite on a directory (NodeFS) or in memory, and both write
    // through; PGlite's syncToFs() is a no-op for them.
    // Whatever is left waits for the owner's next message, which schedules the next drain.
  }

  private run({ client, message, note }: Unit): void {
    // execProtocolRawStream, not execProtocolRawSync: the latter also runs PGlite's own parser over
    // the answer and keeps every parsed message until an execProtocol() call (which never comes
    // here). The engine does its work synchronously inside the call; `bytes` are a view into the
    // engine's memory, so they are copied before the next answer overwrites them.
    const chunks: Buffer[] = [];
    this.pglite
      .execProtocolRawStream(message, { syncToFs: false, onRawData: (bytes) => chunks.push(Buffer.from(bytes)) })
      .catch((err: unknown) => client.fail(err));
    // Owned until the engine says the client's work is done (ReadyForQuery, idle).
    this.owner = client;
    for (const chunk of chunks) {
      this.parser.parse(chunk, (msg) => {
        if (msg.name === 'readyForQuery') {
          this.owner = (msg as BackendMessage & { status: string }).status === 'I' ? undefined : client;
        }
        try {
          client.deliver(msg, note);
        } catch (err) {
          // A listener threw; keep delivering the rest of the answer and surface the error as pg does.
          process.nextTick(() => {
            throw err;
          });
        }
      });
    }
  }
}

import type { PGlite } from '@electric-sql/pglite';
import { serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages';
import { Parser } from 'pg-protocol/dist/parser';

/** What the session needs of a connection: somewhere to deliver the engine's answers. */
export interface SessionClient {
  deliver(message: BackendMessage): void;
  fail(err: unknown): void;
}

interface Unit {
  client: SessionClient;
  message: Uint8Array;
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
 *   the connections share one record, so a statement is parsed once and reused by all.
 * - **The engine runs like a socket answers.** Messages submitted during one event-loop turn are
 *   run together once the turn's I/O has been handled (`setImmediate`), synchronously and in order,
 *   and every answer is then delivered. With one pg connection (the upstream adapter's design) a
 *   request's query could only reach the engine after the previous request had finished, so each
 *   request ran start to end alone; here the requests that arrived together reach the engine
 *   together. On `GET /agents` under load that is most of the difference between the embedded
 *   database and a PostgreSQL server (measured in docs/benchmarks.md).
 */
export class PgliteSession {
  readonly parsedStatements: Record<string, string> = {};
  readonly submittedNamedStatements: Record<string, string> = {};

  private readonly queue: Unit[] = [];
  private readonly parser = new Parser();
  private owner: SessionClient | undefined;
  private scheduled = false;

  constructor(readonly pglite: PGlite) {}

  submit(client: SessionClient, message: Uint8Array): void {
    this.queue.push({ client, message });
    this.schedule();
  }

  /** The client is gone: drop what it still had queued and end its transaction if it owned one. */
  release(client: SessionClient): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].client === client) this.queue.splice(i, 1);
    }
    if (this.owner !== client) return;
    this.owner = undefined;
    try {
      // Output discarded: nobody is listening any more. Outside a transaction this is a no-op warning.
      this.pglite.execProtocolRawSync(serialize.query('ROLLBACK'));
    } catch {
      /* the engine is closing */
    }
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
    // Whatever is left waits for the owner's next message, which schedules the next drain.
  }

  private run({ client, message }: Unit): void {
    let output: Uint8Array;
    try {
      output = this.pglite.execProtocolRawSync(message);
    } catch (err) {
      client.fail(err);
      return;
    }
    // Owned until the engine says the client's work is done (ReadyForQuery, idle).
    this.owner = client;
    if (!output.length) return;
    this.parser.parse(Buffer.from(output.buffer, output.byteOffset, output.byteLength), (msg) => {
      if (msg.name === 'readyForQuery') {
        this.owner = (msg as BackendMessage & { status: string }).status === 'I' ? undefined : client;
      }
      try {
        client.deliver(msg);
      } catch (err) {
        // A listener threw; keep delivering the rest of the answer and surface the error as pg does.
        process.nextTick(() => {
          throw err;
        });
      }
    });
  }
}

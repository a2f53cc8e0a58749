import { EventEmitter } from 'node:events';
import type { ClientConfig } from 'pg';
import { serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages';
import { PgliteSession, SessionClient } from './pglite-session';
import { PreparedStatementClient } from './prepared-statement-client';

/** What a corked query's describe() turned into: a cached row description to replay, or one to keep. */
interface DescribeNote {
  key: string;
  cached?: BackendMessage;
}

/**
 * The "socket" one pg Client talks to when the database is the embedded PGlite: it keeps the
 * contract of PGlite's own node-postgres adapter (`PglitePgConnection`), but hands its messages to
 * the shared {@link PgliteSession} instead of the engine, so a pool of several pg clients can run
 * on PGlite's one session. It also honours `stream.cork()`/`uncork()`, which pg calls around the
 * messages of one extended-protocol query (parse, bind, describe, execute, sync): they reach the
 * engine as one buffer, one engine call instead of four.
 */
export class PgliteConnection extends EventEmitter implements SessionClient {
  private corked: Uint8Array[] | undefined;
  /** Within a corked query: the named statement (and result format) just bound, and what describe() did. */
  private bound: string | undefined;
  private note: DescribeNote | undefined;
  private emitMessage = false;
  private ended = false;

  /** Checked by pg's Client.end(), which skips connection.end() without it. */
  _connecting = false;

  /** pg destroys the stream when a query is still active at end(), and corks it around a query. */
  readonly stream = {
    destroy: (): void => this.end(),
    cork: (): void => {
      this.corked ??= [];
    },
    uncork: (): void => {
      const pending = this.corked;
      const note = this.note;
      this.corked = this.bound = this.note = undefined;
      if (pending?.length) this.session.submit(this, pending.length === 1 ? pending[0] : Buffer.concat(pending), note);
    },
  };

  constructor(private readonly session: PgliteSession) {
    super();
    this.on('newListener', (eventName) => {
      if (eventName === 'message') this.emitMessage = true;
    });
  }

  /** Named statements live in the session, so every connection on it sees the same ones. */
  get parsedStatements(): Record<string, string> {
    return this.session.parsedStatements;
  }
  get submittedNamedStatements(): Record<string, string> {
    return this.session.submittedNamedStatements;
  }

  deliver(msg: BackendMessage, note: unknown): void {
    const describe = note as DescribeNote | undefined;
    if (describe?.cached) {
      this.emitBackend(msg);
      // The answer to the describe() that was not sent, where the engine would have put it.
      if (msg.name === 'bindComplete') this.emitBackend(describe.cached);
      // e.g. "cached plan must not change result type" after a schema change: describe afresh next time.
      if (msg.name === 'error') this.session.rowDescriptions.delete(describe.key);
      return;
    }
    if (describe && (msg.name === 'rowDescription' || msg.name === 'noData')) this.session.rowDescriptions.set(describe.key, msg);
    this.emitBackend(msg);
  }

  private emitBackend(msg: BackendMessage): void {
    if (this.emitMessage) this.emit('message', msg);
    // pg expects an ErrorResponse as 'errorMessage'.
    this.emit(msg.name === 'error' ? 'errorMessage' : msg.name, msg);
  }

  fail(err: unknown): void {
    this.emit('error', err);
  }

  async connect(): Promise<void> {
    this._connecting = true;
    await this.session.pglite.waitReady;
    process.nextTick(() => this.emit('readyForQuery'));
  }

  // Start-up, TLS, authentication and cancellation do not exist for an in-process engine.
  requestSsl(): void {}
  startup(): void {}
  cancel(): void {}
  password(): void {}
  ref(): void {}
  unref(): void {}

  query(text: string): void {
    this.write(serialize.query(text));
  }
  parse(query: Parameters<typeof serialize.parse>[0]): void {
    this.write(serialize.parse(query));
  }
  bind(config: Parameters<typeof serialize.bind>[0]): void {
    this.write(serialize.bind(config));
    if (this.corked && config?.statement) this.bound = `${config.statement}|${config.binary ? 'binary' : 'text'}`;
  }
  execute(config: Parameters<typeof serialize.execute>[0]): void {
    this.write(serialize.execute(config));
  }
  /**
   * pg describes the portal of every extended query to learn its columns; for a named statement
   * the answer never changes (PostgreSQL refuses to run a prepared statement whose result type
   * changed), so it is asked once per session and replayed afterwards. The describe is a third of
   * the engine's time for a small SELECT.
   */
  describe(msg: Parameters<typeof serialize.describe>[0]): void {
    if (this.corked && this.bound && msg.type === 'P') {
      const cached = this.session.rowDescriptions.get(this.bound);
      this.note = { key: this.bound, cached };
      if (cached) return;
    }
    this.write(serialize.describe(msg));
  }
  close(msg: Parameters<typeof serialize.close>[0]): void {
    this.write(serialize.close(msg));
  }
  flush(): void {
    this.write(serialize.flush());
  }
  sync(): void {
    this.write(serialize.sync());
  }
  sendCopyFromChunk(chunk: Buffer): void {
    this.write(serialize.copyData(chunk));
  }
  endCopyFrom(): void {
    this.write(serialize.copyDone());
  }
  sendCopyFail(msg: string): void {
    this.write(serialize.copyFail(msg));
  }

  /** Like a socket closing: an open transaction is rolled back, and pg gets its 'end'. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.session.release(this);
    setImmediate(() => {
      this.emit('end');
      this.removeAllListeners();
    });
  }

  private write(message: Uint8Array): void {
    if (this.ended) return;
    if (this.corked) this.corked.push(message);
    else this.session.submit(this, message);
  }
}

/** The pool's client class on the embedded database: every client gets its own connection to the one session. */
export class PgliteClient extends PreparedStatementClient {
  constructor(config: ClientConfig & { pgliteSession: PgliteSession }) {
    super({ ...config, connection: new PgliteConnection(config.pgliteSession) } as ClientConfig);
  }
}

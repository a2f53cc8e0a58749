import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, Socket } from 'node:net';

/**
 * A connection that became idle this recently is left open a moment longer when draining starts:
 * its client may already be sending the next request on it, and closing it then would reset that
 * request. The request is answered instead (with `Connection: close`). Connections idle for longer
 * are closed at once.
 */
const JUST_IDLE_MS = 100;

interface ConnectionState {
  /** Requests received on the connection and not yet answered (pipelining allows several). */
  open: Set<ServerResponse>;
  idleSince: number;
}

/**
 * Stops an HTTP server without dropping a request: no new connections, every request in flight
 * answered, each connection's last answer carrying `Connection: close`, idle keep-alive connections
 * closed. Node's own `server.close()` closes idle connections too, but only at the moment it is
 * called: a keep-alive client that keeps sending requests holds the server open until a timeout.
 */
export class ConnectionDrainer {
  private readonly connections = new Map<Socket, ConnectionState>();
  private draining = false;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.connections.set(socket, { open: new Set(), idleSince: Date.now() });
      socket.once('close', () => this.connections.delete(socket));
    });
    // Before Express's listener, so the header decision is made before any handler can answer.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const state = this.connections.get(req.socket);
      if (!state) return;
      state.open.add(res);
      if (this.draining) res.shouldKeepAlive = false;
      res.once('close', () => {
        state.open.delete(res);
        state.idleSince = Date.now();
        if (this.draining) this.closeWhenIdle(req.socket, state);
      });
    });
  }

  /** Requests received and not yet answered. */
  get inFlight(): number {
    let count = 0;
    for (const state of this.connections.values()) count += state.open.size;
    return count;
  }

  /**
   * Stops accepting and resolves once every connection is closed, or after `timeoutMs`, when the
   * remaining ones are cut (a request that takes that long is not waited for).
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    // net.Server's close stops listening only; http.Server's would also close idle connections
    // without the grace above.
    const stopped = new Promise<void>((resolve) => NetServer.prototype.close.call(this.server, () => resolve()));
    for (const [socket, state] of this.connections) {
      for (const res of state.open) if (!res.headersSent) res.shouldKeepAlive = false;
      this.closeWhenIdle(socket, state);
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([stopped, timedOut]);
    clearTimeout(timer);
    for (const socket of this.connections.keys()) socket.destroy();
  }

  private closeWhenIdle(socket: Socket, state: ConnectionState): void {
    if (state.open.size > 0) return;
    const wait = state.idleSince + JUST_IDLE_MS - Date.now();
    if (wait <= 0) {
      socket.destroy();
      return;
    }
    setTimeout(() => {
      if (state.open.size === 0) socket.destroy();
    }, wait).unref();
  }
}

import { INestApplication, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { ConnectionDrainer } from './connection-drainer';

/** How long requests in flight at SIGTERM may take before their connections are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * On SIGTERM or SIGINT: stop accepting, answer what is in flight (closing keep-alive connections
 * as their last answer goes out), then close the app, which flushes usage and closes the
 * database, and exit. Exit code 0 after a clean shutdown, 1 when closing failed.
 */
export function shutDownOnSignals(app: INestApplication): void {
  // Through the app's logger, so these lines come in order with the app's own.
  const log = new Logger('Server');
  const drainer = new ConnectionDrainer(app.getHttpServer() as Server);
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    // `npm start` under a terminal's Ctrl-C delivers the signal twice (to the group, and forwarded
    // by npm): the second one must not cut the flush short.
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    log.log(`${signal}: stopping; answering ${drainer.inFlight} requests in flight`);
    try {
      await drainer.drain(DRAIN_TIMEOUT_MS);
      await app.close();
      log.log(`stopped in ${Date.now() - started} ms`);
      process.exit(0);
    } catch (err) {
      log.error(`shutdown failed: ${(err as Error).message}`, (err as Error).stack);
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, (s: NodeJS.Signals) => void stop(s));
}

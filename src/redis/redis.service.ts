import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import Redis, { Command } from 'ioredis';
import { appConfig } from '../config/app.config';
import { CircuitBreaker } from './circuit-breaker';

/**
 * A command fails when Redis has answered nothing at all for this long. Redis on a LAN answers in
 * well under a millisecond; a Redis that hangs (stopped, swapping, a blocking command) must cost a
 * request tens of milliseconds, not seconds.
 */
export const COMMAND_TIMEOUT_MS = 50;
/** The most a command waits on a Redis that is answering, but slowly. */
const SLOW_COMMAND_LIMIT_MS = 500;
const PROBE_TIMEOUT_MS = 1_000;
/** Timeouts in a row that open the circuit: from then on commands fail at once until a probe answers. */
const TIMEOUTS_TO_OPEN = 2;
const PROBE_EVERY_MS = 250;
const PROBE = Symbol('circuit probe');
/** The most start-up waits for a configured Redis before serving (then it serves without it). */
const READY_AT_START_MS = 2_000;

type ProbeCommand = Command & { [PROBE]?: true };

/**
 * The shared Redis connections when REDIS_URL is set: one for commands, one for pub/sub.
 * Callers check `available` and fall back to in-process state when it is false: while the
 * connection is down (ioredis reconnects by itself) and while the circuit is open after commands
 * timed out (a probe closes it). Every command on `client` is guarded, whoever sends it.
 */
@Injectable()
export class RedisService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly client?: Redis;
  readonly subscriber?: Redis;
  private readonly circuit = new CircuitBreaker(TIMEOUTS_TO_OPEN, () => this.noteAvailability());
  private probeTimer?: NodeJS.Timeout;
  private probing = false;
  private answeredAt = 0;
  private lastError = '';
  private reported = true;
  private unavailableSince = 0;
  private closing = false;
  /** REDIS_NAMESPACE: the start of this deployment's keys. */
  readonly namespace: string;

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    this.namespace = config.REDIS_NAMESPACE;
    if (!config.REDIS_URL) return;
    const options = {
      // Fail fast instead of queueing while disconnected: requests must not wait on Redis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2_000),
    };
    // Auto-pipelining sends the commands of one event-loop turn (the rate-limit counts of the
    // requests that arrived together) in one write, and reads their answers in one: each command
    // is still atomic on its own.
    this.client = new Redis(config.REDIS_URL, { ...options, connectionName: 'kaizen-commands', enableAutoPipelining: true });
    this.guard(this.client);
    // The subscriber queues its SUBSCRIBE until connected, so it re-subscribes after outages.
    this.subscriber = new Redis(config.REDIS_URL, { ...options, enableOfflineQueue: true, connectionName: 'kaizen-events' });
    this.subscriber.on('error', () => undefined); // its outages are the command connection's, logged once there
    this.client.on('error', (err: Error) => (this.lastError = err.message));
    this.client.on('ready', () => this.noteAvailability());
    this.client.on('close', () => this.noteAvailability());
  }

  /**
   * Start-up waits (at most READY_AT_START_MS) for the connection, so that the first requests after a
   * restart find the cluster's key verifiers and shared counters instead of falling back to bcrypt and
   * in-process counts while the connection is still being made. A Redis that is down does not stop the
   * start: the service then serves without it, as it does during any outage.
   */
  async onApplicationBootstrap(): Promise<void> {
    const client = this.client;
    if (!client || client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, READY_AT_START_MS);
      timer.unref();
      client.once('ready', done);
    });
  }

  /** True when Redis is configured, connected, and answering in time. */
  get available(): boolean {
    return this.client?.status === 'ready' && !this.circuit.open;
  }

  /** `up`, `down`, or `not configured` (no REDIS_URL: state is in-process). */
  get state(): 'up' | 'down' | 'not configured' {
    if (!this.client) return 'not configured';
    return this.available ? 'up' : 'down';
  }

  /** Every command gets a deadline and goes through the circuit; probes pass an open circuit. */
  private guard(client: Redis): void {
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((command: ProbeCommand, stream?: unknown) => {
      if (this.circuit.open && !command[PROBE]) {
        command.reject(new Error('Redis is not answering (circuit open)'));
        return command.promise;
      }
      // Any answer, to any command, shows Redis is alive (slow, not hung).
      const resolve = command.resolve;
      command.resolve = (result: unknown) => {
        this.answeredAt = Date.now();
        resolve(result);
      };
      const promise = send(command, stream as never);
      if (!command.isResolved) this.deadline(command);
      return promise;
    }) as typeof client.sendCommand;
  }

  /**
   * A command fails when Redis has answered nothing for COMMAND_TIMEOUT_MS since it was sent (Redis
   * hangs), or after SLOW_COMMAND_LIMIT_MS however busy Redis is. A Redis that keeps answering, only
   * slowly (a burst of commands queued on one connection, a loaded machine), is waited for: failing
   * those commands would send their callers to in-process state for no reason.
   */
  private deadline(command: ProbeCommand): void {
    const sentAt = Date.now();
    let timer: NodeJS.Timeout;
    const check = () => {
      // Decided in setImmediate: after an event-loop stall the timer fires before the answer
      // already waiting in the socket is read; this lets it be read first.
      setImmediate(() => {
        if (command.isResolved) return;
        const now = Date.now();
        const silentFor = now - Math.max(this.answeredAt, sentAt);
        const limit = command[PROBE] ? PROBE_TIMEOUT_MS : SLOW_COMMAND_LIMIT_MS;
        if (!command[PROBE] && silentFor < COMMAND_TIMEOUT_MS && now - sentAt < limit) {
          timer = setTimeout(check, COMMAND_TIMEOUT_MS - silentFor);
          return;
        }
        if (command[PROBE] && now - sentAt < limit) {
          timer = setTimeout(check, limit - (now - sentAt));
          return;
        }
        command.reject(new Error(`Redis did not answer within ${now - sentAt} ms`));
        if (!command[PROBE]) this.circuit.timedOut();
      });
    };
    timer = setTimeout(check, COMMAND_TIMEOUT_MS);
    command.promise.then(
      () => {
        clearTimeout(timer);
        this.circuit.succeeded();
      },
      () => clearTimeout(timer),
    );
  }

  /** Logs each change between available and unavailable once, and probes while the circuit is open. */
  private noteAvailability(): void {
    if (this.circuit.open && !this.probeTimer && !this.closing) {
      this.probeTimer = setInterval(() => void this.probe(), PROBE_EVERY_MS);
      this.probeTimer.unref();
    }
    const available = this.available;
    if (available === this.reported || this.closing) return;
    this.reported = available;
    if (!available) {
      this.unavailableSince = Date.now();
      const reason = this.circuit.open ? `commands unanswered after ${COMMAND_TIMEOUT_MS} ms` : this.lastError || 'connection closed';
      this.logger.warn(`Redis unavailable (${reason}); serving with in-process state until it is back`);
    } else {
      this.logger.log(`Redis available again after ${((Date.now() - this.unavailableSince) / 1000).toFixed(1)} s`);
    }
  }

  private async probe(): Promise<void> {
    if (this.probing || !this.client) return;
    if (!this.circuit.open) {
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
      return;
    }
    this.probing = true;
    const ping: ProbeCommand = new Command('ping', [], { replyEncoding: 'utf8' });
    ping[PROBE] = true;
    try {
      await this.client.sendCommand(ping);
      this.circuit.close();
    } catch {
      // still not answering: the next probe asks again
    } finally {
      this.probing = false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.probeTimer);
    // QUIT waits for an answer: a connection that is down (the subscriber queues commands while
    // reconnecting) or a frozen Redis would never give one, so shutdown cuts those at once.
    await Promise.all(
      [this.client, this.subscriber].map((conn) =>
        conn?.status === 'ready'
          ? Promise.race([conn.quit(), new Promise((resolve) => setTimeout(resolve, 200))]).catch(() => undefined).finally(() => conn.disconnect())
          : conn?.disconnect(),
      ),
    );
  }
}

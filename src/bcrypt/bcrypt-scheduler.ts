import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import * as bcrypt from 'bcrypt';
import { appConfig } from '../config/app.config';

/**
 * What a bcrypt job is for. Each kind gets an equal share of the bcrypt slots whenever it has work
 * waiting, so a flood of one kind (logins, wrong secrets for a known prefix) only delays itself.
 * - key-first-use: a presented key whose prefix has no recent wrong secret (a genuine key's first use);
 * - key-suspect: a presented key whose prefix has recently been tried with a wrong secret;
 * - password: a login's password check;
 * - hash: hashing a new password or a new key.
 */
export type BcryptKind = 'key-first-use' | 'key-suspect' | 'password' | 'hash';

export const BCRYPT_KINDS: readonly BcryptKind[] = ['key-first-use', 'key-suspect', 'password', 'hash'];

/**
 * How many jobs of a kind may wait, per source (a client address, or a user) and in all. A valid
 * key must never be refused at concurrency <= 100 from one address (a restart warming 100 keys at
 * once), so first uses get room for that; suspect compares get little, since most are guesses.
 */
export const QUEUE_LIMITS: Record<BcryptKind, { perSource: number; total: number }> = {
  'key-first-use': { perSource: 256, total: 4096 },
  'key-suspect': { perSource: 16, total: 256 },
  // An address's whole failed-login budget (100 per 15 minutes) fits in its line: a burst is queued, not 503.
  password: { perSource: 128, total: 1024 },
  hash: { perSource: 32, total: 1024 },
};

interface Job {
  start: () => void;
}

/** One kind's waiting jobs, one line per source, served round-robin so one source cannot starve another. */
class KindQueue {
  /** Map order is the round-robin order: a source that was served moves to the back. */
  private readonly lines = new Map<string, Job[]>();
  size = 0;

  constructor(private readonly limits: { perSource: number; total: number }) {}

  /** False when the source's line or the kind is full. */
  push(source: string, job: Job): boolean {
    const line = this.lines.get(source);
    if (this.size >= this.limits.total || (line?.length ?? 0) >= this.limits.perSource) return false;
    if (line) line.push(job);
    else this.lines.set(source, [job]);
    this.size += 1;
    return true;
  }

  shift(): Job | undefined {
    for (const [source, line] of this.lines) {
      const job = line.shift()!;
      this.lines.delete(source);
      if (line.length > 0) this.lines.set(source, line);
      this.size -= 1;
      return job;
    }
    return undefined;
  }
}

export interface BcryptStats {
  /** bcrypt compares run since start, by kind. */
  compares: Record<BcryptKind, number>;
  /** bcrypt hashes run since start. */
  hashes: number;
  running: number;
  waiting: Record<BcryptKind, number>;
  /** Jobs refused because their queue was full. */
  refused: number;
}

/**
 * The one place bcrypt runs in this process. A few jobs run at once (below the libuv pool size,
 * which fs, dns and pg's SCRAM also use); the rest wait in bounded queues per kind and per source,
 * and a free slot goes to the next kind in turn, then to the next source of that kind in turn.
 * bcrypt (≈ 53 ms of CPU at cost 10, 210 ms at cost 12) is the scarcest resource of the service:
 * first come, first served would let one flood delay everything else.
 */
@Injectable()
export class BcryptScheduler {
  private readonly maxRunning: number;
  private readonly cost: number;
  private readonly queues: Record<BcryptKind, KindQueue>;
  /** The kind the next free slot looks at first. */
  private turn = 0;
  private running = 0;
  private readonly stats_: BcryptStats;

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    this.maxRunning = config.BCRYPT_MAX_CONCURRENCY;
    this.cost = config.BCRYPT_COST;
    this.queues = Object.fromEntries(BCRYPT_KINDS.map((kind) => [kind, new KindQueue(QUEUE_LIMITS[kind])])) as Record<
      BcryptKind,
      KindQueue
    >;
    const zero = () => Object.fromEntries(BCRYPT_KINDS.map((kind) => [kind, 0])) as Record<BcryptKind, number>;
    this.stats_ = { compares: zero(), hashes: 0, running: 0, waiting: zero(), refused: 0 };
  }

  /** bcrypt.compare as a job of `kind` for `source`; 503 when that queue is full. */
  compare(kind: Exclude<BcryptKind, 'hash'>, plain: string, hash: string, source = 'internal'): Promise<boolean> {
    return this.schedule(kind, source, () => {
      this.stats_.compares[kind] += 1;
      return bcrypt.compare(plain, hash);
    });
  }

  /** bcrypt.hash at the configured cost, as a `hash` job for `source`; 503 when that queue is full. */
  hash(plain: string, source = 'internal'): Promise<string> {
    return this.schedule('hash', source, () => {
      this.stats_.hashes += 1;
      return bcrypt.hash(plain, this.cost);
    });
  }

  /** Counts so far and what runs and waits now (for /api/v1/health and tests). */
  stats(): BcryptStats {
    for (const kind of BCRYPT_KINDS) this.stats_.waiting[kind] = this.queues[kind].size;
    this.stats_.running = this.running;
    return structuredClone(this.stats_);
  }

  private schedule<T>(kind: BcryptKind, source: string, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        start: () => {
          work()
            .then(resolve, reject)
            .finally(() => this.next());
        },
      };
      if (this.running < this.maxRunning) {
        this.running += 1;
        job.start();
      } else if (!this.queues[kind].push(source, job)) {
        this.stats_.refused += 1;
        reject(
          new HttpException(
            { message: 'Too many password and key checks waiting; retry shortly', retryAfter: 1 },
            HttpStatus.SERVICE_UNAVAILABLE,
          ),
        );
      }
    });
  }

  /** A slot came free: give it to the next kind in turn that has work waiting, or free it. */
  private next(): void {
    for (let i = 0; i < BCRYPT_KINDS.length; i++) {
      const kind = BCRYPT_KINDS[(this.turn + i) % BCRYPT_KINDS.length];
      const job = this.queues[kind].shift();
      if (job) {
        this.turn = (this.turn + i + 1) % BCRYPT_KINDS.length;
        job.start();
        return;
      }
    }
    this.running -= 1;
  }
}

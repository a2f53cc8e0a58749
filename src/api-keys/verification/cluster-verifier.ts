import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appConfig } from '../../config/app.config';
import { RedisService } from '../../redis/redis.service';
import { ServerSecrets } from '../../secrets/server-secrets';

export type VerifierAnswer = 'match' | 'mismatch' | 'absent';

const ID_LENGTH = 8;
/** A stored verifier: the secret's id, then HMAC-SHA-256(key). */
const VALUE_LENGTH = ID_LENGTH + 32;


/**
 * The cluster's memory of verified keys, so a key costs one bcrypt per cluster, not per process:
 * Redis holds, per key prefix, HMAC-SHA-256(key) under KEY_VERIFIER_SECRET, a secret shared by the
 * instances and never kept in Redis. A Redis dump therefore reveals prefixes and MACs, from which
 * no key can be recovered or tested without the secret (README, "Threat model"). Stored when a key
 * is issued and after each successful bcrypt compare, renewed on use, deleted on revocation,
 * capped at the old key's expiry on rotation. The database still holds only the bcrypt hash, and
 * a key's state (revoked, expired, scopes) is always read from the database, never from here.
 */
@Injectable()
export class ClusterVerifier implements OnModuleInit {
  private readonly logger = new Logger(ClusterVerifier.name);
  private secret?: Buffer;
  /** Names the secret (not derivable back to it), stored before each MAC. */
  private secretId?: Buffer;
  private readonly ttlMs: number;
  private warnedAt = 0;

  constructor(
    private readonly redis: RedisService,
    private readonly secrets: ServerSecrets,
    @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>,
  ) {
    this.ttlMs = config.KEY_VERIFIER_TTL_SECONDS * 1000;
  }

  async onModuleInit(): Promise<void> {
    // Without Redis there is nowhere to share verifiers; the secret is not needed.
    if (!this.redis.client) return;
    this.secret = await this.secrets.get('KEY_VERIFIER_SECRET');
    this.secretId = createHmac('sha256', this.secret).update('kaizen key verifier id').digest().subarray(0, ID_LENGTH);
  }

  /** Whether the cluster has verified this exact key: 'absent' also when Redis is down (bcrypt decides). */
  async check(keyPrefix: string, plainKey: string): Promise<VerifierAnswer> {
    const stored = await this.run((client) => client.getBuffer(this.keyOf(keyPrefix)));
    // Written under another secret (KEY_VERIFIER_SECRET was changed): it can say nothing either way.
    if (!stored || stored.length !== VALUE_LENGTH || !stored.subarray(0, ID_LENGTH).equals(this.secretId!)) return 'absent';
    return timingSafeEqual(stored.subarray(ID_LENGTH), this.mac(plainKey)) ? 'match' : 'mismatch';
  }

  /** Stores (or renews) the verifier of a genuine key, for the TTL or until the key expires. */
  async store(keyPrefix: string, plainKey: string, expiresAt: number | null): Promise<void> {
    const ttl = Math.min(this.ttlMs, expiresAt === null ? Infinity : expiresAt - Date.now());
    if (ttl <= 0 || !this.secret) return;
    const value = Buffer.concat([this.secretId!, this.mac(plainKey)]);
    await this.run((client) => client.set(this.keyOf(keyPrefix), value, 'PX', Math.ceil(ttl)));
  }

  /** The key was revoked: its verifier goes. */
  async remove(keyPrefix: string): Promise<void> {
    await this.run((client) => client.del(this.keyOf(keyPrefix)));
  }

  /** The key now ends at `expiresAt` (rotation): its verifier must not outlive it. */
  async capAt(keyPrefix: string, expiresAt: Date): Promise<void> {
    // LT: only ever shortens (Redis >= 7); a verifier without a TTL counts as infinite.
    await this.run((client) => client.pexpireat(this.keyOf(keyPrefix), expiresAt.getTime(), 'LT'));
  }

  private keyOf(keyPrefix: string): string {
    return `${this.redis.namespace}:key-verifier:${keyPrefix}`;
  }

  private mac(plainKey: string): Buffer {
    return createHmac('sha256', this.secret!).update(plainKey).digest();
  }

  /** The command's result, or undefined when Redis is absent or failed: verification falls back to bcrypt. */
  private async run<T>(command: (client: NonNullable<RedisService['client']>) => Promise<T>): Promise<T | undefined> {
    const client = this.redis.client;
    if (!client || !this.secret || !this.redis.available) return undefined;
    try {
      return await command(client);
    } catch (err) {
      if (Date.now() - this.warnedAt > 10_000) {
        this.warnedAt = Date.now();
        this.logger.warn(`Redis key verifiers unavailable, falling back to bcrypt: ${(err as Error).message}`);
      }
      return undefined;
    }
  }
}

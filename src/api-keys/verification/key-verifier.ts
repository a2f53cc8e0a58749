import { Inject, Injectable, Logger, OnModuleInit, UnauthorizedException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import * as bcrypt from 'bcrypt';
import { Repository } from 'typeorm';
import { appConfig } from '../../config/app.config';
import { ApiKey } from '../api-key.entity';
import { BcryptGate } from './bcrypt-gate';
import { KeyEvents } from './key-events';
import { KeyFailures } from './key-failures';
import { parseKey } from './key-format';
import { CachedKey, KeyState, VerifiedKeyCache } from './verified-key-cache';

/** Why a well-formed, genuine key was refused; such uses are not failed guesses. */
export class KeyRefusedError extends UnauthorizedException {
  constructor(
    readonly reason: 'revoked' | 'expired',
    readonly state: KeyState,
  ) {
    super(reason === 'revoked' ? 'API key has been revoked' : 'API key has expired');
  }
}

const STATE_COLUMNS = {
  id: true,
  organizationId: true,
  scopes: true,
  rateLimit: true,
  expiresAt: true,
  status: true,
  createdBy: true,
} as const;

/**
 * Verifies presented keys. The first use of a key costs one indexed lookup and one bcrypt compare
 * (bounded by BcryptGate); later uses cost an HMAC and a constant-time compare against the cache,
 * while the key's state is re-read by id in the background every few seconds. Expiry is checked on
 * every request; revocation reaches every instance through KeyEvents.
 */
@Injectable()
export class KeyVerifier implements OnModuleInit {
  private readonly logger = new Logger(KeyVerifier.name);
  private readonly freshMs: number;
  private readonly comparing = new Map<string, Promise<boolean>>();

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>,
    private readonly cache: VerifiedKeyCache,
    private readonly gate: BcryptGate,
    private readonly failures: KeyFailures,
    private readonly events: KeyEvents,
  ) {
    this.freshMs = config.KEY_CACHE_FRESH_MS;
  }

  onModuleInit(): void {
    this.events.on((event) => {
      this.cache.forgetMiss(event.keyPrefix);
      const entry = this.cache.peek(event.keyPrefix);
      if (!entry) return;
      entry.version += 1;
      // A revoked key stays cached as revoked: its further uses are refused without bcrypt.
      if (event.type === 'revoked') entry.state = { ...entry.state, status: 'revoked' };
      else entry.mustReload = true;
    });
  }

  /**
   * The state of a genuine, active, unexpired key; otherwise 401 saying why (429 for an address
   * that keeps failing, 503 when too many bcrypt compares are already waiting). Without a client
   * address (a call from inside the service) failures are not counted; the address is read only
   * when the key is not one this process has verified (which answers without it).
   */
  async verify(plainKey: string, clientAddress?: () => string): Promise<KeyState> {
    const parsed = parseKey(plainKey);
    const cached = parsed && this.cache.match(parsed.keyPrefix, plainKey);
    if (parsed && cached) return usable(await this.current(parsed.keyPrefix, cached));

    const clientIp = clientAddress?.();
    if (clientIp && this.failures.lockedOut(clientIp)) return this.failures.refuse(clientIp);
    if (!parsed) return this.fail(clientIp, 'API key is malformed');
    if (this.cache.isKnownMiss(parsed.keyPrefix)) return this.fail(clientIp, 'API key is invalid');
    const row = await this.keys
      .createQueryBuilder('key')
      .select(Object.keys(STATE_COLUMNS).map((column) => `key.${column}`))
      .addSelect('key.keyHash')
      .where('key.keyPrefix = :prefix', { prefix: parsed.keyPrefix })
      .getOne();
    if (!row) {
      this.cache.rememberMiss(parsed.keyPrefix);
      return this.fail(clientIp, 'API key is invalid');
    }
    // Counted before the compare, so concurrent guesses from one address cannot run more
    // compares than its failure budget; a match takes the count back.
    if (clientIp && !this.failures.tryReserve(clientIp)) return this.failures.refuse(clientIp);
    if (!(await this.compare(plainKey, row.keyHash))) throw new UnauthorizedException('API key is invalid');
    if (clientIp) this.failures.forgive(clientIp);
    const state = stateOf(row);
    this.cache.remember(parsed.keyPrefix, plainKey, state);
    return usable(state);
  }

  /** One bcrypt compare per distinct presented key at a time: concurrent first uses of a key share it. */
  private compare(plainKey: string, keyHash: string): Promise<boolean> {
    const id = this.cache.digest(plainKey).toString('base64');
    let pending = this.comparing.get(id);
    if (!pending) {
      pending = this.gate.run(() => bcrypt.compare(plainKey, keyHash)).finally(() => this.comparing.delete(id));
      this.comparing.set(id, pending);
    }
    return pending;
  }

  /** Drops whatever this process knows about a prefix (a key was created or changed). */
  forget(keyPrefix: string): void {
    this.cache.forget(keyPrefix);
    this.cache.forgetMiss(keyPrefix);
  }

  /** Counts a failure against the client address (callers inside the service have none). */
  private fail(clientIp: string | undefined, message: string): never {
    if (clientIp) this.failures.record(clientIp);
    throw new UnauthorizedException(message);
  }

  /** The cached state, re-read first after a change event, refreshed in the background when old. */
  private async current(keyPrefix: string, entry: CachedKey): Promise<KeyState> {
    if (entry.mustReload) {
      await this.refresh(keyPrefix, entry);
      // The read we joined may have started before the change; then one more.
      if (entry.mustReload) await this.refresh(keyPrefix, entry);
    } else if (Date.now() - entry.checkedAt > this.freshMs && !entry.refreshing) {
      void this.refresh(keyPrefix, entry);
    }
    return entry.state;
  }

  private refresh(keyPrefix: string, entry: CachedKey): Promise<void> {
    return (entry.refreshing ??= this.reload(keyPrefix, entry).finally(() => {
      entry.refreshing = undefined;
    }));
  }

  private async reload(keyPrefix: string, entry: CachedKey): Promise<void> {
    const version = entry.version;
    try {
      const row = await this.keys.findOne({ select: STATE_COLUMNS, where: { id: entry.state.id } });
      if (entry.version !== version) return; // a change arrived meanwhile: this read may predate it
      if (row) this.cache.refreshed(keyPrefix, entry, stateOf(row));
      else this.cache.forget(keyPrefix);
    } catch (err) {
      // The database blinked: keep serving the last known state; the entry ages out if this persists.
      this.logger.warn(`Key state refresh failed: ${(err as Error).message}`);
    }
  }
}

function stateOf(row: ApiKey): KeyState {
  return {
    id: row.id,
    organizationId: row.organizationId,
    scopes: row.scopes,
    rateLimit: row.rateLimit,
    expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
    status: row.status,
    createdBy: row.createdBy,
  };
}

/** Refuses a revoked or expired key; expiry is judged now, on every request. */
function usable(state: KeyState): KeyState {
  if (state.status === 'revoked') throw new KeyRefusedError('revoked', state);
  if (state.expiresAt !== null && state.expiresAt <= Date.now()) throw new KeyRefusedError('expired', state);
  return state;
}

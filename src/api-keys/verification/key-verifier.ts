import { ForbiddenException, Injectable, Logger, OnModuleInit, UnauthorizedException } from '@nestjs/common';
import { Inject, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Reservation } from '../../attempts/attempt';
import { BcryptScheduler } from '../../bcrypt/bcrypt-scheduler';
import { clientKey } from '../../common/client-address';
import { appConfig } from '../../config/app.config';
import { DatabaseAvailability } from '../../database/database-availability';
import { ApiKey } from '../api-key.entity';
import { ClusterVerifier } from './cluster-verifier';
import { KeyEvents } from './key-events';
import { KeyFailures } from './key-failures';
import { frozenMetadata } from '../key-metadata';
import { parseAllowlist } from './ip-allowlist';
import { parseKey } from './key-format';
import { LegacyKeys } from './legacy-keys';
import { KeyStateLoader, STATE_COLUMNS } from './key-state-loader';
import { CachedKey, KeyState, VerifiedKeyCache } from './verified-key-cache';

/** Why a well-formed, genuine key was refused; such uses are not failed guesses. */
export class KeyRefusedError extends UnauthorizedException {
  constructor(
    readonly reason: 'revoked' | 'expired' | 'disabled',
    readonly state: KeyState,
  ) {
    super(REFUSALS[reason]);
  }
}

/** A genuine, usable key presented from an address outside its allow-list (checked by the caller, after verify()). */
export class KeyAddressRefusedError extends ForbiddenException {
  constructor(readonly state: KeyState) {
    super('client address not allowed for this key');
  }
}

const REFUSALS = {
  revoked: 'API key has been revoked',
  expired: 'API key has expired',
  disabled: 'API key is disabled',
} as const;


/** A process renews a key's cluster verifier at most this often, however often the key is used. */
const RENEW_MS = 5 * 60_000;

/** A first verification in flight for a prefix; a change event for the prefix marks it. */
interface Watch {
  changed: boolean;
}

/**
 * Verifies presented keys. In order: the key's format and checksum (no I/O), the in-process cache (an HMAC and a constant-time compare,
 * no I/O), then the cluster's verifier in Redis (one GET, then the key's state by prefix), then
 * one indexed lookup and one bcrypt compare through the BcryptScheduler. A verified key never
 * meets its address's failure budget. The key's state is re-read by id in the background every
 * few seconds; expiry is checked on every request; revocation reaches every instance through
 * KeyEvents, including while a key's first verification is still running.
 */
@Injectable()
export class KeyVerifier implements OnModuleInit {
  private readonly logger = new Logger(KeyVerifier.name);
  private readonly freshMs: number;
  private readonly comparing = new Map<string, Promise<boolean>>();
  private readonly watches = new Map<string, Set<Watch>>();

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>,
    private readonly cache: VerifiedKeyCache,
    private readonly bcrypt: BcryptScheduler,
    private readonly failures: KeyFailures,
    private readonly events: KeyEvents,
    private readonly cluster: ClusterVerifier,
    private readonly legacy: LegacyKeys,
    private readonly states: KeyStateLoader,
    @Optional() private readonly database?: DatabaseAvailability,
  ) {
    this.freshMs = config.KEY_CACHE_FRESH_MS;
  }

  onModuleInit(): void {
    this.events.on((event) => {
      this.cache.forgetMiss(event.keyPrefix);
      for (const watch of this.watches.get(event.keyPrefix) ?? []) watch.changed = true;
      if (event.type === 'revoked') void this.cluster.remove(event.keyPrefix);
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
   * that keeps failing, 503 when the bcrypt queues are full). Without a client address (a call from
   * inside the service) failures are not counted; the address is read only when the key is not one
   * this process has verified (which answers without it).
   */
  async verify(plainKey: string, clientAddress?: () => string): Promise<KeyState> {
    const parsed = parseKey(plainKey);
    // A broken checksum is noise (a typo, a guess, a scanner's false positive): refused before any
    // cache, database, Redis verifier or bcrypt work, counted only against the address's failures.
    // Only the few keys issued before checksums (LegacyKeys, in memory) go on without one.
    if (parsed && !parsed.checksummed && !this.legacy.has(parsed.keyPrefix)) {
      return this.fail(clientAddress?.(), 'API key is invalid');
    }
    const cached = parsed && this.cache.match(parsed.keyPrefix, plainKey);
    if (parsed && cached) return usable(await this.current(parsed.keyPrefix, plainKey, cached));
    const clientIp = clientAddress?.();
    if (!parsed) return this.fail(clientIp, 'API key is malformed');
    const keyPrefix = parsed.keyPrefix;
    if (this.cache.isKnownMiss(keyPrefix)) return this.fail(clientIp, 'API key is invalid');
    // Another secret is cached for this prefix: prefixes are unique, so this one is wrong (no bcrypt).
    if (this.cache.peek(keyPrefix)) return this.fail(clientIp, 'API key is invalid');
    const watch = this.watch(keyPrefix);
    try {
      const answer = await this.cluster.check(keyPrefix, plainKey);
      if (answer === 'mismatch') return await this.fail(clientIp, 'API key is invalid');
      if (answer === 'match') return usable(await this.admitVouched(keyPrefix, plainKey, watch, clientIp));
      return usable(await this.admitByBcrypt(keyPrefix, plainKey, watch, clientIp));
    } finally {
      this.unwatch(keyPrefix, watch);
    }
  }

  /**
   * Whether this process's cache or the cluster's verifier vouches for a key (a leak report's
   * candidate, whose prefix is known to exist): 'match', 'mismatch', or 'unknown' when neither
   * knows the prefix (only bcrypt can tell). No database, no failure budget; revoked keys too.
   */
  async vouch(keyPrefix: string, plainKey: string): Promise<'match' | 'mismatch' | 'unknown'> {
    if (this.cache.match(keyPrefix, plainKey)) return 'match';
    // Another secret is cached for this prefix: prefixes are unique, so this one is wrong.
    if (this.cache.peek(keyPrefix)) return 'mismatch';
    const answer = await this.cluster.check(keyPrefix, plainKey);
    return answer === 'absent' ? 'unknown' : answer;
  }

  /** Whether a well-formed key that fails its checksum may still be genuine (issued before checksums; no I/O). */
  isLegacy(keyPrefix: string): boolean {
    return this.legacy.has(keyPrefix);
  }

  /** A key just issued (its plain value is in hand): known to this process and to the cluster at once. */
  async issued(keyPrefix: string, plainKey: string, state: KeyState): Promise<void> {
    this.cache.remember(keyPrefix, plainKey, state);
    await this.cluster.store(keyPrefix, plainKey, state.expiresAt);
  }

  /** The key was rotated and now ends at `expiresAt`: its cluster verifier ends then too. */
  rotated(keyPrefix: string, expiresAt: Date): Promise<void> {
    return this.cluster.capAt(keyPrefix, expiresAt);
  }

  /** Drops whatever this process knows about a prefix (a key was created or changed). */
  forget(keyPrefix: string): void {
    this.cache.forget(keyPrefix);
    this.cache.forgetMiss(keyPrefix);
  }

  /** The cluster vouches for the secret: only the key's state is read (no bcrypt, no failure budget). */
  private async admitVouched(keyPrefix: string, plainKey: string, watch: Watch, clientIp?: string): Promise<KeyState> {
    // Batched with the other first uses of this turn (a restart's warm keys arrive together).
    const row = await this.states.byPrefix(keyPrefix);
    if (!row) {
      // A verifier outliving its key (deleted with its organization): the key is unknown.
      void this.cluster.remove(keyPrefix);
      return this.fail(clientIp, 'API key is invalid');
    }
    return this.remember(keyPrefix, plainKey, await this.settled(stateOf(row), watch));
  }

  /**
   * No verifier anywhere: one indexed lookup, then one bcrypt compare, both paid for in advance from
   * the prefix's wrong-secret budget (and, when wrong secrets preceded it, the address's failure budget).
   */
  private async admitByBcrypt(keyPrefix: string, plainKey: string, watch: Watch, clientIp?: string): Promise<KeyState> {
    if (clientIp && (await this.failures.lockedOut(clientIp))) return this.failures.refuse();
    // Reserved before the lookup: a flood of wrong secrets for one prefix costs the database as
    // few lookups as it costs bcrypt compares. Past the prefix's budget, only a verifier could vouch
    // for a secret: refused without a lookup or bcrypt. (An unknown prefix's reservation is left to
    // expire: there is no key behind it to protect.)
    const prefix = await this.failures.reservePrefix(keyPrefix);
    if (!prefix.reservation.granted) return this.fail(clientIp, 'API key is invalid');
    const row = await this.keys
      .createQueryBuilder('key')
      .select(Object.keys(STATE_COLUMNS).map((column) => `key.${column}`))
      .addSelect('key.keyHash')
      .where('key.keyPrefix = :prefix', { prefix: keyPrefix })
      .getOne();
    if (!row) {
      this.cache.rememberMiss(keyPrefix);
      return this.fail(clientIp, 'API key is invalid');
    }
    // After wrong secrets for this prefix, a compare is a likely guess: the address pays before it
    // runs. A first compare is likely a genuine key's first use: a pending compare is no failure.
    let address: Reservation | undefined;
    if (!prefix.first && clientIp !== undefined) {
      address = await this.failures.reserve(clientIp);
      if (!address.granted) {
        await this.failures.release(prefix.reservation);
        return this.failures.refuse(address.retryAfterMs);
      }
    }
    const kind = prefix.first ? 'key-first-use' : 'key-suspect';
    // The scheduler's line is the client's (an IPv6 client's /64), as for its failure budget.
    const matched = await this.compare(kind, plainKey, row.keyHash, clientIp && clientKey(clientIp)).catch(async (err: unknown) => {
      // Not compared (503: the queues are full): not a failure, so nothing stays counted.
      await this.failures.release(prefix.reservation);
      if (address) await this.failures.release(address);
      throw err;
    });
    if (!matched) {
      // A first compare's failure is counted once found: 401 while the address has budget, else 429.
      if (!address) return this.fail(clientIp, 'API key is invalid');
      throw new UnauthorizedException('API key is invalid');
    }
    await this.failures.release(prefix.reservation);
    if (address) await this.failures.release(address);
    const state = await this.settled(stateOf(row), watch);
    if (state.status === 'active') void this.cluster.store(keyPrefix, plainKey, state.expiresAt);
    return this.remember(keyPrefix, plainKey, state);
  }

  /**
   * The state read before a first verification finished, or, when a change event for the prefix
   * arrived meanwhile (a revocation landing during the compare), the state read again after it.
   */
  private async settled(state: KeyState, watch: Watch): Promise<KeyState> {
    for (let reads = 0; watch.changed && reads < 5; reads++) {
      watch.changed = false;
      const row = await this.keys.findOne({ select: STATE_COLUMNS, where: { id: state.id } });
      state = row ? stateOf(row) : { ...state, status: 'revoked' };
    }
    // Still changing after five reads: refuse this once rather than cache a state that may be old.
    if (watch.changed) throw new UnauthorizedException('API key changed during verification; retry');
    return state;
  }

  /** Caches a verified key (synchronously after settled(): no change event can slip in between). */
  private remember(keyPrefix: string, plainKey: string, state: KeyState): KeyState {
    this.cache.remember(keyPrefix, plainKey, state);
    return state;
  }

  /** One bcrypt compare per distinct presented key at a time: concurrent first uses of a key share it. */
  private compare(kind: 'key-first-use' | 'key-suspect', plainKey: string, keyHash: string, source = 'internal'): Promise<boolean> {
    const id = this.cache.digest(plainKey).toString('base64');
    let pending = this.comparing.get(id);
    if (!pending) {
      pending = this.bcrypt.compare(kind, plainKey, keyHash, source).finally(() => this.comparing.delete(id));
      this.comparing.set(id, pending);
    }
    return pending;
  }

  /**
   * A failure known without bcrypt (malformed, unknown prefix, a secret that no verifier matches):
   * counted against the client address before it is answered; 429 once the address's budget is spent.
   */
  private async fail(clientIp: string | undefined, message: string): Promise<never> {
    if (clientIp) {
      const reservation = await this.failures.reserve(clientIp);
      if (!reservation.granted) return this.failures.refuse(reservation.retryAfterMs);
    }
    throw new UnauthorizedException(message);
  }

  private watch(keyPrefix: string): Watch {
    const watch = { changed: false };
    let set = this.watches.get(keyPrefix);
    if (!set) this.watches.set(keyPrefix, (set = new Set()));
    set.add(watch);
    return watch;
  }

  private unwatch(keyPrefix: string, watch: Watch): void {
    const set = this.watches.get(keyPrefix);
    set?.delete(watch);
    if (set?.size === 0) this.watches.delete(keyPrefix);
  }

  /**
   * The cached state, re-read first after a change event, refreshed in the background when old;
   * the key's cluster verifier is renewed at most every RENEW_MS by this process.
   */
  private async current(keyPrefix: string, plainKey: string, entry: CachedKey): Promise<KeyState> {
    if (entry.mustReload) {
      await this.refresh(keyPrefix, entry);
      // The read we joined may have started before the change; then one more.
      if (entry.mustReload) await this.refresh(keyPrefix, entry);
    } else {
      const now = Date.now();
      if (now - entry.checkedAt > this.freshMs && !entry.refreshing) void this.refresh(keyPrefix, entry);
      if (now - entry.renewedAt > RENEW_MS && entry.state.status === 'active') {
        entry.renewedAt = now;
        void this.cluster.store(keyPrefix, plainKey, entry.state.expiresAt);
      }
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
      // An outage is logged once, by DatabaseAvailability, not once per refresh.
      if (!this.database?.absorbs(err)) this.logger.warn(`Key state refresh failed: ${(err as Error).message}`);
    }
  }
}

/** What a request needs to know about a key row. */
export function stateOf(row: Pick<ApiKey, keyof typeof STATE_COLUMNS>): KeyState {
  return {
    id: row.id,
    organizationId: row.organizationId,
    scopes: row.scopes,
    rateLimit: row.rateLimit,
    expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
    status: row.status,
    createdBy: row.createdBy,
    enabled: row.enabled,
    allowlist: parseAllowlist(row.ipAllowlist),
    metadata: frozenMetadata(row.metadata),
  };
}

/** Refuses a revoked, expired or disabled key; expiry is judged now, on every request. */
function usable(state: KeyState): KeyState {
  if (state.status === 'revoked') throw new KeyRefusedError('revoked', state);
  if (state.expiresAt !== null && state.expiresAt <= Date.now()) throw new KeyRefusedError('expired', state);
  if (!state.enabled) throw new KeyRefusedError('disabled', state);
  return state;
}

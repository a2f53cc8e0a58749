import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { LRUCache } from 'lru-cache';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appConfig } from '../../config/app.config';
import type { StoredKeyStatus } from '../api-key.entity';
import type { Scope } from '../../auth/scopes';
import type { AddressRange } from './ip-allowlist';

/** What a request needs to know about a verified key. */
export interface KeyState {
  id: string;
  organizationId: string;
  scopes: Scope[];
  rateLimit: number;
  expiresAt: number | null;
  status: StoredKeyStatus;
  createdBy: string;
  /** A disabled key is genuine but refused (401) until enabled again. */
  enabled: boolean;
  /** Parsed when the state is read, so a request only compares; empty: any address. */
  allowlist: readonly AddressRange[];
  /** Frozen: one object serves every request the key makes in this process. */
  metadata: Readonly<Record<string, unknown>>;
}

export interface CachedKey {
  digest: Buffer;
  state: KeyState;
  /** When the state was last read from the database. */
  checkedAt: number;
  /** Set by a change event: the state must be re-read before the next use. */
  mustReload: boolean;
  /** Bumped by every change event, so a re-read that started before the change is discarded. */
  version: number;
  /** When this process last renewed the key's cluster verifier. */
  renewedAt: number;
  refreshing?: Promise<void>;
}

/** An entry not refreshed for this long is dropped and the key is verified with bcrypt again. */
const STALE_MS = 10 * 60_000;
/** How long an unknown prefix is answered from memory (creation and events clear it sooner). */
const MISS_MS = 5_000;

/**
 * Keys this process has verified (with bcrypt, through the cluster verifier, or at issue), by prefix. Holds an HMAC of the key under a
 * per-process secret, never the key itself, so a later request is checked with one HMAC and a
 * constant-time compare instead of bcrypt.
 */
@Injectable()
export class VerifiedKeyCache {
  private readonly secret = randomBytes(32);
  private readonly entries: LRUCache<string, CachedKey>;
  private readonly misses = new LRUCache<string, true>({ max: 10_000, ttl: MISS_MS });

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    this.entries = new LRUCache({ max: config.KEY_CACHE_MAX, ttl: STALE_MS, updateAgeOnGet: false });
  }

  digest(plainKey: string): Buffer {
    return createHmac('sha256', this.secret).update(plainKey).digest();
  }

  /** The entry for this exact key, or undefined (unknown prefix, or the secret does not match). */
  match(keyPrefix: string, plainKey: string): CachedKey | undefined {
    const entry = this.entries.get(keyPrefix);
    return entry && timingSafeEqual(entry.digest, this.digest(plainKey)) ? entry : undefined;
  }

  remember(keyPrefix: string, plainKey: string, state: KeyState): void {
    this.misses.delete(keyPrefix);
    const now = Date.now();
    this.entries.set(keyPrefix, { digest: this.digest(plainKey), state, checkedAt: now, mustReload: false, version: 0, renewedAt: now });
  }

  /** Stores a re-read state and restarts the entry's staleness clock. */
  refreshed(keyPrefix: string, entry: CachedKey, state: KeyState): void {
    entry.state = state;
    entry.checkedAt = Date.now();
    entry.mustReload = false;
    this.entries.set(keyPrefix, entry);
  }

  peek(keyPrefix: string): CachedKey | undefined {
    return this.entries.peek(keyPrefix);
  }

  forget(keyPrefix: string): void {
    this.entries.delete(keyPrefix);
  }

  isKnownMiss(keyPrefix: string): boolean {
    return this.misses.has(keyPrefix);
  }

  rememberMiss(keyPrefix: string): void {
    this.misses.set(keyPrefix, true);
  }

  forgetMiss(keyPrefix: string): void {
    this.misses.delete(keyPrefix);
  }
}

import { Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { LRUCache } from 'lru-cache';

/** Every key's limit counts requests per window of this length (the spec's "per minute"). */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** A key's current fixed window: it starts at the first request and lasts `ttl`. */
export interface RateWindow {
  /** Requests counted in the window, refused ones included. */
  hits: number;
  startedAt: number;
  endsAt: number;
}

/** The storage the key throttler and the usage endpoint share (in-process, or Redis when configured). */
export abstract class RateLimitStorage implements ThrottlerStorage {
  abstract increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord>;
  /** The key's current window without counting a request, or undefined when none is open. */
  abstract peek(key: string, ttl: number): Promise<RateWindow | undefined>;
}

/** The throttler key of an API key's counter: one counter per key, across all routes. */
export const rateLimitKey = (keyId: string) => `rl:${keyId}`;

/**
 * In-process rate-limit counters behind @nestjs/throttler's storage interface. Counts every
 * request, refused ones too (so usage reports what clients sent), in fixed windows that start at
 * a key's first request. `peek` reads a window without counting, for the usage endpoint.
 */
@Injectable()
export class InMemoryRateLimitStorage implements RateLimitStorage {
  // Bounded: a window that ended is worth nothing, and an idle key's entry ages out.
  private readonly windows = new LRUCache<string, RateWindow>({ max: 200_000, ttlAutopurge: false });

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    return toRecord(this.hit(key, ttl), limit);
  }

  /**
   * Counts one request synchronously; the window it landed in. A new window starts empty, or as
   * `opening` says when it returns one (a window carried over from elsewhere, still open).
   */
  hit<W extends RateWindow = RateWindow>(key: string, ttl: number, opening?: (now: number) => W | undefined): W {
    const now = Date.now();
    let window = this.windows.get(key) as W | undefined;
    if (!window || window.endsAt <= now) {
      window = opening?.(now) ?? ({ hits: 0, startedAt: now, endsAt: now + ttl } as W);
      this.windows.set(key, window, { ttl: window.endsAt - now });
    }
    window.hits += 1;
    return window;
  }

  /** The windows still open, live objects (a hit after this call still shows in them). */
  openWindows(): [string, RateWindow][] {
    const now = Date.now();
    return [...this.windows.entries()].filter(([, window]) => window.endsAt > now);
  }

  async peek(key: string, _ttl?: number): Promise<RateWindow | undefined> {
    const window = this.windows.get(key);
    return window && window.endsAt > Date.now() ? { ...window } : undefined;
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  /** Forgets the key's window if it is still `window`. */
  forget(key: string, window: RateWindow): void {
    if (this.windows.get(key) === window) this.windows.delete(key);
  }
}

/** The throttler's view of a window: seconds until it ends, blocked once over the limit. */
export function toRecord(window: RateWindow, limit: number): ThrottlerStorageRecord {
  const timeToExpire = Math.max(1, Math.ceil((window.endsAt - Date.now()) / 1000));
  const isBlocked = window.hits > limit;
  return { totalHits: window.hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
}

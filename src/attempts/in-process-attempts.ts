import { LRUCache } from 'lru-cache';
import { AttemptLimit, AttemptStatus } from './attempt';

interface Window {
  count: number;
  endsAt: number;
}

export interface Counted {
  granted: boolean;
  retryAfterMs: number;
  remaining: number;
}

/**
 * Attempt counters in this process, used without Redis or while it is down. Every method is
 * synchronous: checking a budget and counting in it happen with no await between, so requests
 * that arrive together cannot all see the same "one left".
 */
export class InProcessAttempts {
  // Bounded: an address flood cannot grow it without end. Evicting a counter can only forget
  // attempts of the least recently tried ids, never those being tried right now.
  private readonly windows = new LRUCache<string, Window>({ max: 200_000 });

  reserve(limits: readonly AttemptLimit[], keyOf: (limit: AttemptLimit) => string): Counted {
    const now = Date.now();
    let refused = false;
    let retryAfterMs = 0;
    for (const limit of limits) {
      const window = this.open(keyOf(limit), now);
      if (window && window.count >= limit.limit) {
        refused = true;
        retryAfterMs = Math.max(retryAfterMs, window.endsAt - now);
      }
    }
    if (refused) return { granted: false, retryAfterMs, remaining: 0 };
    let remaining = Infinity;
    for (const limit of limits) {
      const key = keyOf(limit);
      let window = this.open(key, now);
      if (!window) {
        window = { count: 0, endsAt: now + limit.windowMs };
        this.windows.set(key, window, { ttl: limit.windowMs });
      }
      window.count += 1;
      remaining = Math.min(remaining, limit.limit - window.count);
    }
    return { granted: true, retryAfterMs: 0, remaining };
  }

  release(keys: readonly string[]): void {
    const now = Date.now();
    for (const key of keys) {
      const window = this.open(key, now);
      if (window && window.count > 0) window.count -= 1;
    }
  }

  peek(key: string, limit: number): AttemptStatus {
    const now = Date.now();
    const window = this.open(key, now);
    if (!window) return { count: 0, exhausted: false, retryAfterMs: 0 };
    return { count: window.count, exhausted: window.count >= limit, retryAfterMs: window.endsAt - now };
  }

  clear(key: string): void {
    this.windows.delete(key);
  }

  /** The key's window if one is open now. */
  private open(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    return window && window.endsAt > now ? window : undefined;
  }
}

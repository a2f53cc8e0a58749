import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/app.config';

/** How long an organization counts as active after its last request started. */
export const ACTIVE_WINDOW_MS = 1_000;

interface Waiter {
  start: () => void;
}

interface OrganizationLoad {
  inFlight: number;
  /** Requests admitted by the guard that wait for the organization's share (FIFO). */
  waiting: Waiter[];
  lastStartedAt: number;
}

export interface FairShareStats {
  /** Organizations with a request in the last ACTIVE_WINDOW_MS (or one in flight). */
  activeOrganizations: number;
  /** Requests that had to wait for their organization's share since start. */
  queued: number;
  /** Requests refused because their organization's line was full. */
  refused: number;
}

/**
 * One tenant must not slow another: the process's time is shared between organizations, not between
 * requests. An organization alone on the process is never held back. While several organizations
 * are active (a request started within the last second), each may have at most
 * max(1, ⌊ORG_FAIR_SHARE_SLOTS / active organizations⌋) requests in flight; its further requests wait,
 * after authentication (the first moment the organization is known) and before any work of the
 * route, in the organization's own line, and start in order as its earlier ones finish.
 *
 * Why a cap and not a queue in front of everything: on one event loop (and, with the embedded
 * database, one database session) a request waits behind every request in flight. Ten closed-loop
 * clients of one organization keep ten requests in flight, so another organization's request waits
 * behind ten; with the cap it waits behind at most the share. The cost is paid by the organization
 * that sends more than its share, as queueing, not as errors: only a line longer than
 * ORG_FAIR_SHARE_QUEUE is refused (503, Retry-After 1).
 */
@Injectable()
export class OrganizationFairShare {
  private readonly slots: number;
  private readonly queueLimit: number;
  private readonly loads = new Map<string, OrganizationLoad>();
  private readonly stats_: FairShareStats = { activeOrganizations: 0, queued: 0, refused: 0 };
  /** The active count, recomputed at most every few milliseconds (a scan of `loads`) or when an organization arrives. */
  private activeCount = 0;
  private countedAt = -Infinity;

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    this.slots = config.ORG_FAIR_SHARE_SLOTS;
    this.queueLimit = config.ORG_FAIR_SHARE_QUEUE;
  }

  /**
   * Resolves when the organization's request may run, with the function that ends its turn (call it
   * when the response is finished or the connection closed; later calls do nothing). `onGone`
   * receives a callback for the client going away while its request waits: the request leaves the
   * line and enter() rejects. 0 slots: off. The common case (a turn free now) answers synchronously,
   * without a promise: this runs on every authenticated request.
   */
  enter(organizationId: string, onGone?: (gone: () => void) => void): (() => void) | Promise<() => void> {
    if (this.slots === 0) return noop;
    const now = Date.now();
    let load = this.loads.get(organizationId);
    if (!load) {
      this.loads.set(organizationId, (load = { inFlight: 0, waiting: [], lastStartedAt: now }));
      this.countedAt = -Infinity; // a newcomer changes every share at once
    }
    load.lastStartedAt = now;
    if (load.waiting.length === 0 && load.inFlight < this.share(now)) {
      load.inFlight += 1;
      return this.leaver(organizationId, load);
    }
    if (load.waiting.length >= this.queueLimit) {
      this.stats_.refused += 1;
      return Promise.reject(new HttpException(
        { message: 'Too many requests of this organization in progress; retry shortly', retryAfter: 1 },
        HttpStatus.SERVICE_UNAVAILABLE,
      ));
    }
    this.stats_.queued += 1;
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = { start: () => resolve(this.leaver(organizationId, load)) };
      load.waiting.push(waiter);
      onGone?.(() => {
        const at = load.waiting.indexOf(waiter);
        if (at === -1) return; // already started: its leaver ends the turn
        load.waiting.splice(at, 1);
        reject(new HttpException('Client closed the request', 499));
      });
    });
  }

  stats(): FairShareStats {
    this.stats_.activeOrganizations = this.active(Date.now());
    return { ...this.stats_ };
  }

  /** The requests each organization may have in flight now: unlimited when it is alone. */
  private share(now: number): number {
    const active = this.active(now);
    return active <= 1 ? Infinity : Math.max(1, Math.floor(this.slots / active));
  }

  private active(now: number): number {
    if (now - this.countedAt < 5) return this.activeCount;
    let count = 0;
    for (const [id, load] of this.loads) {
      if (load.inFlight > 0 || load.waiting.length > 0 || now - load.lastStartedAt < ACTIVE_WINDOW_MS) count += 1;
      else this.loads.delete(id); // idle: forgotten, so the map holds only recent organizations
    }
    this.countedAt = now;
    this.activeCount = count;
    return count;
  }

  private leaver(organizationId: string, load: OrganizationLoad): () => void {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      load.inFlight -= 1;
      this.dispatch(organizationId, load);
    };
  }

  /** Starts the organization's waiting requests that fit its share now. */
  private dispatch(organizationId: string, load: OrganizationLoad): void {
    const now = Date.now();
    while (load.waiting.length > 0 && load.inFlight < this.share(now)) {
      load.inFlight += 1;
      load.waiting.shift()!.start();
    }
    // An organization forgotten by active() while it still had requests is put back.
    if ((load.inFlight > 0 || load.waiting.length > 0) && !this.loads.has(organizationId)) this.loads.set(organizationId, load);
  }
}

const noop = () => undefined;

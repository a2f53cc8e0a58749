import { HttpException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { appConfig } from '../config/app.config';
import { ACTIVE_WINDOW_MS, OrganizationFairShare } from './organization-fair-share';

function fairShare(slots = 4, queue = 1024): OrganizationFairShare {
  return new OrganizationFairShare({ ORG_FAIR_SHARE_SLOTS: slots, ORG_FAIR_SHARE_QUEUE: queue } as ConfigType<typeof appConfig>);
}

/** Enters `n` requests of an organization; `started` lists, in order, the ones whose turn came. */
function enterMany(share: OrganizationFairShare, org: string, n: number, started: string[]) {
  return Array.from({ length: n }, (_, i) =>
    Promise.resolve(share.enter(org)).then((leave) => {
      started.push(`${org}${i}`);
      return leave;
    }),
  );
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('OrganizationFairShare', () => {
  afterEach(() => jest.useRealTimers());

  it('never holds back an organization that is alone on the process', async () => {
    const share = fairShare(4);
    const started: string[] = [];
    const turns = enterMany(share, 'A', 50, started);
    await flush();
    expect(started).toHaveLength(50);
    (await Promise.all(turns)).forEach((leave) => leave());
    expect(share.stats().queued).toBe(0);
  });

  it('while two organizations are active, each runs at most half the slots; the rest wait in order', async () => {
    const share = fairShare(4);
    const started: string[] = [];
    const b = await share.enter('B'); // B is active: A now gets 4 / 2 = 2
    const turnsA = enterMany(share, 'A', 6, started);
    await flush();
    expect(started).toEqual(['A0', 'A1']);
    expect(share.stats()).toMatchObject({ activeOrganizations: 2, queued: 4 });

    // B's own requests are not behind A's line.
    const b2 = await share.enter('B');
    expect(started).toEqual(['A0', 'A1']);

    // Each A request that ends lets the next one of A's line start, first come first served.
    (await turnsA[0])();
    await flush();
    expect(started).toEqual(['A0', 'A1', 'A2']);
    (await turnsA[1])();
    (await turnsA[2])();
    await flush();
    expect(started).toEqual(['A0', 'A1', 'A2', 'A3', 'A4']);
    b();
    b2();
    for (const turn of turnsA.slice(3, 5)) (await turn)();
    await flush();
    expect(started).toHaveLength(6);
    (await turnsA[5])();
  });

  it('gives a waiting line the whole process back once the other organization has gone quiet', async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['setImmediate', 'nextTick'] });
    const share = fairShare(2);
    const started: string[] = [];
    (await share.enter('B'))(); // B was active a moment ago, and has nothing in flight now
    const turnsA = enterMany(share, 'A', 4, started);
    await flush();
    expect(started).toEqual(['A0']); // 2 slots / 2 active = 1
    jest.advanceTimersByTime(ACTIVE_WINDOW_MS + 10);
    (await turnsA[0])();
    await flush();
    // A alone now: everything waiting starts.
    expect(started).toEqual(['A0', 'A1', 'A2', 'A3']);
    expect(share.stats().activeOrganizations).toBe(1);
  });

  it('refuses with 503 and Retry-After past the line limit, without touching others', async () => {
    const share = fairShare(2, 3);
    await share.enter('B');
    const started: string[] = [];
    const turnsA = enterMany(share, 'A', 4, started); // 1 runs, 3 wait: the line is full
    await flush();
    const refused = await Promise.resolve(share.enter('A')).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HttpException);
    expect((refused as HttpException).getStatus()).toBe(503);
    expect((refused as HttpException).getResponse()).toMatchObject({ retryAfter: 1 });
    expect(share.stats().refused).toBe(1);
    await expect(Promise.resolve(share.enter('C'))).resolves.toBeInstanceOf(Function);
    void turnsA;
  });

  it('takes a request whose client went away out of the line, and its turn passes on', async () => {
    const share = fairShare(2);
    await share.enter('B');
    const first = await share.enter('A');
    let gone: () => void = () => undefined;
    const abandoned = Promise.resolve(share.enter('A', (cb) => (gone = cb))).catch((err: HttpException) => err.getStatus());
    const started: string[] = [];
    const next = Promise.resolve(share.enter('A')).then((leave) => (started.push('next'), leave));
    gone();
    expect(await abandoned).toBe(499);
    first();
    await flush();
    expect(started).toEqual(['next']);
    (await next)();
    // Leaving twice counts once: A has nothing in flight.
    first();
    const again = Promise.resolve(share.enter('A'));
    await flush();
    await expect(again).resolves.toBeInstanceOf(Function);
  });

  it('is off with 0 slots', async () => {
    const share = fairShare(0);
    await share.enter('B');
    const started: string[] = [];
    enterMany(share, 'A', 20, started);
    await flush();
    expect(started).toHaveLength(20);
  });
});

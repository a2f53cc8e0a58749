import { HttpException, HttpStatus } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { registerOrg } from '../../../test/helpers/fixtures';
import { startTestApp, TestApp } from '../../../test/helpers/test-app';
import { BcryptScheduler } from '../../bcrypt/bcrypt-scheduler';
import { ApiKeysService } from '../api-keys.service';
import { ClusterVerifier } from './cluster-verifier';
import { KeyRefusedError, KeyVerifier } from './key-verifier';
import { withChecksum } from './key-format';

/** Item 2 and 5 of issue 9, with the bcrypt compare held open so the order of events is certain. */
describe('KeyVerifier', () => {
  let t: TestApp;
  let service: ApiKeysService;
  let verifier: KeyVerifier;
  let scheduler: BcryptScheduler;
  let orgId: string;
  let userId: string;

  beforeAll(async () => {
    t = await startTestApp();
    service = t.app.get(ApiKeysService);
    verifier = t.app.get(KeyVerifier);
    scheduler = t.app.get(BcryptScheduler);
    const owner = await registerOrg(t);
    orgId = owner.organizationId;
    userId = owner.userId;
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  /** A key this process has not seen and no verifier vouches for: only bcrypt can tell. */
  async function unseenKey(): Promise<{ id: string; plainKey: string; keyPrefix: string }> {
    const { record, plainKey } = await service.create(orgId, { name: 'k', scopes: ['agents:read'] }, userId);
    verifier.forget(record.keyPrefix);
    await t.app.get(ClusterVerifier).remove(record.keyPrefix);
    return { id: record.id, plainKey, keyPrefix: record.keyPrefix };
  }

  /** Holds every bcrypt compare until release() is called. */
  function holdCompares(outcome: 'compare' | 'unavailable' = 'compare') {
    const original = scheduler.compare.bind(scheduler);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const spy = jest.spyOn(scheduler, 'compare').mockImplementation(async (...args) => {
      await released;
      if (outcome === 'unavailable') throw new HttpException('busy', HttpStatus.SERVICE_UNAVAILABLE);
      return original(...args);
    });
    return { spy, release };
  }

  const address = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}-${randomUUID()}`;
  const malformed = 'sk_live_bad';

  it('a revocation landing while the first compare runs is not lost: the key is refused, then and after', async () => {
    const key = await unseenKey();
    const { spy, release } = holdCompares();
    const verifying = verifier.verify(key.plainKey, () => '203.0.113.50');
    while (spy.mock.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await service.revoke(key.id);
    release();
    await expect(verifying).rejects.toBeInstanceOf(KeyRefusedError);
    await expect(verifier.verify(key.plainKey, () => '203.0.113.50')).rejects.toMatchObject({ reason: 'revoked' });
  });

  it('compares still waiting are not failures: 30 valid keys verified at once from one address all pass', async () => {
    const keys = await Promise.all(Array.from({ length: 30 }, () => unseenKey()));
    const from = address();
    const { spy, release } = holdCompares();
    const verifying = keys.map((k) => verifier.verify(k.plainKey, () => from));
    while (spy.mock.calls.length < 30) await new Promise((resolve) => setImmediate(resolve));
    release();
    const states = await Promise.all(verifying);
    expect(states.map((s) => s.id).sort()).toEqual(keys.map((k) => k.id).sort());
    // And the address has its whole budget left: a bad key is a 401, not a 429.
    await expect(verifier.verify(malformed, () => from)).rejects.toMatchObject({ status: 401 });
  });

  it('a 503 (bcrypt queues full) is not a failure of the address or of the prefix', async () => {
    const keys = await Promise.all(Array.from({ length: 25 }, () => unseenKey()));
    const from = address();
    const { release } = holdCompares('unavailable');
    const verifying = keys.map((k) => verifier.verify(k.plainKey, () => from));
    release();
    for (const result of await Promise.allSettled(verifying)) {
      expect(result).toMatchObject({ status: 'rejected', reason: { status: 503 } });
    }
    jest.restoreAllMocks();
    await expect(verifier.verify(malformed, () => from)).rejects.toMatchObject({ status: 401 });
    // Each key's prefix still counts its next compare as a first use, and the key works.
    const compare = jest.spyOn(scheduler, 'compare');
    await verifier.verify(keys[0].plainKey, () => from);
    expect(compare).toHaveBeenCalledWith('key-first-use', keys[0].plainKey, expect.any(String), expect.any(String));
  });

  it('a key verified once never meets its address failure limit', async () => {
    const key = await unseenKey();
    const from = address();
    await verifier.verify(key.plainKey, () => from);
    for (let i = 0; i < 20; i++) await expect(verifier.verify(malformed, () => from)).rejects.toMatchObject({ status: 401 });
    await expect(verifier.verify(malformed, () => from)).rejects.toMatchObject({ status: 429 });
    await expect(verifier.verify(key.plainKey, () => from)).resolves.toMatchObject({ id: key.id });
  });

  it('past the prefix budget, wrong secrets are refused without bcrypt while the genuine key still passes', async () => {
    const key = await unseenKey();
    const compare = jest.spyOn(scheduler, 'compare');
    // Checksums valid, as a guesser who read the README computes them: only such guesses reach bcrypt.
    const wrong = (i: number) => withChecksum(`${key.keyPrefix}_${String(i).padStart(26, 'W')}`);
    // Ten addresses, so no address budget is what stops them.
    const guesses = Array.from({ length: 40 }, (_, i) => verifier.verify(wrong(i), () => `192.0.2.${i % 10}-${key.id}`));
    const results = await Promise.allSettled(guesses);
    expect(results.every((r) => r.status === 'rejected' && (r.reason as HttpException).getStatus() === 401)).toBe(true);
    expect(compare.mock.calls.length).toBeLessThanOrEqual(10);
    compare.mockClear();
    // The budget is spent; only a verifier vouches now. This process verified nothing yet for the prefix:
    await expect(verifier.verify(key.plainKey, () => '192.0.2.99')).rejects.toMatchObject({ status: 401 });
    expect(compare).not.toHaveBeenCalled();
    // ...while a verifier (this process's cache, or the cluster's in Redis) lets the genuine key through.
    await verifier.issued(key.keyPrefix, key.plainKey, {
      id: key.id,
      organizationId: orgId,
      scopes: ['agents:read'],
      rateLimit: 100,
      expiresAt: null,
      status: 'active',
      createdBy: userId,
      enabled: true,
      allowlist: [],
      metadata: {},
    });
    await expect(verifier.verify(key.plainKey, () => '192.0.2.99')).resolves.toMatchObject({ id: key.id });
    expect(compare).not.toHaveBeenCalled();
  });
});

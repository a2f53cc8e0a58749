import * as bcrypt from 'bcrypt';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { ClusterVerifier } from '../src/api-keys/verification/cluster-verifier';
import { generateLegacyKey, hasValidChecksum } from '../src/api-keys/verification/key-format';
import { VerifiedKeyCache } from '../src/api-keys/verification/verified-key-cache';
import { UsageRecorder } from '../src/api-keys/usage/usage-recorder';
import { BcryptScheduler } from '../src/bcrypt/bcrypt-scheduler';
import { withEnv } from './helpers/env';
import { createKey, registerOrg } from './helpers/fixtures';
import { call, inPool, statusCounts } from './helpers/load';
import { startTestApp, TestApp } from './helpers/test-app';

/**
 * Everything a key check can cost, counted in-process from now on: database queries (every TypeORM
 * query, PostgreSQL or PGlite, goes through PostgresQueryRunner.query), reads of the cluster's
 * verifier in Redis, lookups in the verified-key cache and bcrypt compares. Counted usage is written
 * first: the background flusher then has nothing to write (and writes nothing) while we count.
 */
async function costs(t: TestApp) {
  await t.app.get(UsageRecorder).flush();
  const spies = {
    queries: jest.spyOn(PostgresQueryRunner.prototype, 'query'),
    verifierReads: jest.spyOn(t.app.get(ClusterVerifier), 'check'),
    cacheLookups: jest.spyOn(t.app.get(VerifiedKeyCache), 'match'),
    compares: jest.spyOn(t.app.get(BcryptScheduler), 'compare'),
  };
  return {
    counts: () => Object.fromEntries(Object.entries(spies).map(([name, spy]) => [name, spy.mock.calls.length])),
    restore: () => Object.values(spies).forEach((spy) => spy.mockRestore()),
  };
}

/** The same key with one character of its checksum changed: well-formed, with a real prefix, not genuine. */
function breakChecksum(key: string): string {
  const last = key[key.length - 1];
  return key.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}

describe('checksummed keys (e2e)', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await startTestApp();
    // A listening server, so that clients can come from distinct bound 127.x addresses.
    // app.listen (not the server's own): app.close() then closes the server too.
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it('issues keys whose checksum holds', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    expect(hasValidChecksum(key.key)).toBe(true);
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
  });

  it('refuses a broken checksum with the invalid-key 401, without a query, a verifier read, a cache lookup or bcrypt', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    const broken = breakChecksum(key.key);
    const cost = await costs(t);
    try {
      const res = await t.api().get('/api/v1/agents').set('X-API-Key', broken).expect(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'API key is invalid' });
      expect(cost.counts()).toEqual({ queries: 0, verifierReads: 0, cacheLookups: 0, compares: 0 });
      // The counters do count: the genuine key, forgotten by this process, costs a lookup at least.
      t.app.get(VerifiedKeyCache).forget(key.key_prefix);
      await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
      expect(cost.counts()).toMatchObject({ queries: expect.any(Number), cacheLookups: 1 });
      expect(cost.counts().queries).toBeGreaterThan(0);
    } finally {
      cost.restore();
    }
  });

  it('refuses hundreds of broken checksums, concurrently from several addresses, with no query at all: each address within its failure budget', async () => {
    const owner = await registerOrg(t);
    const keys = await Promise.all(Array.from({ length: 5 }, () => createKey(t, owner)));
    const net = randomInt(1, 250);
    const addresses = Array.from({ length: 5 }, (_, i) => `127.${net}.${i + 1}.9`);
    const calls = Array.from({ length: 300 }, (_, i) => ({
      path: '/api/v1/agents',
      headers: { 'x-api-key': breakChecksum(keys[i % keys.length].key) },
      from: addresses[i % addresses.length],
    }));
    const cost = await costs(t);
    try {
      const answers = await inPool(calls, 100, (c) => call(baseUrl, c));
      expect(cost.counts()).toEqual({ queries: 0, verifierReads: 0, cacheLookups: 0, compares: 0 });
      // KEY_FAILURES_PER_MINUTE (20) per address: exactly that many 401s each, then 429.
      expect(statusCounts(answers)).toEqual({ 401: 100, 429: 200 });
      for (const address of addresses) {
        expect(answers.filter((a, i) => calls[i].from === address && a.status === 401)).toHaveLength(20);
      }
    } finally {
      cost.restore();
    }
    // The genuine keys are untouched, from an address that did not fail.
    await call(baseUrl, { path: '/api/v1/agents', headers: { 'x-api-key': keys[0].key }, from: `127.${net}.200.1` }).then((a) =>
      expect(a.status).toBe(200),
    );
  });
});

describe('keys issued before checksums (e2e)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kaizen-legacy-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // On the embedded database a folder of its own, so the data outlives the first app; on PostgreSQL the shared database.
  const start = () => withEnv({ PGLITE_DATA_DIR: process.env.DATABASE_URL ? undefined : dir }, () => startTestApp());

  it('keep working after a start that finds them, and a wrong secret for one still goes through the normal check', async () => {
    let t = await start();
    const owner = await registerOrg(t);
    const legacy = generateLegacyKey();
    expect(hasValidChecksum(legacy.plainKey)).toBe(false);
    // As the table held it before the migration: the old format, a bcrypt hash, marked not checksummed.
    await t.app.get(DataSource).query(
      `INSERT INTO api_keys (organization_id, name, key_hash, key_prefix, scopes, rate_limit, created_by, checksummed)
       VALUES ($1, 'Old key', $2, $3, '{agents:read}', 100, $4, false)`,
      [owner.organizationId, await bcrypt.hash(legacy.plainKey, 4), legacy.keyPrefix, owner.userId],
    );
    // This instance read the legacy prefixes at its start, before the row existed: for it the key is noise.
    await t.api().get('/api/v1/agents').set('X-API-Key', legacy.plainKey).expect(401);
    await t.close();

    t = await start();
    try {
      await t.api().get('/api/v1/agents').set('X-API-Key', legacy.plainKey).expect(200);
      // Another secret for the legacy prefix: not refused by the checksum, but by bcrypt.
      const compare = jest.spyOn(t.app.get(BcryptScheduler), 'compare');
      t.app.get(VerifiedKeyCache).forget(legacy.keyPrefix);
      const wrong = `${legacy.keyPrefix}_${'W'.repeat(32)}`;
      const res = await t.api().get('/api/v1/agents').set('X-API-Key', wrong).expect(401);
      expect(res.body.message).toBe('API key is invalid');
      // With Redis the cluster's verifier (stored at the 200 above) says "mismatch" without bcrypt.
      expect(compare.mock.calls.length).toBe(process.env.REDIS_URL ? 0 : 1);
      compare.mockRestore();
      await t.api().get('/api/v1/agents').set('X-API-Key', legacy.plainKey).expect(200);
    } finally {
      await t.close();
    }
  });
});

import { generateKeyPairSync, KeyObject, randomInt, sign } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { LeakReports, REPORT_MAX_COMPARES } from '../src/api-keys/leaks/leak-reports';
import { ClusterVerifier } from '../src/api-keys/verification/cluster-verifier';
import { VerifiedKeyCache } from '../src/api-keys/verification/verified-key-cache';
import { BcryptScheduler } from '../src/bcrypt/bcrypt-scheduler';
import { eventually, withEnv } from './helpers/env';
import { Account, bearer, createKey, CreatedKey, forgeKey, registerOrg } from './helpers/fixtures';
import { rawRequest, RawResponse } from './helpers/raw-request';
import { ServerProcess, startServerProcess } from './helpers/server-process';
import { startTestApp, TestApp } from './helpers/test-app';

const LEAKED = '/api/v1/api-keys/leaked';
const GITHUB = '/api/v1/secret-scanning/github';

async function listen(t: TestApp): Promise<string> {
  // app.listen (not the server's own): app.close() then closes the server too.
  await t.app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
}

/** A network of bound loopback addresses no other test of this file uses: `${net}.${n}` is one client. */
const freshNet = () => `127.${randomInt(1, 250)}.${randomInt(1, 250)}`;

function post(baseUrl: string, path: string, body: unknown, from?: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const bytes = typeof body === 'string' ? body : JSON.stringify(body);
  return rawRequest(baseUrl, 'POST', path, { body: bytes, localAddress: from, headers: { 'content-type': 'application/json', ...headers } });
}

async function revocations(t: TestApp, owner: Account, key: CreatedKey) {
  const res = await t.api().get(`/api/v1/audit-logs?action=api_key.revoked&target_id=${key.id}`).set(bearer(owner.token)).expect(200);
  return res.body.data as { actor_type: string; actor_id: string | null; client_ip: string | null; metadata: Record<string, unknown> }[];
}

const breakChecksum = (key: string) => key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');

describe('leak reports (e2e)', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await withEnv({ LEAK_REPORTS_PER_ADDRESS_PER_HOUR: '5' }, () => startTestApp());
    baseUrl = await listen(t);
  });
  afterAll(() => t.close());

  it("revokes the genuine key among garbage and another organization's wrong secrets, audited with the url; the answer tells nothing", async () => {
    const alice = await registerOrg(t, 'Alice Co');
    const bob = await registerOrg(t, 'Bob Co');
    const leaked = await createKey(t, alice);
    const bobs = await createKey(t, bob);
    const net = freshNet();
    const url = 'https://github.com/example/repo/blob/main/.env';
    const garbage = ['hello', '', bobs.key_prefix, 'sk_live_bad', breakChecksum(bobs.key), forgeKey(bobs.key_prefix, 'guess')];
    const withGenuine = await post(baseUrl, LEAKED, { keys: [...garbage, leaked.key, leaked.key], url }, `${net}.1`);
    // Same length, nothing genuine: another org's wrong secrets and noise.
    const withoutGenuine = await post(
      baseUrl,
      LEAKED,
      { keys: [...garbage, forgeKey(bobs.key_prefix, 'other'), forgeKey('sk_live_zzzzzzzz', 'x')], url },
      `${net}.2`,
    );
    await t.app.get(LeakReports).idle();

    expect(withGenuine.status).toBe(202);
    expect(withGenuine.json()).toEqual({ received: 8 });
    // The same status, body and headers (by name) whether the report held a genuine key or not.
    expect(withoutGenuine.status).toBe(202);
    expect(withoutGenuine.json()).toEqual(withGenuine.json());
    expect(Object.keys(withoutGenuine.headers).sort()).toEqual(Object.keys(withGenuine.headers).sort());

    const refused = await t.api().get('/api/v1/agents').set('X-API-Key', leaked.key).expect(401);
    expect(refused.body.message).toContain('revoked');
    await t.api().get('/api/v1/agents').set('X-API-Key', bobs.key).expect(200);
    const key = await t.api().get(`/api/v1/api-keys/${leaked.id}`).set(bearer(alice.token)).expect(200);
    expect(key.body.status).toBe('revoked');

    const entries = await revocations(t, alice, leaked);
    // The key was reported twice in one report: revoked once, one entry.
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor_type: 'system', actor_id: null, client_ip: `${net}.1` });
    expect(entries[0].metadata).toEqual({ name: 'CI/CD Pipeline', key_prefix: leaked.key_prefix, reason: 'leaked', url, source: 'report' });
    expect(await revocations(t, bob, bobs)).toEqual([]);
  });

  it('reporting an already revoked key, or a key without url, changes nothing more and answers the same', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    const net = freshNet();
    const first = await post(baseUrl, LEAKED, { keys: [key.key] }, `${net}.1`);
    await t.app.get(LeakReports).idle();
    const again = await post(baseUrl, LEAKED, { keys: [key.key] }, `${net}.1`);
    await t.app.get(LeakReports).idle();
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.json()).toEqual({ received: 1 });
    const entries = await revocations(t, owner, key);
    expect(entries).toHaveLength(1);
    expect(entries[0].metadata).toEqual({ name: 'CI/CD Pipeline', key_prefix: key.key_prefix, reason: 'leaked', source: 'report' });
  });

  it('refuses invalid reports with 400 naming the field, before counting them', async () => {
    const from = `${freshNet()}.1`;
    const cases: [unknown, RegExp][] = [
      [{}, /keys must be an array of 1 to 1000 strings/],
      [{ keys: [] }, /keys must be an array of 1 to 1000 strings/],
      [{ keys: Array.from({ length: 1001 }, () => 'x') }, /keys must be an array of 1 to 1000 strings/],
      [{ keys: [42] }, /each of keys must be a string/],
      [{ keys: ['x'.repeat(257)] }, /each of keys must be at most 256 characters/],
      [{ keys: ['x'], url: 'ftp://example.com/a' }, /url must be an http or https URL/],
      [{ keys: ['x'], url: `https://example.com/${'a'.repeat(2048)}` }, /url must be at most 2048 characters/],
      [{ keys: ['x'], extra: 1 }, /property extra should not exist/],
    ];
    for (const [body, message] of cases) {
      const res = await post(baseUrl, LEAKED, body, from);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(String(res.json().message)).toMatch(message);
    }
    // Invalid reports were not counted: the address still has its whole budget (5).
    const statuses = await Promise.all(Array.from({ length: 5 }, () => post(baseUrl, LEAKED, { keys: ['x'] }, from).then((r) => r.status)));
    expect(statuses).toEqual([202, 202, 202, 202, 202]);
  });

  it('gives each address exactly its budget of reports, however many arrive at once; another address is unaffected', async () => {
    const net = freshNet();
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(baseUrl, LEAKED, { keys: ['noise'] }, `${net}.1`)));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(5);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(15);
    for (const r of refused) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(r.json().message).toMatch(/Too many leak reports from this address/);
    }
    expect((await post(baseUrl, LEAKED, { keys: ['noise'] }, `${net}.2`)).status).toBe(202);
  });

  it('bounds the bcrypt work of a report of 1,000 wrong secrets on real prefixes, while a known genuine key in it is revoked', async () => {
    const owner = await registerOrg(t);
    const keys = await Promise.all(Array.from({ length: 20 }, () => createKey(t, owner)));
    const genuine = await createKey(t, owner);
    // As if issued elsewhere and never seen: neither this process nor the cluster can vouch, only bcrypt.
    for (const key of keys) {
      t.app.get(VerifiedKeyCache).forget(key.key_prefix);
      await t.app.get(ClusterVerifier).remove(key.key_prefix);
    }
    const decoys = Array.from({ length: 999 }, (_, i) => forgeKey(keys[i % keys.length].key_prefix, `decoy${i}`));
    const compare = jest.spyOn(t.app.get(BcryptScheduler), 'compare');
    try {
      const res = await post(baseUrl, LEAKED, { keys: [...decoys, genuine.key] }, `${freshNet()}.1`);
      expect(res.status).toBe(202);
      expect(res.json()).toEqual({ received: 1000 });
      await t.app.get(LeakReports).idle();
      expect(compare.mock.calls.length).toBeGreaterThan(0);
      expect(compare.mock.calls.length).toBeLessThanOrEqual(REPORT_MAX_COMPARES);
      expect(compare.mock.calls.every(([kind]) => kind === 'key-suspect')).toBe(true);
    } finally {
      compare.mockRestore();
    }
    const list = await t.api().get('/api/v1/api-keys?status=revoked').set(bearer(owner.token)).expect(200);
    expect(list.body.data.map((k: { id: string }) => k.id)).toEqual([genuine.id]);
  });
});

describe('GitHub secret scanning (e2e)', () => {
  let t: TestApp;
  let unconfigured: TestApp;
  let baseUrl: string;
  let privateKey: KeyObject;
  let otherPrivateKey: KeyObject;
  let oldPrivateKey: KeyObject;
  const keyId = 'f9525bf080f75b3506ca1ead061add62b8633a346606dc5fe544e29231c6ee0d';

  beforeAll(async () => {
    const current = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const old = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    privateKey = current.privateKey;
    oldPrivateKey = old.privateKey;
    otherPrivateKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const published = {
      public_keys: [
        { key_identifier: keyId, key: current.publicKey.export({ type: 'spki', format: 'pem' }), is_current: true },
        { key_identifier: 'old-key', key: old.publicKey.export({ type: 'spki', format: 'pem' }), is_current: false },
      ],
    };
    t = await withEnv({ GITHUB_SECRET_SCANNING_KEYS: JSON.stringify(published) }, () => startTestApp());
    baseUrl = await listen(t);
    unconfigured = await withEnv({ GITHUB_SECRET_SCANNING_KEYS: undefined }, () => startTestApp());
  });
  afterAll(async () => {
    await t.close();
    await unconfigured.close();
  });

  /** What GitHub sends: the raw bytes, signed as they are (note the spacing: no re-serialization may match). */
  const alert = (matches: unknown[], signWith = privateKey, id = keyId) => {
    const body = `[ ${matches.map((m) => JSON.stringify(m)).join(',\n ')} ]`;
    return {
      body,
      headers: { 'Github-Public-Key-Identifier': id, 'Github-Public-Key-Signature': sign('sha256', Buffer.from(body), signWith).toString('base64') },
    };
  };
  const match = (token: string, url = 'https://github.com/example/repo/blob/abc/.env') => ({
    token,
    type: 'kaizen_studio_api_key',
    url,
    source: 'content',
  });

  it('labels true and false positives in order and revokes the genuine key, audited with source github and the url', async () => {
    const owner = await registerOrg(t);
    const genuine = await createKey(t, owner);
    const other = await createKey(t, owner);
    const tokens = [forgeKey(other.key_prefix, 'wrong'), genuine.key, 'sk_live_nothing', breakChecksum(other.key)];
    const { body, headers } = alert(tokens.map((token) => match(token)));
    const res = await post(baseUrl, GITHUB, body, undefined, headers);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual(
      tokens.map((token) => ({
        token_raw: token,
        token_type: 'kaizen_studio_api_key',
        label: token === genuine.key ? 'true_positive' : 'false_positive',
      })),
    );
    // Synchronous: revoked by the time GitHub has its answer.
    const refused = await t.api().get('/api/v1/agents').set('X-API-Key', genuine.key).expect(401);
    expect(refused.body.message).toContain('revoked');
    await t.api().get('/api/v1/agents').set('X-API-Key', other.key).expect(200);
    const entries = await revocations(t, owner, genuine);
    expect(entries).toHaveLength(1);
    expect(entries[0].metadata).toMatchObject({ reason: 'leaked', source: 'github', url: 'https://github.com/example/repo/blob/abc/.env' });

    // Reported again (GitHub retries): still a true positive, nothing more recorded.
    const again = alert([match(genuine.key, '')]);
    const second = await post(baseUrl, GITHUB, again.body, undefined, again.headers);
    expect(second.json()).toEqual([{ token_raw: genuine.key, token_type: 'kaizen_studio_api_key', label: 'true_positive' }]);
    expect(await revocations(t, owner, genuine)).toHaveLength(1);
  });

  it('accepts a body signed with an older listed key, under its own id only', async () => {
    const byOld = alert([match('noise')], oldPrivateKey, 'old-key');
    const res = await post(baseUrl, GITHUB, byOld.body, undefined, byOld.headers);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual([{ token_raw: 'noise', token_type: 'kaizen_studio_api_key', label: 'false_positive' }]);
    const underCurrentId = alert([match('noise')], oldPrivateKey, keyId);
    expect((await post(baseUrl, GITHUB, underCurrentId.body, undefined, underCurrentId.headers)).status).toBe(401);
  });

  it('refuses a bad, missing or foreign signature, or an unknown key id, with 401 and revokes nothing', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    const signed = alert([match(key.key)]);
    const tampered = signed.body.replace('content', 'commit');
    const cases: [string, Record<string, string>][] = [
      [tampered, signed.headers],
      [signed.body, { 'Github-Public-Key-Identifier': keyId }],
      [signed.body, { 'Github-Public-Key-Signature': signed.headers['Github-Public-Key-Signature'] }],
      [signed.body, { ...signed.headers, 'Github-Public-Key-Identifier': 'unknown' }],
      [signed.body, { ...signed.headers, 'Github-Public-Key-Signature': 'bm90IGEgc2lnbmF0dXJl' }],
      [signed.body, alert([match(key.key)], otherPrivateKey).headers],
    ];
    for (const [body, headers] of cases) {
      const res = await post(baseUrl, GITHUB, body, undefined, headers);
      expect({ headers, status: res.status }).toEqual({ headers, status: 401 });
      expect(res.json().message).toMatch(/Github-Public-Key-Signature is missing or invalid/);
    }
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    expect(await revocations(t, owner, key)).toEqual([]);
  });

  it('refuses a signed body that is not an array of matches with 400', async () => {
    for (const matches of [[], [{ token: 'x' }], [{ ...match('x'), extra: 1 }]]) {
      const { body, headers } = alert(matches);
      const res = await post(baseUrl, GITHUB, body, undefined, headers);
      expect({ matches, status: res.status }).toEqual({ matches, status: 400 });
    }
    const notArray = '{"token":"x"}';
    const res = await post(baseUrl, GITHUB, notArray, undefined, {
      'Github-Public-Key-Identifier': keyId,
      'Github-Public-Key-Signature': sign('sha256', Buffer.from(notArray), privateKey).toString('base64'),
    });
    expect(res.status).toBe(400);
  });

  it('answers 404 saying so while GITHUB_SECRET_SCANNING_KEYS is unset', async () => {
    const res = await unconfigured.api().post(GITHUB).send([match('x')]).expect(404);
    expect(res.body.message).toMatch(/not configured.*GITHUB_SECRET_SCANNING_KEYS/);
  });
});

// Two server processes need one database and one Redis: the PostgreSQL + Redis run.
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
(shared ? describe : describe.skip)('a leak reported to one instance, on two instances (e2e, compiled server)', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    const env = { LOG_LEVEL: 'warn', REDIS_NAMESPACE: `${process.env.REDIS_NAMESPACE}-leaks-cluster` };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.terminate(), b?.terminate()]);
  });

  const agents = (s: ServerProcess, key: string) => fetch(`${s.baseUrl}/api/v1/agents`, { headers: { 'X-API-Key': key } });

  it('is refused on every instance once revoked', async () => {
    const email = `leak-${randomInt(1e9)}@example.com`;
    const registered = await fetch(`${a.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct-horse-9', name: 'Owner', organization_name: 'Leaky' }),
    });
    const token = ((await registered.json()) as { access_token: string }).access_token;
    const created = await fetch(`${a.baseUrl}/api/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Leaky', scopes: ['agents:read'] }),
    });
    const key = ((await created.json()) as { key: string }).key;
    // Both instances admit it (b through the cluster's verifier) and now hold it in memory.
    expect((await agents(a, key)).status).toBe(200);
    expect((await agents(b, key)).status).toBe(200);

    const report = await post(a.baseUrl, LEAKED, { keys: ['noise', key], url: 'https://example.com/paste/1' }, `${freshNet()}.1`);
    expect(report.status).toBe(202);
    const refusedEverywhere = async () => (await agents(a, key)).status === 401 && (await agents(b, key)).status === 401;
    expect(await eventually(refusedEverywhere, 10_000, 50)).toBe(true);
    const answer = (await (await agents(b, key)).json()) as { message: string };
    expect(answer.message).toContain('revoked');
  });
});

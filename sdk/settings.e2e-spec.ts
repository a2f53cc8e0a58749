import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createApp } from '../src/app.factory';
import { eventually, withEnv } from '../test/helpers/env';
import { KaizenApiError, KaizenClient } from './src';

// The SDK's key editing, webhooks and key policy against a real server (as sdk/client.e2e-spec.ts does),
// with private webhook URLs allowed so a receiver on 127.0.0.1 can get the deliveries.
let app: INestApplication;
let baseUrl: string;
let owner: KaizenClient;

/** A webhook receiver on 127.0.0.1 that records each POST (headers and raw body) and answers 200. */
interface Received {
  headers: Record<string, string>;
  body: string;
}
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];

async function registerOwner(): Promise<KaizenClient> {
  const session = await new KaizenClient({ baseUrl }).auth.register({
    email: `owner-${randomUUID()}@example.com`,
    password: 'correct-horse-9',
    name: 'Owner',
    organization_name: 'Acme',
  });
  return new KaizenClient({ accessToken: session.access_token, baseUrl });
}

beforeAll(async () => {
  app = await withEnv({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }, () => createApp());
  await app.listen(0, '127.0.0.1');
  baseUrl = await app.getUrl();
  owner = await registerOwner();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});

afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await app?.close();
});

async function apiError(promise: Promise<unknown>): Promise<KaizenApiError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a KaizenApiError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(KaizenApiError);
  return outcome.error as KaizenApiError;
}

describe('KaizenClient apiKeys.update, enable and disable', () => {
  it('changes every editable field; get reads it back; null clears', async () => {
    const created = await owner.apiKeys.create({ name: 'editable', scopes: ['agents:read'] });
    const expires = new Date(Date.now() + 30 * 86_400_000);
    expires.setUTCMilliseconds(0);
    const updated = await owner.apiKeys.update(created.id, {
      name: 'edited',
      scopes: ['agents:read', 'agents:write'],
      rate_limit: 42,
      expires_at: expires.toISOString(),
      ip_allowlist: ['127.0.0.1', '10.0.0.0/8'],
      metadata: { team: 'billing', tier: 2 },
    });
    expect(updated).toMatchObject({
      id: created.id,
      name: 'edited',
      rate_limit: 42,
      expires_at: expires.toISOString(),
      ip_allowlist: ['127.0.0.1', '10.0.0.0/8'],
      metadata: { team: 'billing', tier: 2 },
      enabled: true,
    });
    expect([...updated.scopes].sort()).toEqual(['agents:read', 'agents:write']);
    await expect(owner.apiKeys.get(created.id)).resolves.toEqual(updated);

    const cleared = await owner.apiKeys.update(created.id, { expires_at: null, ip_allowlist: null, metadata: null });
    expect(cleared).toMatchObject({ expires_at: null, ip_allowlist: [], metadata: {} });
  });

  it('create takes an allow-list and metadata', async () => {
    const created = await owner.apiKeys.create({ name: 'fenced', scopes: ['agents:read'], ip_allowlist: ['127.0.0.1'], metadata: { env: 'ci' } });
    expect(created).toMatchObject({ ip_allowlist: ['127.0.0.1'], metadata: { env: 'ci' }, enabled: true });
  });

  it('disable refuses the key with 401 and enable restores it', async () => {
    const created = await owner.apiKeys.create({ name: 'switch', scopes: ['agents:read'] });
    const client = new KaizenClient({ apiKey: created.key, baseUrl });
    await expect(client.agents.list()).resolves.toMatchObject({ data: [] });

    await expect(owner.apiKeys.disable(created.id)).resolves.toMatchObject({ id: created.id, enabled: false });
    await expect(apiError(client.agents.list())).resolves.toMatchObject({ status: 401, message: 'API key is disabled' });

    await expect(owner.apiKeys.enable(created.id)).resolves.toMatchObject({ id: created.id, enabled: true });
    await expect(client.agents.list()).resolves.toMatchObject({ data: [] });
  });

  it('an allow-list without this address gets 403; a bad entry and an empty change get 400', async () => {
    const created = await owner.apiKeys.create({ name: 'fenced off', scopes: ['agents:read'] });
    await owner.apiKeys.update(created.id, { ip_allowlist: ['203.0.113.0/24'] });
    const client = new KaizenClient({ apiKey: created.key, baseUrl });
    await expect(apiError(client.agents.list())).resolves.toMatchObject({
      status: 403,
      message: 'client address not allowed for this key',
    });
    await owner.apiKeys.update(created.id, { ip_allowlist: ['127.0.0.0/8'] });
    await expect(client.agents.list()).resolves.toMatchObject({ data: [] });

    const bad = await apiError(owner.apiKeys.update(created.id, { ip_allowlist: ['not-an-address'] }));
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('ip_allowlist');
    await expect(apiError(owner.apiKeys.update(created.id, {}))).resolves.toMatchObject({ status: 400 });
  });
});

describe('KaizenClient webhooks', () => {
  it('creates (secret once), lists, reads, updates, pings, logs, redelivers, rotates the secret of and deletes an endpoint', async () => {
    received.length = 0;
    const created = await owner.webhooks.create({ url: receiverUrl, events: ['api_key.created'], description: 'SDK test' });
    expect(created).toMatchObject({ url: receiverUrl, events: ['api_key.created'], description: 'SDK test', enabled: true });
    expect(created.secret).toMatch(/^whsec_/);

    const fetched = await owner.webhooks.get(created.id);
    expect(fetched).not.toHaveProperty('secret');
    const { secret, ...endpoint } = created;
    expect(fetched).toEqual(endpoint);
    expect((await owner.webhooks.list()).data.map((e) => e.id)).toEqual([created.id]);
    const all = [];
    for await (const e of owner.webhooks.listAll({ limit: 1 })) all.push(e.id);
    expect(all).toEqual([created.id]);

    const updated = await owner.webhooks.update(created.id, { events: ['api_key.created', 'api_key.revoked'], description: 'renamed' });
    expect([...updated.events].sort()).toEqual(['api_key.created', 'api_key.revoked']);
    expect(updated.description).toBe('renamed');

    const { delivery_id } = await owner.webhooks.test(created.id);
    const settled = await eventually(async () => {
      const page = await owner.webhooks.deliveries(created.id);
      return page.data.some((d) => d.id === delivery_id && d.status !== 'pending');
    }, 20_000, 100);
    expect(settled).toBe(true);
    const [delivery] = (await owner.webhooks.deliveries(created.id, { limit: 10 })).data.filter((d) => d.id === delivery_id);
    expect(delivery).toMatchObject({ event_type: 'webhook.test', status: 'succeeded', last_status_code: 200 });
    expect(delivery.attempts).toBeGreaterThanOrEqual(1);

    expect(received).toHaveLength(1);
    const verified = new Webhook(secret).verify(received[0].body, received[0].headers) as { type: string };
    expect(verified.type).toBe('webhook.test');

    await expect(owner.webhooks.redeliver(created.id, delivery.id)).resolves.toBeUndefined();
    expect(await eventually(async () => received.length >= 2, 20_000, 50)).toBe(true);
    expect(received[1].headers['webhook-id']).toBe(received[0].headers['webhook-id']);
    expect(new Webhook(secret).verify(received[1].body, received[1].headers)).toMatchObject({ type: 'webhook.test' });

    // A new secret, once; later deliveries are signed with it and no longer with the old one.
    const rotated = await owner.webhooks.rotateSecret(created.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    await owner.webhooks.test(created.id);
    expect(await eventually(async () => received.length >= 3, 20_000, 50)).toBe(true);
    expect(new Webhook(rotated.secret).verify(received[2].body, received[2].headers)).toMatchObject({ type: 'webhook.test' });
    expect(() => new Webhook(secret).verify(received[2].body, received[2].headers)).toThrow();

    await expect(owner.webhooks.update(created.id, { enabled: false })).resolves.toMatchObject({ enabled: false });
    await expect(owner.webhooks.delete(created.id)).resolves.toBeUndefined();
    await expect(apiError(owner.webhooks.get(created.id))).resolves.toMatchObject({ status: 404 });
  });

  it('refuses webhooks to a developer (owner and admin only)', async () => {
    const email = `dev-${randomUUID()}@example.com`;
    await owner.members.add({ email, password: 'correct-horse-9', name: 'Dev', role: 'developer' });
    const session = await new KaizenClient({ baseUrl }).auth.login({ email, password: 'correct-horse-9' });
    const developer = new KaizenClient({ accessToken: session.access_token, baseUrl });
    await expect(apiError(developer.webhooks.list())).resolves.toMatchObject({ status: 403 });
    await expect(apiError(developer.keyPolicy.update({ require_expiry: true }))).resolves.toMatchObject({ status: 403 });
  });
});

describe('KaizenClient keyPolicy', () => {
  it('reads the default policy, changes it, sees creation refused by it, and lifts it with null', async () => {
    const org = await registerOwner();
    await expect(org.keyPolicy.get()).resolves.toMatchObject({
      require_expiry: false,
      max_lifetime_days: null,
      allowed_scopes: null,
      auto_revoke_unused_days: null,
    });
    const updated = await org.keyPolicy.update({ require_expiry: true, max_lifetime_days: 30, allowed_scopes: ['agents:read'] });
    expect(updated).toMatchObject({ require_expiry: true, max_lifetime_days: 30, allowed_scopes: ['agents:read'] });
    await expect(org.keyPolicy.get()).resolves.toEqual(updated);

    const refused = await apiError(org.apiKeys.create({ name: 'forever', scopes: ['agents:read'] }));
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('require_expiry');

    const relaxed = await org.keyPolicy.update({ require_expiry: false, max_lifetime_days: null, allowed_scopes: null, auto_revoke_unused_days: 90 });
    expect(relaxed).toMatchObject({ require_expiry: false, max_lifetime_days: null, allowed_scopes: null, auto_revoke_unused_days: 90 });
    await expect(org.apiKeys.create({ name: 'forever', scopes: ['agents:read'] })).resolves.toMatchObject({ expires_at: null });
  });
});

import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../../test/helpers/test-app';
import { registerOrg } from '../../test/helpers/fixtures';
import { ApiKeysService } from './api-keys.service';

/** The spec's service operations: create, validate, check_scope, list, revoke. */
describe('ApiKeysService', () => {
  let t: TestApp;
  let app: INestApplication;
  let service: ApiKeysService;
  let orgId: string;
  let userId: string;

  beforeAll(async () => {
    t = await startTestApp();
    app = t.app;
    service = app.get(ApiKeysService);
    const owner = await registerOrg(t);
    orgId = owner.organizationId;
    userId = owner.userId;
  });
  afterAll(() => t.close());

  it('create returns the record and the plain key once, storing only a bcrypt hash', async () => {
    const { record, plainKey } = await service.create(
      orgId,
      { name: 'My API Key', scopes: ['agents:read', 'deployments:write'], rateLimit: 100 },
      userId,
    );
    expect(plainKey).toMatch(/^sk_live_[a-z0-9]{8}_[A-Za-z0-9]{32}$/);
    expect(record).toMatchObject({ organizationId: orgId, name: 'My API Key', rateLimit: 100, createdBy: userId, status: 'active' });
    expect(record).not.toHaveProperty('keyHash');
    const [row] = await app.get(DataSource).query('SELECT key_hash FROM api_keys WHERE id = $1', [record.id]);
    expect(row.key_hash).toMatch(/^\$2b\$/);
    expect(row.key_hash).not.toContain(plainKey.slice(17));
  });

  it('validate returns the record for the key and null for anything else', async () => {
    const { record, plainKey } = await service.create(orgId, { name: 'v', scopes: ['agents:read'] }, userId);
    expect((await service.validate(plainKey))?.organizationId).toBe(orgId);
    expect((await service.validate(plainKey))?.id).toBe(record.id);
    expect(await service.validate(`${plainKey.slice(0, -1)}X`)).toBeNull();
    expect(await service.validate('not a key')).toBeNull();
  });

  it('validate is not throttled like a client address: many wrong keys still answer null', async () => {
    const { plainKey } = await service.create(orgId, { name: 'many', scopes: ['agents:read'] }, userId);
    for (let i = 0; i < 40; i++) expect(await service.validate(`sk_live_zzzzzzzz_${String(i).padStart(32, 'A')}`)).toBeNull();
    expect(await service.validate(plainKey)).not.toBeNull();
  });

  it('check_scope follows the key scopes, with write including read', async () => {
    const { record } = await service.create(orgId, { name: 's', scopes: ['deployments:write'] }, userId);
    expect(service.checkScope(record, 'deployments:read')).toBe(true);
    expect(service.checkScope(record, 'deployments:write')).toBe(true);
    expect(service.checkScope(record, 'agents:write')).toBe(false);
  });

  it('list returns the organization keys newest first; revoke makes validate fail', async () => {
    const { record, plainKey } = await service.create(orgId, { name: 'to revoke', scopes: ['agents:read'] }, userId);
    const page = await service.list(orgId);
    expect(page.data[0].id).toBe(record.id);
    expect(await service.validate(plainKey)).not.toBeNull();
    await service.revoke(record.id);
    expect(await service.validate(plainKey)).toBeNull();
    expect((await service.get(orgId, record.id)).status).toBe('revoked');
  });
});

import { HttpException, Injectable, INestApplication, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import { ApiKeysModule } from '../src/api-keys/api-keys.module';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { BcryptGate } from '../src/api-keys/verification/bcrypt-gate';
import { appConfig } from '../src/config/app.config';
import { DataSource } from 'typeorm';

/**
 * The example of the README ("Using API keys from another module"): a module with no route of its
 * own that accepts work submitted with an API key, say from a queue, through ApiKeysService.
 */
@Injectable()
class JobIntake {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** The organization a job runs for, if its key is valid and may write agents; otherwise null. */
  async accept(plainKey: string): Promise<{ organizationId: string; keyId: string } | null> {
    const key = await this.apiKeys.validate(plainKey);
    if (!key || !this.apiKeys.checkScope(key, 'agents:write')) return null;
    return { organizationId: key.organizationId, keyId: key.id };
  }
}

@Module({ imports: [ApiKeysModule], providers: [JobIntake], exports: [JobIntake] })
class JobIntakeModule {}

/** The spec's service operations, as another Nest module uses them: create, validate, checkScope, list, revoke. */
describe('ApiKeysService from another module (e2e)', () => {
  let app: INestApplication;
  let keys: ApiKeysService;
  let intake: JobIntake;
  let orgId: string;
  let userId: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule, JobIntakeModule] }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
    keys = app.get(ApiKeysService);
    intake = app.get(JobIntake);
    // An organization and its owner, straight in the database: this module has no HTTP at all.
    const db = app.get(DataSource);
    [{ id: orgId }] = await db.query(`INSERT INTO organizations (name) VALUES ('Queue users') RETURNING id`);
    [{ id: userId }] = await db.query(
      `INSERT INTO users (email, password_hash, name) VALUES ($1, 'x', 'Owner') RETURNING id`,
      [`owner-${Date.now()}@example.com`],
    );
    // A key's holder must be a member: it never grants more than its holder's role.
    await db.query(`INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, 'owner')`, [orgId, userId]);
  });
  afterAll(() => app?.close());

  it('create returns { record, plainKey }; validate and checkScope let the module accept the job', async () => {
    const { record, plainKey } = await keys.create(orgId, { name: 'Queue producer', scopes: ['agents:write'], rateLimit: 100 }, userId);
    expect(plainKey).toMatch(/^sk_live_[a-z0-9]{8}_[A-Za-z0-9]{32}$/);
    expect(record).toMatchObject({ organizationId: orgId, name: 'Queue producer', scopes: ['agents:write'] });
    expect(await intake.accept(plainKey)).toEqual({ organizationId: orgId, keyId: record.id });
  });

  it('refuses (null, never an exception) a wrong, malformed, under-scoped or revoked key', async () => {
    const reader = await keys.create(orgId, { name: 'Reader', scopes: ['agents:read'] }, userId);
    expect(await intake.accept(reader.plainKey)).toBeNull();
    expect(await intake.accept(`${reader.plainKey.slice(0, -1)}${reader.plainKey.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(await intake.accept('not a key')).toBeNull();
    expect(await intake.accept('')).toBeNull();

    const writer = await keys.create(orgId, { name: 'Writer', scopes: ['agents:write'] }, userId);
    expect((await keys.list(orgId)).data.map((key) => key.id)).toEqual(expect.arrayContaining([reader.record.id, writer.record.id]));
    await keys.revoke(writer.record.id);
    expect(await intake.accept(writer.plainKey)).toBeNull();
    expect((await keys.list(orgId, { status: 'revoked' })).data.map((key) => key.id)).toContain(writer.record.id);
  });

  it('is no bcrypt oracle: wrong secrets for a real prefix are compared at most BCRYPT_MAX_CONCURRENCY at a time', async () => {
    const { plainKey } = await keys.create(orgId, { name: 'Target', scopes: ['agents:write'] }, userId);
    const limit = app.get<ConfigType<typeof appConfig>>(appConfig.KEY).BCRYPT_MAX_CONCURRENCY;
    // Watch the gate every compare passes through: how many run at once.
    const gate = app.get(BcryptGate);
    const run = gate.run.bind(gate);
    let running = 0;
    let most = 0;
    let compares = 0;
    jest.spyOn(gate, 'run').mockImplementation((work) =>
      run(async () => {
        compares += 1;
        most = Math.max(most, ++running);
        try {
          return await work();
        } finally {
          running -= 1;
        }
      }),
    );
    const guesses = Array.from({ length: 120 }, (_, i) => `${plainKey.slice(0, 17)}${String(i).padStart(32, 'Z')}`);
    const results = await Promise.allSettled(guesses.map((guess) => keys.validate(guess)));
    // Each guess is null, or, past the gate's short queue, a 503 the caller can retry: never a key.
    for (const result of results) {
      if (result.status === 'fulfilled') expect(result.value).toBeNull();
      else expect(result.reason instanceof HttpException && result.reason.getStatus()).toBe(503);
    }
    expect(compares).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(limit);
    jest.restoreAllMocks();
  });
});

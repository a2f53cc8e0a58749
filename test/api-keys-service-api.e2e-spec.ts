import { HttpException, Injectable, INestApplication, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import { ApiKeysModule } from '../src/api-keys/api-keys.module';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { KeyVerifier } from '../src/api-keys/verification/key-verifier';
import { withChecksum } from '../src/api-keys/verification/key-format';
import { BcryptScheduler } from '../src/bcrypt/bcrypt-scheduler';
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

  it('is no bcrypt oracle: wrong secrets cost no compare for a known key, and few, one at a time, for any other', async () => {
    const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
    const scheduler = app.get(BcryptScheduler);
    const compares = () => Object.values(scheduler.stats().compares).reduce((n, c) => n + c, 0);
    const { plainKey } = await keys.create(orgId, { name: 'Target', scopes: ['agents:write'] }, userId);
    const prefix = plainKey.slice(0, 16);
    const guesses = Array.from({ length: 120 }, (_, i) => withChecksum(`${plainKey.slice(0, 17)}${String(i).padStart(26, 'Z')}`));
    const refused = (results: PromiseSettledResult<unknown>[]) => {
      // Each guess is null, or, past the scheduler's bounded queue, a 503 the caller can retry: never a key.
      for (const result of results) {
        if (result.status === 'fulfilled') expect(result.value).toBeNull();
        else expect(result.reason instanceof HttpException && result.reason.getStatus()).toBe(503);
      }
    };

    // This process issued the key and remembers it: another secret for its prefix is wrong at once.
    let before = compares();
    refused(await Promise.allSettled(guesses.map((guess) => keys.validate(guess))));
    expect(compares() - before).toBe(0);

    // A key this process never saw (issued elsewhere): the prefix's wrong-secret budget bounds the
    // compares, and the scheduler runs at most BCRYPT_MAX_CONCURRENCY at once.
    app.get(KeyVerifier).forget(prefix);
    before = compares();
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, scheduler.stats().running)), 1);
    try {
      refused(await Promise.allSettled(guesses.map((guess) => keys.validate(guess))));
    } finally {
      clearInterval(sampler);
    }
    const spent = compares() - before;
    // With Redis the cluster's verifier knows the key: a mismatch there costs no compare either.
    if (!config.REDIS_URL) expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(config.KEY_WRONG_SECRETS_PER_PREFIX);
    expect(most).toBeLessThanOrEqual(config.BCRYPT_MAX_CONCURRENCY);
  });
});

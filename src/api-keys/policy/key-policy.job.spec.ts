import { DataSource } from 'typeorm';
import { withEnv } from '../../../test/helpers/env';
import { bearer, createKey, registerOrg } from '../../../test/helpers/fixtures';
import { startTestApp, TestApp } from '../../../test/helpers/test-app';
import { Clock } from '../../common/clock';
import { JobLease } from './job-lease';
import { KEY_POLICY_JOB, KeyPolicyJob } from './key-policy.job';

const DAY_MS = 86_400_000;

/**
 * The key-policy job against a real (embedded, or DATABASE_URL) database, with the app's Clock
 * replaced by one the test moves by days. The job's timer is left far in the future: each pass here
 * is one runOnce() / runIfLeader() the test asks for.
 */
describe('KeyPolicyJob with a controlled clock', () => {
  let t: TestApp;
  let job: KeyPolicyJob;
  let db: DataSource;
  let now: number;

  beforeAll(async () => {
    t = await withEnv({ KEY_POLICY_JOB_MS: String(DAY_MS) }, () => startTestApp());
    job = t.app.get(KeyPolicyJob);
    db = t.app.get(DataSource);
    jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(now));
  });
  afterAll(() => t.close());
  beforeEach(() => {
    now = Date.now();
  });

  const audit = async (organizationId: string, action: string) =>
    db.query(
      `SELECT target_id, actor_type, actor_id, metadata FROM audit_logs WHERE organization_id = $1 AND action = $2 ORDER BY created_at`,
      [organizationId, action],
    ) as Promise<{ target_id: string; actor_type: string; actor_id: string | null; metadata: Record<string, unknown> }[]>;
  const status = async (keyId: string) => (await db.query(`SELECT status FROM api_keys WHERE id = $1`, [keyId]))[0].status;

  it('revokes a key unused past the limit once the clock passes it, once, as the system with reason unused', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    const bystander = await registerOrg(t); // no policy: its key is never revoked
    const untouched = await createKey(t, bystander);
    await t.api().patch('/api/v1/organizations/current/key-policy').set(bearer(owner.token)).send({ auto_revoke_unused_days: 30 }).expect(200);

    now += 29 * DAY_MS;
    await job.runOnce();
    expect(await status(key.id)).toBe('active');

    now += 2 * DAY_MS;
    await job.runOnce();
    await job.runOnce();
    expect(await status(key.id)).toBe('revoked');
    expect(await status(untouched.id)).toBe('active');
    expect(await audit(owner.organizationId, 'api_key.revoked')).toEqual([
      { target_id: key.id, actor_type: 'system', actor_id: null, metadata: { name: 'CI/CD Pipeline', key_prefix: key.key_prefix, reason: 'unused' } },
    ]);
    // Every instance drops it at once: here too, the key is refused.
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(401);
  });

  it('records api_key.expiring 7 days and 1 day ahead, each once, and nothing once the key has expired', async () => {
    const owner = await registerOrg(t);
    const expiresAt = new Date(now + 8 * DAY_MS);
    const key = await createKey(t, owner, { expires_at: expiresAt.toISOString() });
    const days = async () => (await audit(owner.organizationId, 'api_key.expiring')).map((e) => e.metadata.days_left);

    await job.runOnce(); // 8 days left
    expect(await days()).toEqual([]);
    now += 1.5 * DAY_MS; // 6.5 days left
    await job.runOnce();
    await job.runOnce();
    expect(await days()).toEqual([7]);
    now += 5 * DAY_MS; // 1.5 days left
    await job.runOnce();
    expect(await days()).toEqual([7]);
    now += 1 * DAY_MS; // 12 hours left
    await job.runOnce();
    await job.runOnce();
    now += 0.25 * DAY_MS; // 6 hours left
    await job.runOnce();
    now += 1 * DAY_MS; // expired
    await job.runOnce();

    const entries = await audit(owner.organizationId, 'api_key.expiring');
    expect(entries).toEqual([7, 1].map((daysLeft) => ({
      target_id: key.id,
      actor_type: 'system',
      actor_id: null,
      metadata: { name: 'CI/CD Pipeline', key_prefix: key.key_prefix, expires_at: expiresAt.toISOString(), days_left: daysLeft },
    })));
  });

  it('notifies again for a new expiry date, and never for a revoked or a rotated-away key', async () => {
    const owner = await registerOrg(t);
    const moved = await createKey(t, owner, { expires_at: new Date(now + 5 * DAY_MS).toISOString() });
    const revoked = await createKey(t, owner, { expires_at: new Date(now + 5 * DAY_MS).toISOString() });
    const rotated = await createKey(t, owner, { expires_at: new Date(now + 5 * DAY_MS).toISOString() });
    await t.api().delete(`/api/v1/api-keys/${revoked.id}`).set(bearer(owner.token)).expect(204);
    const successor = await t
      .api()
      .post(`/api/v1/api-keys/${rotated.id}/rotate`)
      .set(bearer(owner.token))
      .send({ expires_at: new Date(now + 30 * DAY_MS).toISOString() })
      .expect(201);
    await job.runOnce();
    // The expiry moves (as PATCH /api-keys/{id} will allow): a notice for the new date, once.
    await db.query(`UPDATE api_keys SET expires_at = $2 WHERE id = $1`, [moved.id, new Date(now + 6 * DAY_MS)]);
    await job.runOnce();
    await job.runOnce();
    const entries = await audit(owner.organizationId, 'api_key.expiring');
    expect(entries.map((e) => [e.target_id, e.metadata.days_left])).toEqual([
      [moved.id, 7],
      [moved.id, 7],
    ]);
    expect(entries.map((e) => e.metadata.expires_at)).toEqual([
      new Date(now + 5 * DAY_MS).toISOString(),
      new Date(now + 6 * DAY_MS).toISOString(),
    ]);
    expect(successor.body.rotated_from.id).toBe(rotated.id);
  });

  it('lets one of two instances take the lease at a time, and the next turn after a release', async () => {
    const first = new JobLease(db);
    const second = new JobLease(db);
    expect(first.holder).not.toBe(second.holder);
    const name = `test-${Date.now()}`;
    const won = await Promise.all([first.acquire(name, 60_000), second.acquire(name, 60_000)]);
    expect(won.filter(Boolean)).toHaveLength(1);
    const [winner, loser] = won[0] ? [first, second] : [second, first];
    expect(await loser.acquire(name, 60_000)).toBe(false);
    await winner.release(name, { result: { revoked: 0, notified: 0 } });
    expect(await loser.acquire(name, 60_000)).toBe(true);
    const [row] = await db.query(`SELECT locked_by, last_result FROM scheduled_jobs WHERE name = $1`, [name]);
    expect(row).toEqual({ locked_by: loser.holder, last_result: { revoked: 0, notified: 0 } });
  });

  it('skips its turn while another instance holds the lease, and records its own runs', async () => {
    const other = new JobLease(db);
    // This app's own timer never ran (24 h); a lease left by a process killed earlier on the same database is lapsed.
    await db.query(`UPDATE scheduled_jobs SET locked_until = now() WHERE name = $1`, [KEY_POLICY_JOB]);
    expect(await other.acquire(KEY_POLICY_JOB, 60_000)).toBe(true);
    expect(await job.runIfLeader()).toBeNull();
    await other.release(KEY_POLICY_JOB, {});
    expect(await job.runIfLeader()).toEqual({ revoked: expect.any(Number), notified: expect.any(Number) });
    const [row] = await db.query(`SELECT locked_by, last_error, last_finished_at FROM scheduled_jobs WHERE name = $1`, [KEY_POLICY_JOB]);
    expect(row).toMatchObject({ locked_by: t.app.get(JobLease).holder, last_error: null });
  });
});

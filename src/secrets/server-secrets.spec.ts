import { DataSource } from 'typeorm';
import { createDataSource } from '../database/data-source-options';
import { ServerSecrets } from './server-secrets';

describe('ServerSecrets', () => {
  let db: DataSource;
  beforeAll(async () => {
    // DATABASE_URL when the suite runs on PostgreSQL, else a fresh embedded database; migrations create the table.
    db = await createDataSource({ DATABASE_URL: process.env.DATABASE_URL, PGLITE_DATA_DIR: 'memory://' });
    await db.initialize();
    await db.query("DELETE FROM server_secrets WHERE name = 'KEY_VERIFIER_SECRET'");
  });
  afterAll(() => db.destroy());

  it('generates a secret once: instances starting together all get the one stored in the database', async () => {
    const instances = Array.from({ length: 5 }, () => new ServerSecrets(db, {} as never));
    const secrets = await Promise.all(instances.map((s) => s.get('KEY_VERIFIER_SECRET')));
    expect(secrets[0].length).toBe(32);
    for (const secret of secrets) expect(secret.equals(secrets[0])).toBe(true);
    const rows = await db.query("SELECT value FROM server_secrets WHERE name = 'KEY_VERIFIER_SECRET'");
    expect(rows).toHaveLength(1);
    // A later start reads the same one.
    expect((await new ServerSecrets(db, {} as never).get('KEY_VERIFIER_SECRET')).equals(secrets[0])).toBe(true);
  });

  it('takes the environment variable when it is set, and stores nothing', async () => {
    const fromEnv = 'x'.repeat(40);
    const secret = await new ServerSecrets(db, { KEY_VERIFIER_SECRET: fromEnv } as never).get('KEY_VERIFIER_SECRET');
    expect(secret.toString('utf8')).toBe(fromEnv);
    const rows = (await db.query('SELECT value FROM server_secrets')) as { value: string }[];
    expect(rows.map((r) => Buffer.from(r.value, 'base64').toString('utf8'))).not.toContain(fromEnv);
  });
});

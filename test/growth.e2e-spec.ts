import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Account, bearer, createKey, CreatedKey, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

/**
 * A year of use in one organization — 1M usage rows, 100k agents, 100k audit entries — must not make
 * any API query scan those tables: every list, filter and total is served by an index or a rollup.
 * The test records every SQL statement the API runs for a small and for the big tenant, then asks
 * the planner how it would run each, with the values it was given and as a generic plan (what a
 * named prepared statement switches to after five runs).
 */
// The tables seeded large; a small table (a few members, a hundred keys) is rightly read whole.
const GROWING = ['api_key_usage', 'agents', 'audit_logs'];

interface Recorded {
  text: string;
  values: unknown[];
}

// Seeding a million rows takes seconds on PostgreSQL and far too long on the embedded WASM engine;
// the plans are PostgreSQL's either way (PGlite is PostgreSQL 18), so the test runs where the data fits.
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres('cost does not grow with history (e2e, EXPLAIN)', () => {
  let t: TestApp;
  let ds: DataSource;
  let big: Account;
  let small: Account;
  let bigKey: CreatedKey;
  let smallKey: CreatedKey;
  const recorded: Recorded[] = [];
  let recording = false;
  const original = Client.prototype.query;

  beforeAll(async () => {
    t = await startTestApp();
    ds = t.app.get(DataSource);
    big = await registerOrg(t, 'Big');
    small = await registerOrg(t, 'Small');
    bigKey = await createKey(t, big, { scopes: ['agents:read', 'metrics:read', 'deployments:read', 'pipelines:read', 'gateways:read'] });
    smallKey = await createKey(t, small, { scopes: ['agents:read', 'metrics:read', 'deployments:read', 'pipelines:read', 'gateways:read'] });
    await seed(ds, big.organizationId, big.userId);
    // Every statement the API runs from here on, with its values (pg's (text, values) and config forms).
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      const [config, values] = args as [string | { text: string; values?: unknown[] }, unknown[] | undefined];
      if (recording) {
        const text = typeof config === 'string' ? config : config?.text;
        const vals = typeof config === 'string' ? values : config?.values;
        if (typeof text === 'string' && /^\s*SELECT/i.test(text)) recorded.push({ text, values: Array.isArray(vals) ? vals : [] });
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof Client.prototype.query;
  }, 600_000);

  afterAll(async () => {
    Client.prototype.query = original;
    await t?.close();
  });

  it('no query of the API scans a table that grows with use', async () => {
    recording = true;
    for (const [who, key] of [
      [big, bigKey],
      [small, smallKey],
    ] as const) {
      const user = bearer(who.token);
      const paths = [
        '/api/v1/agents',
        '/api/v1/agents?limit=100',
        '/api/v1/deployments',
        '/api/v1/pipelines',
        '/api/v1/gateways',
        '/api/v1/metrics',
        '/api/v1/api-keys',
        '/api/v1/api-keys?status=active',
        '/api/v1/api-keys?status=revoked',
        '/api/v1/api-keys?status=expired',
        '/api/v1/api-keys?unused_for_days=30',
        `/api/v1/api-keys/${key.id}`,
        `/api/v1/api-keys/${key.id}/usage`,
        `/api/v1/api-keys/${key.id}/usage/history`,
        `/api/v1/api-keys/${key.id}/usage/history?granularity=day`,
        '/api/v1/audit-logs',
        '/api/v1/audit-logs?action=api_key.created',
        `/api/v1/audit-logs?actor_id=${who.userId}`,
        '/api/v1/audit-logs?actor_type=system',
        `/api/v1/audit-logs?target_id=${key.id}`,
        '/api/v1/audit-logs?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z',
        '/api/v1/organizations/current/members',
      ];
      for (const path of paths) {
        const res = await t.api().get(path).set(user);
        expect([path, res.status]).toEqual([path, 200]);
        // The next page too: cursor queries differ from first pages.
        if (res.body.next_cursor) {
          const sep = path.includes('?') ? '&' : '?';
          await t.api().get(`${path}${sep}cursor=${encodeURIComponent(res.body.next_cursor)}`).set(user).expect(200);
        }
      }
      for (const path of ['/api/v1/agents', '/api/v1/metrics']) {
        await t.api().get(path).set('X-API-Key', key.key).expect(200);
      }
    }
    recording = false;
    expect(recorded.length).toBeGreaterThan(40);

    const scans: string[] = [];
    const distinct = new Map(recorded.map((r) => [`${r.text}|${JSON.stringify(r.values)}`, r]));
    for (const { text, values } of distinct.values()) {
      for (const mode of ['custom', 'generic'] as const) {
        const plan = await explain(ds, text, values, mode);
        for (const table of GROWING) {
          if (new RegExp(`Seq Scan on ${table}\\b`).test(plan)) scans.push(`${mode} plan scans ${table}: ${text.slice(0, 160)}`);
        }
      }
    }
    expect(scans).toEqual([]);
  });
});

/** The planner's text plan for a statement, with its values (custom) or as a prepared statement's generic plan. */
async function explain(ds: DataSource, text: string, values: unknown[], mode: 'custom' | 'generic'): Promise<string> {
  const runner = ds.createQueryRunner();
  try {
    if (mode === 'custom' || values.length === 0) {
      const rows: { 'QUERY PLAN': string }[] = await runner.query(`EXPLAIN ${text}`, values);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    }
    await runner.query('SET plan_cache_mode = force_generic_plan');
    await runner.query(`PREPARE growth_probe AS ${text}`);
    const literals = values.map((v) => (v === null ? 'NULL' : `'${String(v instanceof Date ? v.toISOString() : Array.isArray(v) ? `{${v.join(',')}}` : v).replace(/'/g, "''")}'`));
    const rows: { 'QUERY PLAN': string }[] = await runner.query(`EXPLAIN EXECUTE growth_probe(${literals.join(', ')})`);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    if (mode === 'generic') await runner.query('DEALLOCATE growth_probe').catch(() => undefined);
    await runner.query('RESET plan_cache_mode').catch(() => undefined);
    await runner.release();
  }
}

/** A year of one busy organization, written straight into the tables; then fresh planner statistics. */
async function seed(ds: DataSource, orgId: string, userId: string): Promise<void> {
  await ds.query(
    `INSERT INTO api_keys (organization_id, name, key_hash, key_prefix, scopes, rate_limit, status, created_by, created_at)
     SELECT $1, 'seed ' || i, 'x', 'sk_live_' || lpad(to_hex(i), 8, '0'), '{agents:read}', 100, 'active', $2, now() - (i || ' minutes')::interval
     FROM generate_series(1, 100) AS i`,
    [orgId, userId],
  );
  // 100 keys x 10,000 hours = 1M usage rows.
  await ds.query(
    `INSERT INTO api_key_usage (key_id, organization_id, bucket_start, served_count, refused_count)
     SELECT k.id, $1, date_trunc('hour', now()) - (h || ' hours')::interval, 10, 1
     FROM api_keys k CROSS JOIN generate_series(1, 10000) AS h
     WHERE k.organization_id = $1 AND k.name LIKE 'seed %'`,
    [orgId],
  );
  await ds.query(
    `INSERT INTO agents (organization_id, name, created_at, updated_at)
     SELECT $1, 'agent ' || i, now() - (i || ' seconds')::interval, now() FROM generate_series(1, 100000) AS i`,
    [orgId],
  );
  await ds.query(
    `INSERT INTO audit_logs (organization_id, action, actor_type, actor_id, target_type, target_id, metadata, created_at)
     SELECT $1, 'api_key.created', 'user', $2, 'api_key', gen_random_uuid(), '{}', now() - (i || ' seconds')::interval
     FROM generate_series(1, 100000) AS i`,
    [orgId, userId],
  );
  await ds.query('ANALYZE');
}

import { PGlite } from '@electric-sql/pglite';
import { Pool, PoolClient } from 'pg';
import { PgliteClient } from './pglite-connection';
import { PgliteSession } from './pglite-session';

/** A pg Pool of several connections on one in-memory PGlite, as the app configures it. */
describe('PgliteSession: several pg connections on PGlite’s one session', () => {
  let pglite: PGlite;
  let pool: Pool;

  beforeAll(async () => {
    pglite = await PGlite.create();
    pool = new Pool({ Client: PgliteClient, max: 4, idleTimeoutMillis: 0, pgliteSession: new PgliteSession(pglite) } as never);
    await pool.query('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)');
  });

  afterAll(async () => {
    await pool.end();
    await pglite.close();
  });

  beforeEach(() => pool.query('TRUNCATE items'));

  const names = async (client: Pool | PoolClient = pool) =>
    (await client.query<{ name: string }>('SELECT name FROM items ORDER BY id')).rows.map((r) => r.name);

  it('runs parameterised and plain queries and reports errors per query', async () => {
    await pool.query('INSERT INTO items (id, name) VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b']);
    await expect(names()).resolves.toEqual(['a', 'b']);
    await expect(pool.query('INSERT INTO items (id, name) VALUES ($1, $2)', [1, 'dup'])).rejects.toMatchObject({ code: '23505' });
    await expect(pool.query('SELEC nonsense')).rejects.toMatchObject({ code: '42601' });
    await expect(pool.query('SELECT count(*)::int AS n FROM items')).resolves.toMatchObject({ rows: [{ n: 2 }] });
  });

  it('keeps a transaction whole: other connections wait for its commit and never see its partial state', async () => {
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      await tx.query('INSERT INTO items (id, name) VALUES (1, $1)', ['in-tx']);
      // Issued while the transaction is open; answered only after it ends.
      const outside = names();
      let answered = false;
      void outside.then(() => (answered = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(answered).toBe(false);
      await tx.query('INSERT INTO items (id, name) VALUES (2, $1)', ['in-tx-too']);
      await tx.query('COMMIT');
      await expect(outside).resolves.toEqual(['in-tx', 'in-tx-too']);
    } finally {
      tx.release();
    }
  });

  it('rolls back a rolled-back transaction without touching concurrent autocommit work', async () => {
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      await tx.query('INSERT INTO items (id, name) VALUES (1, $1)', ['undone']);
      const other = pool.query('INSERT INTO items (id, name) VALUES (2, $1)', ['kept']);
      await tx.query('ROLLBACK');
      await other;
    } finally {
      tx.release();
    }
    await expect(names()).resolves.toEqual(['kept']);
  });

  it('rolls back the transaction of a connection that goes away inside it, and the others carry on', async () => {
    const tx = await pool.connect();
    await tx.query('BEGIN');
    await tx.query('INSERT INTO items (id, name) VALUES (1, $1)', ['abandoned']);
    tx.release(true); // destroys the connection, like a dropped socket
    await expect(names()).resolves.toEqual([]);
    await pool.query('INSERT INTO items (id, name) VALUES (2, $1)', ['after']);
    await expect(names()).resolves.toEqual(['after']);
  });

  it('shares named prepared statements between connections (each is parsed once per session)', async () => {
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      const query = { name: 'items_by_id', text: 'SELECT name FROM items WHERE id = $1' };
      await pool.query('INSERT INTO items (id, name) VALUES (1, $1), (2, $2)', ['one', 'two']);
      const [ra, rb] = await Promise.all([a.query({ ...query, values: [1] }), b.query({ ...query, values: [2] })]);
      expect([ra.rows[0].name, rb.rows[0].name]).toEqual(['one', 'two']);
      await expect(a.query({ ...query, values: [2] })).resolves.toMatchObject({ rows: [{ name: 'two' }] });
    } finally {
      a.release();
      b.release();
    }
  });

  it('describes a named statement once and replays its columns, for rows and for no rows', async () => {
    const select = { name: 'items_cols', text: 'SELECT id, name AS label FROM items WHERE id >= $1 ORDER BY id' };
    const insert = { name: 'items_insert', text: 'INSERT INTO items (id, name) VALUES ($1, $2)' };
    await pool.query({ ...insert, values: [1, 'one'] });
    await pool.query({ ...insert, values: [2, 'two'] }); // replayed "no data"
    const first = await pool.query({ ...select, values: [1] });
    const again = await pool.query({ ...select, values: [2] }); // replayed row description
    expect(first.fields.map((f) => f.name)).toEqual(['id', 'label']);
    expect(again.fields.map((f) => f.name)).toEqual(['id', 'label']);
    expect(first.rows).toEqual([{ id: 1, label: 'one' }, { id: 2, label: 'two' }]);
    expect(again.rows).toEqual([{ id: 2, label: 'two' }]);
    expect(again.rowCount).toBe(1);
  });

  it('fails a prepared statement whose result type changed, as PostgreSQL does, instead of replaying stale columns', async () => {
    await pool.query('CREATE TABLE shapes (id int)');
    const query = { name: 'shapes_all', text: 'SELECT * FROM shapes WHERE id > $1' };
    await pool.query({ ...query, values: [0] });
    await pool.query({ ...query, values: [0] });
    await pool.query('ALTER TABLE shapes ADD COLUMN extra text');
    await expect(pool.query({ ...query, values: [0] })).rejects.toThrow(/cached plan must not change result type/);
    await pool.query('DROP TABLE shapes');
  });

  it('answers many concurrent queries in order, each with its own rows', async () => {
    await pool.query('INSERT INTO items SELECT g, $1 || g FROM generate_series(1, 50) g', ['n']);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => pool.query<{ name: string }>('SELECT name FROM items WHERE id = $1', [i + 1])),
    );
    expect(results.map((r) => r.rows[0].name)).toEqual(Array.from({ length: 50 }, (_, i) => `n${i + 1}`));
  });
});

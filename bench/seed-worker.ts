/**
 * Seeds the embedded database for scenario (n) in a process of its own (bench/seed.ts): PGlite's
 * WASM engine and its memory stay out of the process that generates load and times responses. Takes
 * the data folder's lock as the server does, so it can never write beside a running server.
 */
import { PGlite } from '@electric-sql/pglite';
import { DataFolderLock } from '../src/database/data-folder-lock';
import { SEED_KEYS, SeedResult, seedStatements, SeedTarget } from './seed';

async function seed(dataDir: string, target: SeedTarget): Promise<SeedResult> {
  const started = Date.now();
  const lock = DataFolderLock.acquire(dataDir);
  try {
    const db = await PGlite.create(dataDir);
    try {
      const { statements, rows } = seedStatements(target);
      await db.transaction(async (tx) => {
        for (const s of statements.slice(0, -1)) await tx.query(s.text, s.values);
      });
      await db.query(statements[statements.length - 1].text);
      return { keys: SEED_KEYS, rows, ms: Date.now() - started };
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}

process.once('message', ({ dataDir, target }: { dataDir: string; target: SeedTarget }) => {
  seed(dataDir, target).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) }, () => process.exit(1)),
  );
});

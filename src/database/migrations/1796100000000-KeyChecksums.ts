import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keys now end with a checksum. Existing keys have none: they are marked `checksummed = false`
 * (the column is added with that default, so every existing row takes it), then the default
 * becomes true for every key issued from now on. Active legacy prefixes are read once at start-up
 * (LegacyKeys), through a partial index that holds only them.
 */
export class KeyChecksums1796100000000 implements MigrationInterface {
  name = 'KeyChecksums1796100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_keys" ADD "checksummed" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "api_keys" ALTER COLUMN "checksummed" SET DEFAULT true`);
    await q.query(
      `CREATE INDEX "IDX_api_keys_legacy_prefix" ON "api_keys" ("key_prefix") WHERE "checksummed" = false AND "status" = 'active'`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_api_keys_legacy_prefix"`);
    await q.query(`ALTER TABLE "api_keys" DROP COLUMN "checksummed"`);
  }
}

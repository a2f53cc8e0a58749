import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Editable keys (issue 13, items 4 and 5): a key can be disabled without being revoked, limited to
 * client addresses, and carry metadata for the code that checks it. The allow-list is text[] of
 * canonical entries (`127.0.0.2`, `10.0.0.0/8`) rather than cidr[]: PGlite has cidr, but cidr prints
 * a host as `127.0.0.2/32`, and the application parses the list once per key state read anyway.
 * The checks repeat the API's limits, so no other writer can store what the hot path cannot handle.
 */
export class EditableKeys1796100000100 implements MigrationInterface {
  name = 'EditableKeys1796100000100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_keys" ADD "enabled" boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE "api_keys" ADD "ip_allowlist" text array NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE "api_keys" ADD "metadata" jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "CHK_api_keys_ip_allowlist_size" CHECK (cardinality("ip_allowlist") <= 100)`);
    await q.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "CHK_api_keys_metadata_object" CHECK (jsonb_typeof("metadata") = 'object')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "CHK_api_keys_metadata_object"`);
    await q.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "CHK_api_keys_ip_allowlist_size"`);
    await q.query(`ALTER TABLE "api_keys" DROP COLUMN "metadata"`);
    await q.query(`ALTER TABLE "api_keys" DROP COLUMN "ip_allowlist"`);
    await q.query(`ALTER TABLE "api_keys" DROP COLUMN "enabled"`);
  }
}

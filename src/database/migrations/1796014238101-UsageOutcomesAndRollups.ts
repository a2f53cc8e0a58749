import { MigrationInterface, QueryRunner } from 'typeorm';

const RESOURCES = ['agents', 'deployments', 'pipelines', 'gateways'];

/**
 * Usage by outcome (served, refused, denied, failed, rejected) instead of "served" and "refused";
 * rollups so that totals cost the same on the first day and after a year (per-organization usage
 * totals kept by the usage flusher, resource counts kept by triggers); indexes for every audit filter
 * and for `unused_for_days`; the record of usage batches already applied (so a batch moved from
 * Redis is written once even if its flusher dies between the write and the clean-up).
 */
export class UsageOutcomesAndRollups1796014238101 implements MigrationInterface {
  name = 'UsageOutcomesAndRollups1796014238101';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_key_usage" RENAME COLUMN "request_count" TO "served_count"`);
    for (const column of ['denied_count', 'failed_count', 'rejected_count']) {
      await q.query(`ALTER TABLE "api_key_usage" ADD "${column}" bigint NOT NULL DEFAULT '0'`);
    }

    await q.query(`CREATE TABLE "organization_usage_totals" (
      "organization_id" uuid NOT NULL,
      "served_count" bigint NOT NULL DEFAULT '0',
      "refused_count" bigint NOT NULL DEFAULT '0',
      "denied_count" bigint NOT NULL DEFAULT '0',
      "failed_count" bigint NOT NULL DEFAULT '0',
      "rejected_count" bigint NOT NULL DEFAULT '0',
      CONSTRAINT "PK_organization_usage_totals" PRIMARY KEY ("organization_id"))`);
    await q.query(`ALTER TABLE "organization_usage_totals" ADD CONSTRAINT "FK_organization_usage_totals_organization"
      FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`INSERT INTO "organization_usage_totals" ("organization_id", "served_count", "refused_count")
      SELECT "organization_id", SUM("served_count"), SUM("refused_count") FROM "api_key_usage" GROUP BY "organization_id"`);

    await q.query(`CREATE TABLE "usage_flush_batches" (
      "id" character varying(64) NOT NULL,
      "applied_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_usage_flush_batches" PRIMARY KEY ("id"))`);

    await q.query(`CREATE TABLE "organization_resource_counts" (
      "organization_id" uuid NOT NULL,
      "resource" character varying(32) NOT NULL,
      "count" bigint NOT NULL DEFAULT '0',
      CONSTRAINT "PK_organization_resource_counts" PRIMARY KEY ("organization_id", "resource"))`);
    await q.query(`ALTER TABLE "organization_resource_counts" ADD CONSTRAINT "FK_organization_resource_counts_organization"
      FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    // One trigger function for the four resource tables; TG_TABLE_NAME names the resource. An
    // organization being deleted takes its counts with it (the cascade may run in either order).
    await q.query(`CREATE FUNCTION "count_organization_resources"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO "organization_resource_counts" ("organization_id", "resource", "count")
          VALUES (NEW."organization_id", TG_TABLE_NAME, 1)
          ON CONFLICT ("organization_id", "resource") DO UPDATE SET "count" = "organization_resource_counts"."count" + 1;
          RETURN NEW;
        END IF;
        UPDATE "organization_resource_counts" SET "count" = "count" - 1
        WHERE "organization_id" = OLD."organization_id" AND "resource" = TG_TABLE_NAME;
        RETURN OLD;
      END $$`);
    for (const table of RESOURCES) {
      await q.query(`CREATE TRIGGER "TR_${table}_count" AFTER INSERT OR DELETE ON "${table}"
        FOR EACH ROW EXECUTE FUNCTION "count_organization_resources"()`);
      await q.query(`INSERT INTO "organization_resource_counts" ("organization_id", "resource", "count")
        SELECT "organization_id", '${table}', COUNT(*) FROM "${table}" GROUP BY "organization_id"`);
    }

    await q.query(`CREATE INDEX "IDX_audit_logs_organization_target_created" ON "audit_logs" ("organization_id", "target_id", "created_at")`);
    await q.query(`CREATE INDEX "IDX_audit_logs_organization_actor_type_created" ON "audit_logs" ("organization_id", "actor_type", "created_at")`);
    await q.query(`CREATE INDEX "IDX_api_keys_organization_last_activity" ON "api_keys" ("organization_id", (COALESCE("last_used_at", "created_at")))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_api_keys_organization_last_activity"`);
    await q.query(`DROP INDEX "public"."IDX_audit_logs_organization_actor_type_created"`);
    await q.query(`DROP INDEX "public"."IDX_audit_logs_organization_target_created"`);
    for (const table of RESOURCES) await q.query(`DROP TRIGGER "TR_${table}_count" ON "${table}"`);
    await q.query(`DROP FUNCTION "count_organization_resources"()`);
    await q.query(`DROP TABLE "organization_resource_counts"`);
    await q.query(`DROP TABLE "usage_flush_batches"`);
    await q.query(`DROP TABLE "organization_usage_totals"`);
    for (const column of ['rejected_count', 'failed_count', 'denied_count']) {
      await q.query(`ALTER TABLE "api_key_usage" DROP COLUMN "${column}"`);
    }
    await q.query(`ALTER TABLE "api_key_usage" RENAME COLUMN "served_count" TO "request_count"`);
  }
}

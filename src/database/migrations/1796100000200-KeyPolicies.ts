import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organization key policies (issue 13 item 6): one optional row per organization (no row = the
 * defaults); the expiry notices already sent, so each is sent once per key, threshold and expiry
 * date; the lease that lets one instance at a time run a scheduled job; and a partial index over the
 * active keys' expiry dates for the expiry-notice scan.
 */
export class KeyPolicies1796100000200 implements MigrationInterface {
  name = 'KeyPolicies1796100000200';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "organization_key_policies" (
      "organization_id" uuid NOT NULL,
      "require_expiry" boolean NOT NULL DEFAULT false,
      "max_lifetime_days" integer,
      "allowed_scopes" text array,
      "auto_revoke_unused_days" integer,
      "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_organization_key_policies" PRIMARY KEY ("organization_id"),
      CONSTRAINT "CHK_organization_key_policies_max_lifetime" CHECK ("max_lifetime_days" BETWEEN 1 AND 3650),
      CONSTRAINT "CHK_organization_key_policies_auto_revoke" CHECK ("auto_revoke_unused_days" BETWEEN 1 AND 3650))`);
    await q.query(`ALTER TABLE "organization_key_policies" ADD CONSTRAINT "FK_organization_key_policies_organization"
      FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    // The job's scan of the organizations that revoke unused keys (few rows; the index keeps it bounded anyway).
    await q.query(`CREATE INDEX "IDX_organization_key_policies_auto_revoke" ON "organization_key_policies" ("organization_id")
      WHERE "auto_revoke_unused_days" IS NOT NULL`);

    await q.query(`CREATE TABLE "api_key_expiry_notices" (
      "key_id" uuid NOT NULL,
      "days_left" smallint NOT NULL,
      "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL,
      "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_api_key_expiry_notices" PRIMARY KEY ("key_id", "days_left", "expires_at"))`);
    await q.query(`ALTER TABLE "api_key_expiry_notices" ADD CONSTRAINT "FK_api_key_expiry_notices_key"
      FOREIGN KEY ("key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`CREATE INDEX "IDX_api_key_expiry_notices_expires_at" ON "api_key_expiry_notices" ("expires_at")`);
    await q.query(`CREATE INDEX "IDX_api_keys_active_expires_at" ON "api_keys" ("expires_at")
      WHERE "status" = 'active' AND "expires_at" IS NOT NULL AND "replaced_by_id" IS NULL`);

    await q.query(`CREATE TABLE "scheduled_jobs" (
      "name" character varying(64) NOT NULL,
      "locked_by" character varying(64),
      "locked_until" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      "last_started_at" TIMESTAMP(3) WITH TIME ZONE,
      "last_finished_at" TIMESTAMP(3) WITH TIME ZONE,
      "last_error" text,
      "last_result" jsonb,
      CONSTRAINT "PK_scheduled_jobs" PRIMARY KEY ("name"))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "scheduled_jobs"`);
    await q.query(`DROP INDEX "public"."IDX_api_keys_active_expires_at"`);
    await q.query(`DROP TABLE "api_key_expiry_notices"`);
    await q.query(`DROP TABLE "organization_key_policies"`);
  }
}

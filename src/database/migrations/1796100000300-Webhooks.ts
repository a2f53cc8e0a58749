import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook endpoints (the signing secret encrypted, never plain) and the delivery outbox the
 * dispatcher claims from: due rows by (status, next_attempt_at), an endpoint's log by
 * (endpoint_id, created_at).
 */
export class Webhooks1796100000300 implements MigrationInterface {
  name = 'Webhooks1796100000300';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "webhook_endpoints" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "organization_id" uuid NOT NULL,
      "url" character varying(2048) NOT NULL,
      "events" text array NOT NULL,
      "description" character varying(500),
      "secret_encrypted" text NOT NULL,
      "enabled" boolean NOT NULL DEFAULT true,
      "disabled_reason" character varying(200),
      "consecutive_failures" integer NOT NULL DEFAULT 0,
      "failing_since" TIMESTAMP(3) WITH TIME ZONE,
      "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_webhook_endpoints" PRIMARY KEY ("id"))`);
    await q.query(`ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "FK_webhook_endpoints_organization"
      FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`CREATE INDEX "IDX_webhook_endpoints_organization_created" ON "webhook_endpoints" ("organization_id", "created_at")`);

    await q.query(`CREATE TABLE "webhook_deliveries" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "endpoint_id" uuid NOT NULL,
      "event_id" character varying(64) NOT NULL,
      "event_type" character varying(64) NOT NULL,
      "payload" jsonb NOT NULL,
      "status" character varying(16) NOT NULL DEFAULT 'pending',
      "attempts" integer NOT NULL DEFAULT 0,
      "next_attempt_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      "last_status_code" integer,
      "last_error" character varying(200),
      "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      "delivered_at" TIMESTAMP(3) WITH TIME ZONE,
      CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY ("id"),
      CONSTRAINT "CHK_webhook_deliveries_status" CHECK ("status" IN ('pending', 'succeeded', 'failed')))`);
    await q.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_webhook_deliveries_endpoint"
      FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`CREATE INDEX "IDX_webhook_deliveries_status_next_attempt" ON "webhook_deliveries" ("status", "next_attempt_at")`);
    await q.query(`CREATE INDEX "IDX_webhook_deliveries_endpoint_created" ON "webhook_deliveries" ("endpoint_id", "created_at")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`DROP TABLE "webhook_endpoints"`);
  }
}

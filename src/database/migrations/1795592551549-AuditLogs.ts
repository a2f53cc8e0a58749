import { MigrationInterface, QueryRunner } from "typeorm";

export class AuditLogs1795592551549 implements MigrationInterface {
    name = 'AuditLogs1795592551549'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "audit_logs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "action" character varying(64) NOT NULL, "actor_type" character varying(16) NOT NULL, "actor_id" uuid, "target_type" character varying(32) NOT NULL, "target_id" uuid, "client_ip" character varying(64), "user_agent" character varying(512), "metadata" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1bb179d048bbc581caa3b013439" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_audit_logs_organization_actor_created" ON "audit_logs"  ("organization_id", "actor_id", "created_at") `);
        await queryRunner.query(`CREATE INDEX "IDX_audit_logs_organization_action_created" ON "audit_logs"  ("organization_id", "action", "created_at") `);
        await queryRunner.query(`CREATE INDEX "IDX_audit_logs_organization_created" ON "audit_logs"  ("organization_id", "created_at") `);
        await queryRunner.query(`ALTER TABLE "audit_logs" ADD CONSTRAINT "FK_145f35b204c731ba7fc1a0be0e7" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "audit_logs" DROP CONSTRAINT "FK_145f35b204c731ba7fc1a0be0e7"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_audit_logs_organization_created"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_audit_logs_organization_action_created"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_audit_logs_organization_actor_created"`);
        await queryRunner.query(`DROP TABLE "audit_logs"`);
    }

}

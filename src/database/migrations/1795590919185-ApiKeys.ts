import { MigrationInterface, QueryRunner } from "typeorm";

export class ApiKeys1795590919185 implements MigrationInterface {
    name = 'ApiKeys1795590919185'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "key_hash" character varying(72) NOT NULL, "key_prefix" character varying(16) NOT NULL, "scopes" text array NOT NULL, "rate_limit" integer NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE, "last_used_at" TIMESTAMP(3) WITH TIME ZONE, "status" character varying(16) NOT NULL DEFAULT 'active', "created_by" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP(3) WITH TIME ZONE, "revoked_by" uuid, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_api_keys_key_prefix" ON "api_keys"  ("key_prefix") `);
        await queryRunner.query(`CREATE INDEX "IDX_api_keys_organization_created" ON "api_keys"  ("organization_id", "created_at") `);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_a283bdef18876e525aefaec042f" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_a283bdef18876e525aefaec042f"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_api_keys_organization_created"`);
        await queryRunner.query(`DROP INDEX "public"."UQ_api_keys_key_prefix"`);
        await queryRunner.query(`DROP TABLE "api_keys"`);
    }

}

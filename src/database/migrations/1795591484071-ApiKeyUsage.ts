import { MigrationInterface, QueryRunner } from "typeorm";

export class ApiKeyUsage1795591484071 implements MigrationInterface {
    name = 'ApiKeyUsage1795591484071'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "api_key_usage" ("key_id" uuid NOT NULL, "bucket_start" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "organization_id" uuid NOT NULL, "request_count" bigint NOT NULL DEFAULT '0', "refused_count" bigint NOT NULL DEFAULT '0', CONSTRAINT "PK_026634598a050510985f773448e" PRIMARY KEY ("key_id", "bucket_start"))`);
        await queryRunner.query(`CREATE INDEX "IDX_api_key_usage_organization_bucket" ON "api_key_usage"  ("organization_id", "bucket_start") `);
        await queryRunner.query(`ALTER TABLE "api_key_usage" ADD CONSTRAINT "FK_edbec5b61956b9b2efd6a68a8e0" FOREIGN KEY ("key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_key_usage" DROP CONSTRAINT "FK_edbec5b61956b9b2efd6a68a8e0"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_api_key_usage_organization_bucket"`);
        await queryRunner.query(`DROP TABLE "api_key_usage"`);
    }

}

import { MigrationInterface, QueryRunner } from "typeorm";

export class Resources1795591279000 implements MigrationInterface {
    name = 'Resources1795591279000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "agents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "description" character varying(1000), "model" character varying(100), "status" character varying(16) NOT NULL DEFAULT 'active', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9c653f28ae19c5884d5baf6a1d9" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_agents_organization_created" ON "agents"  ("organization_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "deployments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "environment" character varying(16) NOT NULL, "version" character varying(50) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1e5627acb3c950deb83fe98fc48" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_deployments_agent" ON "deployments"  ("agent_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_deployments_organization_created" ON "deployments"  ("organization_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "gateways" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "url" character varying(2048) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'active', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b53153080a6907017cf44cb7f58" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_gateways_organization_created" ON "gateways"  ("organization_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "pipelines" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "description" character varying(1000), "steps" jsonb NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e38ea171cdfad107c1f3db2c036" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_pipelines_organization_created" ON "pipelines"  ("organization_id", "created_at") `);
        await queryRunner.query(`ALTER TABLE "agents" ADD CONSTRAINT "FK_28ac537f8c7bc3c96f7d1753ec4" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "deployments" ADD CONSTRAINT "FK_cd84cef53f48dccab26a61e11b9" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "deployments" ADD CONSTRAINT "FK_67e25e9fa986f879eb5de626ea8" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "gateways" ADD CONSTRAINT "FK_c7ce9a2a4a67398fb797eb2dcf1" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "pipelines" ADD CONSTRAINT "FK_7561aa4c56343cfac190f868e5c" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "pipelines" DROP CONSTRAINT "FK_7561aa4c56343cfac190f868e5c"`);
        await queryRunner.query(`ALTER TABLE "gateways" DROP CONSTRAINT "FK_c7ce9a2a4a67398fb797eb2dcf1"`);
        await queryRunner.query(`ALTER TABLE "deployments" DROP CONSTRAINT "FK_67e25e9fa986f879eb5de626ea8"`);
        await queryRunner.query(`ALTER TABLE "deployments" DROP CONSTRAINT "FK_cd84cef53f48dccab26a61e11b9"`);
        await queryRunner.query(`ALTER TABLE "agents" DROP CONSTRAINT "FK_28ac537f8c7bc3c96f7d1753ec4"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_pipelines_organization_created"`);
        await queryRunner.query(`DROP TABLE "pipelines"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_gateways_organization_created"`);
        await queryRunner.query(`DROP TABLE "gateways"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_deployments_organization_created"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_deployments_agent"`);
        await queryRunner.query(`DROP TABLE "deployments"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_agents_organization_created"`);
        await queryRunner.query(`DROP TABLE "agents"`);
    }

}

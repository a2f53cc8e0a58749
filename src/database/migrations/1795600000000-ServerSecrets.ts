import { MigrationInterface, QueryRunner } from 'typeorm';

/** Secrets the instances of a cluster share when no environment variable sets them (see ServerSecrets). */
export class ServerSecrets1795600000000 implements MigrationInterface {
  name = 'ServerSecrets1795600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "server_secrets" ("name" character varying(64) NOT NULL, "value" text NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_server_secrets_name" PRIMARY KEY ("name"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "server_secrets"`);
  }
}

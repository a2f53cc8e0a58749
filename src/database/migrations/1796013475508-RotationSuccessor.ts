import { MigrationInterface, QueryRunner } from "typeorm";

export class RotationSuccessor1796013475508 implements MigrationInterface {
    name = 'RotationSuccessor1796013475508'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "replaced_by_id" uuid`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_32fb82c2577605eda4694eb8335" FOREIGN KEY ("replaced_by_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_32fb82c2577605eda4694eb8335"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "replaced_by_id"`);
    }

}

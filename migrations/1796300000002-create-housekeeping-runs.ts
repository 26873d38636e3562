import { MigrationInterface, QueryRunner } from 'typeorm';

/** When each housekeeping job last ran, so that one instance of the cluster runs it per period. */
export class CreateHousekeepingRuns1796300000002 implements MigrationInterface {
  name = 'CreateHousekeepingRuns1796300000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "housekeeping_runs" (
        "name" character varying(100) NOT NULL,
        "ran_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_housekeeping_runs" PRIMARY KEY ("name")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "housekeeping_runs"`);
  }
}

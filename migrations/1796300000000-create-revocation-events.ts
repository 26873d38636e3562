import { MigrationInterface, QueryRunner } from 'typeorm';

/** The revocation event log: instances that missed a notification replay it from their last seen id. */
export class CreateRevocationEvents1796300000000 implements MigrationInterface {
  name = 'CreateRevocationEvents1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "revocation_events" (
        "id" BIGSERIAL NOT NULL,
        "event" jsonb NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_revocation_events" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "idx_revocation_events_created_at" ON "revocation_events" ("created_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "revocation_events"`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateLoginFailures1795620000000 implements MigrationInterface {
  name = 'CreateLoginFailures1795620000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "login_failures" (
        "account_key" character(64) NOT NULL,
        "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "window_attempts" integer NOT NULL,
        "consecutive_failures" integer NOT NULL DEFAULT 0,
        "last_failure_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_login_failures" PRIMARY KEY ("account_key")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_failures"`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1795400000000 implements MigrationInterface {
  name = 'CreateUsers1795400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "users" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "username" character varying(32) NOT NULL,
        "email" character varying(254) NOT NULL,
        "password_hash" character varying(100) NOT NULL,
        "roles" text array NOT NULL DEFAULT '{user}',
        "disabled" boolean NOT NULL DEFAULT false,
        "tokens_valid_after" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "uq_users_username" UNIQUE ("username"),
        CONSTRAINT "uq_users_email" UNIQUE ("email"),
        CONSTRAINT "PK_users" PRIMARY KEY ("id")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "users"`);
  }
}

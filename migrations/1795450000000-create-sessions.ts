import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSessions1795450000000 implements MigrationInterface {
  name = 'CreateSessions1795450000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "sessions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "sid_hash" character(64) NOT NULL,
        "user_id" uuid NOT NULL,
        "data" jsonb NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_used_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "idle_expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "absolute_expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "ip" character varying(64),
        "user_agent" character varying(512),
        CONSTRAINT "PK_sessions" PRIMARY KEY ("id"),
        CONSTRAINT "fk_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_sessions_sid_hash" ON "sessions" ("sid_hash")`);
    await queryRunner.query(`CREATE INDEX "ix_sessions_user_id" ON "sessions" ("user_id")`);
    await queryRunner.query(`CREATE INDEX "ix_sessions_absolute_expires_at" ON "sessions" ("absolute_expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sessions"`);
  }
}

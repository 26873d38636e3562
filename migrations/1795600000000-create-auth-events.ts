import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuthEvents1795600000000 implements MigrationInterface {
  name = 'CreateAuthEvents1795600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "auth_events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "type" character varying(64) NOT NULL,
        "user_id" uuid,
        "actor_id" uuid,
        "ip" character varying(64),
        "user_agent" character varying(512),
        "details" jsonb NOT NULL DEFAULT '{}',
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_auth_events" PRIMARY KEY ("id"),
        CONSTRAINT "fk_auth_events_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL
      )`);
    await queryRunner.query(`CREATE INDEX "ix_auth_events_type" ON "auth_events" ("type")`);
    await queryRunner.query(`CREATE INDEX "ix_auth_events_created_at" ON "auth_events" ("created_at")`);
    await queryRunner.query(`CREATE INDEX "ix_auth_events_user_created" ON "auth_events" ("user_id", "created_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "auth_events"`);
  }
}

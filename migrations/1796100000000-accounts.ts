import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10: email verification and change, TOTP with recovery codes, closing an account.
 * `auth_events.user_id` loses its foreign key: the events of a deleted account stay, keyed by the
 * former id (a SET NULL would orphan them).
 */
export class Accounts1796100000000 implements MigrationInterface {
  name = 'Accounts1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "email_verified" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "users" ADD "mfa_enabled" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "users" ADD "totp_secret" text`);
    await queryRunner.query(`ALTER TABLE "users" ADD "totp_pending_secret" text`);
    await queryRunner.query(`ALTER TABLE "users" ADD "totp_last_step" integer`);
    await queryRunner.query(`ALTER TABLE "auth_events" DROP CONSTRAINT "fk_auth_events_user"`);
    await queryRunner.query(`
      CREATE TABLE "email_tokens" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "token_hash" character(64) NOT NULL,
        "user_id" uuid NOT NULL,
        "purpose" character varying(16) NOT NULL,
        "email" character varying(254) NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_email_tokens" PRIMARY KEY ("id"),
        CONSTRAINT "fk_email_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_email_tokens_hash" ON "email_tokens" ("token_hash")`);
    await queryRunner.query(`CREATE INDEX "ix_email_tokens_user_id" ON "email_tokens" ("user_id")`);
    await queryRunner.query(`
      CREATE TABLE "mfa_recovery_codes" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "code_hash" character(64) NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_mfa_recovery_codes" PRIMARY KEY ("id"),
        CONSTRAINT "fk_mfa_recovery_codes_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "ix_mfa_recovery_codes_user_id" ON "mfa_recovery_codes" ("user_id")`);
    await queryRunner.query(`
      CREATE TABLE "mfa_challenges" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "token_hash" character(64) NOT NULL,
        "user_id" uuid NOT NULL,
        "flavour" character varying(16) NOT NULL,
        "remember" boolean NOT NULL,
        "failed_attempts" integer NOT NULL DEFAULT 0,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_mfa_challenges" PRIMARY KEY ("id"),
        CONSTRAINT "fk_mfa_challenges_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_mfa_challenges_hash" ON "mfa_challenges" ("token_hash")`);
    await queryRunner.query(`CREATE INDEX "ix_mfa_challenges_user_id" ON "mfa_challenges" ("user_id")`);
    await queryRunner.query(`
      CREATE TABLE "deleted_users" (
        "user_id" uuid NOT NULL,
        "deleted_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_deleted_users" PRIMARY KEY ("user_id")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "deleted_users"`);
    await queryRunner.query(`DROP TABLE "mfa_challenges"`);
    await queryRunner.query(`DROP TABLE "mfa_recovery_codes"`);
    await queryRunner.query(`DROP TABLE "email_tokens"`);
    await queryRunner.query(`DELETE FROM "auth_events" e WHERE e."user_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "users" u WHERE u."id" = e."user_id")`);
    await queryRunner.query(
      `ALTER TABLE "auth_events" ADD CONSTRAINT "fk_auth_events_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL`,
    );
    for (const column of ['totp_last_step', 'totp_pending_secret', 'totp_secret', 'mfa_enabled', 'email_verified']) {
      await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "${column}"`);
    }
  }
}

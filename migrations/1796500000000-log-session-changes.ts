import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every instance keeps loaded cookie sessions in memory (src/users/sessions/session-cache.ts).
 * Whatever ends a live session or changes it (logout, logout-all, a device ended, a password change
 * or reset, an admin, an account deletion cascading from users, an operator's SQL) and whatever
 * changes what a session's principal carries tells them, as the API-key triggers do: a row in the
 * revocation event log and a NOTIFY on `auth_revocations`, both at commit. The events name the
 * session's public id or the user's id, never the session id the cookie carries.
 *
 * Deleting a row already expired tells nobody (pruning): every cache refuses it from its own copy of
 * the expiries. Touches (which only lengthen the idle expiry) tell nobody either.
 */
export class LogSessionChanges1796500000000 implements MigrationInterface {
  name = 'LogSessionChanges1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION "log_session_cache_event"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        -- TG_ARGV: the event's kind, its id field, and the column of OLD that holds the id.
        payload jsonb := jsonb_build_object(
          'kind', TG_ARGV[0], TG_ARGV[1], to_jsonb(OLD) ->> TG_ARGV[2], 'at', floor(extract(epoch FROM now()) * 1000)
        );
        logged_id bigint;
      BEGIN
        INSERT INTO "revocation_events" ("event") VALUES (payload) RETURNING "id" INTO logged_id;
        PERFORM pg_notify('auth_revocations', (jsonb_build_object('id', logged_id) || payload)::text);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "sessions_ended" AFTER DELETE ON "sessions"
      FOR EACH ROW WHEN (OLD."idle_expires_at" > now() AND OLD."absolute_expires_at" > now())
      EXECUTE FUNCTION "log_session_cache_event"('session-changed', 'sessionId', 'id')`);
    await queryRunner.query(`
      CREATE TRIGGER "sessions_changed" AFTER UPDATE OF "data", "idle_expires_at", "absolute_expires_at" ON "sessions"
      FOR EACH ROW WHEN (
        OLD."data" IS DISTINCT FROM NEW."data"
        OR NEW."idle_expires_at" < OLD."idle_expires_at"
        OR NEW."absolute_expires_at" < OLD."absolute_expires_at"
      )
      EXECUTE FUNCTION "log_session_cache_event"('session-changed', 'sessionId', 'id')`);
    await queryRunner.query(`
      CREATE TRIGGER "users_principal_changed"
      AFTER UPDATE OF "username", "email", "roles", "disabled", "email_verified", "mfa_enabled", "password_hash", "tokens_valid_after"
      ON "users"
      FOR EACH ROW WHEN (
        (OLD."username", OLD."email", OLD."roles", OLD."disabled", OLD."email_verified", OLD."mfa_enabled", OLD."password_hash", OLD."tokens_valid_after")
        IS DISTINCT FROM
        (NEW."username", NEW."email", NEW."roles", NEW."disabled", NEW."email_verified", NEW."mfa_enabled", NEW."password_hash", NEW."tokens_valid_after")
      )
      EXECUTE FUNCTION "log_session_cache_event"('user-changed', 'userId', 'id')`);
    await queryRunner.query(`
      CREATE TRIGGER "users_deleted" AFTER DELETE ON "users"
      FOR EACH ROW EXECUTE FUNCTION "log_session_cache_event"('user-changed', 'userId', 'id')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "users_deleted" ON "users"`);
    await queryRunner.query(`DROP TRIGGER "users_principal_changed" ON "users"`);
    await queryRunner.query(`DROP TRIGGER "sessions_changed" ON "sessions"`);
    await queryRunner.query(`DROP TRIGGER "sessions_ended" ON "sessions"`);
    await queryRunner.query(`DROP FUNCTION "log_session_cache_event"()`);
  }
}

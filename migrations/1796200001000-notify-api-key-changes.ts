import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every instance keeps the live API keys in memory. Whatever removes a key or disables its user (the
 * API, an account deletion cascading from users, an operator's SQL) tells them on the revocation
 * channel (`auth_revocations`, src/tokens/revocation/revocation-event.ts) when it commits, as an
 * `api-keys` event: the instances then reload that user's keys. Identical payloads of one transaction
 * are folded into one notification by PostgreSQL (`at` is the transaction's now()).
 */
export class NotifyApiKeyChanges1796200001000 implements MigrationInterface {
  name = 'NotifyApiKeyChanges1796200001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION "notify_api_keys_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- TG_ARGV[0] names the column that holds the user id: "id" on users, "user_id" on api_keys.
        PERFORM pg_notify('auth_revocations', json_build_object(
          'kind', 'api-keys', 'userId', to_jsonb(OLD) ->> TG_ARGV[0], 'at', floor(extract(epoch FROM now()) * 1000)
        )::text);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "api_keys_deleted" AFTER DELETE ON "api_keys"
      FOR EACH ROW EXECUTE FUNCTION "notify_api_keys_changed"('user_id')`);
    await queryRunner.query(`
      CREATE TRIGGER "users_disabled_changed" AFTER UPDATE OF "disabled" ON "users"
      FOR EACH ROW WHEN (OLD."disabled" IS DISTINCT FROM NEW."disabled") EXECUTE FUNCTION "notify_api_keys_changed"('id')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "users_disabled_changed" ON "users"`);
    await queryRunner.query(`DROP TRIGGER "api_keys_deleted" ON "api_keys"`);
    await queryRunner.query(`DROP FUNCTION "notify_api_keys_changed"()`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The API-key triggers also write their event to the revocation event log, as every other
 * revocation does: an instance whose LISTEN goes through a transaction pooler polls the log, and
 * would otherwise never hear that a key was removed or its user disabled by SQL or a cascade.
 */
export class LogApiKeyChanges1796400000000 implements MigrationInterface {
  name = 'LogApiKeyChanges1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION "notify_api_keys_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        payload jsonb := jsonb_build_object(
          'kind', 'api-keys', 'userId', to_jsonb(OLD) ->> TG_ARGV[0], 'at', floor(extract(epoch FROM now()) * 1000)
        );
        logged_id bigint;
      BEGIN
        INSERT INTO "revocation_events" ("event") VALUES (payload) RETURNING "id" INTO logged_id;
        PERFORM pg_notify('auth_revocations', (jsonb_build_object('id', logged_id) || payload)::text);
        RETURN NULL;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION "notify_api_keys_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('auth_revocations', json_build_object(
          'kind', 'api-keys', 'userId', to_jsonb(OLD) ->> TG_ARGV[0], 'at', floor(extract(epoch FROM now()) * 1000)
        )::text);
        RETURN NULL;
      END $$`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddRefreshTokensRetryKey1795640000000 implements MigrationInterface {
  name = 'AddRefreshTokensRetryKey1795640000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD "idempotency_key_hash" character varying(64)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "idempotency_key_hash"`);
  }
}

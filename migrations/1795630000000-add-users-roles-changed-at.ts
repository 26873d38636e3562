import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUsersRolesChangedAt1795630000000 implements MigrationInterface {
  name = 'AddUsersRolesChangedAt1795630000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "roles_changed_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "roles_changed_at"`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** The per-IP throttle's counts when there is no Redis: the table rate-limiter-flexible's RateLimiterPostgres expects. */
export class CreateIpThrottleCounts1796300000001 implements MigrationInterface {
  name = 'CreateIpThrottleCounts1796300000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "ip_throttle_counts" (
        "key" character varying(255) NOT NULL,
        "points" integer NOT NULL DEFAULT 0,
        "expire" bigint,
        CONSTRAINT "PK_ip_throttle_counts" PRIMARY KEY ("key")
      )`);
    await queryRunner.query(`CREATE INDEX "idx_ip_throttle_counts_expire" ON "ip_throttle_counts" ("expire")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ip_throttle_counts"`);
  }
}

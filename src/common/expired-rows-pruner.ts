import { createHash } from 'node:crypto';
import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';

const PRUNE_INTERVAL_MS = 10 * 60_000;
/** A run counts for its period if it is this much younger than the period (timers of instances drift). */
const PERIOD_SLACK_SECONDS = 30;

/**
 * Deletes rows that can no longer matter, every 10 minutes, once per cluster: each instance's timer
 * fires, and the first to take the job's `pg_try_advisory_xact_lock` and find no run in this period
 * (`housekeeping_runs`) does the work in that transaction; the others skip at once. A subclass
 * names its statements; a failure rolls back, is logged and retried next time.
 */
export abstract class ExpiredRowsPruner implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(this.constructor.name);
  private timer: NodeJS.Timeout | undefined;

  protected constructor(protected readonly dataSource: DataSource) {}

  /** SQL statements with their parameters, run in order. */
  protected abstract statements(): Array<[sql: string, parameters: unknown[]]>;

  onModuleInit(): void {
    this.timer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Runs the job unless another instance holds it or already ran it in this period; true when this call ran it. */
  async prune(): Promise<boolean> {
    const job = this.constructor.name;
    try {
      return await this.dataSource.transaction(async (manager) => {
        const [lock] = await manager.query<Array<{ locked: boolean }>>('SELECT pg_try_advisory_xact_lock($1) AS locked', [lockKey(job)]);
        if (lock?.locked !== true) return false;
        const claimed = await manager.query<unknown[]>(
          `INSERT INTO housekeeping_runs (name, ran_at) VALUES ($1, now())
             ON CONFLICT (name) DO UPDATE SET ran_at = now()
             WHERE housekeeping_runs.ran_at <= now() - make_interval(secs => $2)
           RETURNING name`,
          [job, PRUNE_INTERVAL_MS / 1000 - PERIOD_SLACK_SECONDS],
        );
        if (claimed.length === 0) return false;
        for (const [sql, parameters] of this.statements()) await manager.query(sql, parameters);
        return true;
      });
    } catch (error) {
      this.logger.warn(`Pruning failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }
}

/** A stable 64-bit advisory-lock key per job name (PostgreSQL takes a signed bigint). */
function lockKey(job: string): string {
  return createHash('sha256').update(`housekeeping:${job}`).digest().readBigInt64BE(0).toString();
}

import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';

const PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * Deletes rows that can no longer matter, every 10 minutes, on every instance (the statements are
 * idempotent). A subclass names its statements; a failure is logged and retried next time.
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

  async prune(): Promise<void> {
    try {
      for (const [sql, parameters] of this.statements()) await this.dataSource.query(sql, parameters);
    } catch (error) {
      this.logger.warn(`Pruning failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

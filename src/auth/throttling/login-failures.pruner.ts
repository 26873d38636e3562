import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ExpiredRowsPruner } from '../../common/expired-rows-pruner';
import { IP_THROTTLE_TABLE } from './ip-throttle.guard';
import { AppConfig } from '../../config/app-config';
import { LOCKOUT_SECONDS } from './login-throttle.service';

/**
 * Counters with no failure in the last hour and no window running: keeping the rest preserves the
 * consecutive-failure count that the 100-failure cap needs across windows.
 */
@Injectable()
export class LoginFailuresPruner extends ExpiredRowsPruner {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    super(dataSource);
  }

  protected statements(): Array<[string, unknown[]]> {
    return [
      [
        `DELETE FROM login_failures
          WHERE window_started_at < now() - make_interval(secs => $1)
            AND (last_failure_at IS NULL OR last_failure_at < now() - make_interval(secs => $2))`,
        [this.config.throttleTtlSeconds, LOCKOUT_SECONDS],
      ],
      // The per-IP counts (when they live in PostgreSQL): `expire` is epoch milliseconds.
      [`DELETE FROM ${IP_THROTTLE_TABLE} WHERE expire < (extract(epoch FROM now()) * 1000)::bigint`, []],
    ];
  }
}

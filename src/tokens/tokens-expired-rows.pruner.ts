import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ExpiredRowsPruner } from '../common/expired-rows-pruner';
import { AppConfig } from '../config/app-config';

const EVENT_LOG_MARGIN_SECONDS = 300;

/**
 * Blocklist entries past their token's expiry, and families past their absolute end by more than an
 * access token's lifetime (their refresh tokens go with them), and revocation events older than an
 * access token's lifetime plus five minutes: nothing they stop can verify any more.
 */
@Injectable()
export class TokensExpiredRowsPruner extends ExpiredRowsPruner {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    super(dataSource);
  }

  protected statements(): Array<[string, unknown[]]> {
    const reach = this.config.jwtAccessTtlSeconds + this.config.jwtClockToleranceSeconds;
    return [
      ['DELETE FROM revoked_access_tokens WHERE expires_at < now() - make_interval(secs => $1)', [this.config.jwtClockToleranceSeconds]],
      ['DELETE FROM refresh_families WHERE expires_at < now() - make_interval(secs => $1)', [reach]],
      ['DELETE FROM deleted_users WHERE deleted_at < now() - make_interval(secs => $1)', [reach]],
      // Past an access token's reach, a logged revocation can stop nothing (margin for clock skew).
      ['DELETE FROM revocation_events WHERE created_at < now() - make_interval(secs => $1)', [reach + EVENT_LOG_MARGIN_SECONDS]],
    ];
  }
}

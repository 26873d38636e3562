import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ExpiredRowsPruner } from '../common/expired-rows-pruner';

/** Expired sessions (already treated as absent) and spent or expired reset tokens. */
@Injectable()
export class UsersExpiredRowsPruner extends ExpiredRowsPruner {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super(dataSource);
  }

  protected statements(): Array<[string, unknown[]]> {
    return [
      ['DELETE FROM sessions WHERE idle_expires_at <= now() OR absolute_expires_at <= now()', []],
      ['DELETE FROM password_reset_tokens WHERE expires_at <= now() OR used_at IS NOT NULL', []],
      ['DELETE FROM email_tokens WHERE expires_at <= now() OR used_at IS NOT NULL', []],
      ['DELETE FROM mfa_challenges WHERE expires_at <= now()', []],
    ];
  }
}
